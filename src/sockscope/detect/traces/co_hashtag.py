"""co-hashtag: accounts using the same hashtag (case-folded)."""

from sockscope.detect.traces.base import Trace


def _actions(scratch) -> str:
    return """
        SELECT DISTINCT account_id, epoch(created_at) AS t, h AS key, post_id
        FROM (SELECT account_id, created_at, post_id, lower(unnest(hashtags)) AS h
              FROM posts WHERE len(hashtags) > 0 AND kind <> 'repost')
        WHERE h <> ''
    """


TRACE = Trace("co-hashtag", 300, "used the same hashtags", _actions, "hashtags")
