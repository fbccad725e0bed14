"""co-mention: accounts mentioning the same account (the account replied to does not
count: that is co-reply's evidence)."""

from sockscope.detect.traces.base import Trace


def _actions(scratch) -> str:
    return """
        SELECT account_id, epoch(created_at) AS t, m AS key, post_id
        FROM (SELECT account_id, created_at, post_id, reply_to_account,
                     unnest(list_distinct(mentions)) AS m FROM posts
              WHERE kind <> 'repost' AND array_length(mentions) > 0)
        WHERE m IS NOT NULL AND m IS DISTINCT FROM reply_to_account
    """


TRACE = Trace("co-mention", 300, "mentioned the same accounts", _actions, "accounts",
              window_free=False)  # who people talk to marks a community, not a team
