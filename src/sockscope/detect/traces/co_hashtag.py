"""co-hashtag: accounts using the same hashtag (case-folded).

Also tested at two hours: players of hashtag games (Linvill & Warren's HashtagGamers)
join game after game within the same hour or two, each with its own jokes, among a
crowd that plays too. Not window-free: a hashtag marks a community as much as a team,
and people of one community use the same niche tags over weeks."""

from sockscope.detect.traces.base import Trace


def _actions(scratch) -> str:
    return """
        SELECT DISTINCT account_id, epoch(created_at) AS t, lower(h) AS key, post_id
        FROM (SELECT account_id, created_at, post_id, unnest(hashtags) AS h
              FROM posts WHERE array_length(hashtags) > 0 AND kind <> 'repost')
        WHERE h <> ''
    """


TRACE = Trace("co-hashtag", 300, "used the same hashtags", _actions, "hashtags",
              scales=(7_200,), window_free=False)
