"""co-domain: accounts linking to the same website (registered domain)."""

from sockscope.detect.traces.base import Trace
from sockscope.detect.traces.co_url import prepare_url_domains, url_actions_sql


def _actions(scratch) -> str:
    scratch.once("url_domains", prepare_url_domains)
    return url_actions_sql("url_domains", "domain")


TRACE = Trace("co-domain", 300, "linked to the same websites", _actions, "domains",
              window_free=False)  # a website marks a community's reading, not a team
