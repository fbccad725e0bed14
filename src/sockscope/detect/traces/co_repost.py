"""co-repost: accounts reposting the same post."""

from sockscope.detect.traces.base import Trace


def _actions(scratch) -> str:
    return """
        SELECT account_id, epoch(created_at) AS t, repost_of_post AS key, post_id
        FROM posts WHERE repost_of_post IS NOT NULL AND kind = 'repost'
    """


TRACE = Trace("co-repost", 10, "reposted the same posts", _actions, "posts")
