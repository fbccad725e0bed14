"""co-reply: accounts replying to the same post (reply brigades)."""

from sockscope.detect.traces.base import Trace


def _actions(scratch) -> str:
    return """
        SELECT account_id, epoch(created_at) AS t, reply_to_post AS key, post_id
        FROM posts WHERE reply_to_post IS NOT NULL
    """


TRACE = Trace("co-reply", 600, "replied to the same posts", _actions, "posts",
              window_free=False)  # acquaintances join the same conversations
