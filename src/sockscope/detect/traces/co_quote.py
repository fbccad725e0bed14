"""co-quote: accounts quoting the same post."""

from sockscope.detect.traces.base import Trace


def _actions(scratch) -> str:
    return """
        SELECT account_id, epoch(created_at) AS t, quote_of_post AS key, post_id
        FROM posts WHERE quote_of_post IS NOT NULL
    """


TRACE = Trace("co-quote", 600, "quoted the same posts", _actions, "posts",
              window_free=False)  # acquaintances join the same conversations
