"""hashtag-sequence: accounts whose ordered hashtags of a UTC day are identical (at
least two hashtags), as when a team works through the same list."""

from sockscope.detect.traces.base import Trace


def _actions(scratch) -> str:
    return """
        WITH used AS (
            SELECT account_id, created_at, post_id, lower(h) AS h
            FROM (SELECT account_id, created_at, post_id, unnest(hashtags) AS h
                  FROM posts WHERE array_length(hashtags) > 0 AND kind <> 'repost')
        ), daily AS (
            SELECT account_id, date_trunc('day', created_at) AS day,
                   list(h ORDER BY created_at, post_id, h) AS seq,
                   min(created_at) AS first_at,
                   arg_min(post_id, (created_at, post_id)) AS first_post
            FROM used GROUP BY account_id, date_trunc('day', created_at)
        )
        SELECT account_id, epoch(first_at) AS t,
               strftime(day, '%Y-%m-%d') || ': #' || array_to_string(seq, ' #') AS key,
               first_post AS post_id
        FROM daily WHERE array_length(seq) >= 2
    """


TRACE = Trace("hashtag-sequence", 86_400, "used the same daily hashtag sequences",
              _actions, "sequences", window_free=False)
