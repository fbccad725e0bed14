"""co-template: accounts posting texts of the same template (the same shape of links,
hashtags and punctuation around different words) in the same clock minutes.

This is the trace of automation: feed accounts run by one operator post from one
scheduler, each its own city's headlines, so they share no post, link or text -- but
the same layout in the same minutes, slot after slot (Linvill & Warren's NewsFeed
accounts). Only texts with a link count (headlines link to their story). The key is the
(minute, shape): the null model's popularity term discounts the shapes everyone uses
("words and a link") and the busy minutes; a shape that only one team uses, repeated
together minute after minute, stands out. Real outlets on their own schedules and
layouts do not share those keys.
"""

from sockscope.detect.traces.base import Trace
from sockscope.keys.text_shape import text_shape_sql

MIN_SHAPE_TOKENS = 3  # "w U" (words and a link) is too common to be a template


def _actions(scratch) -> str:
    return f"""
        WITH shaped AS (
            SELECT account_id, created_at, post_id, {text_shape_sql("text")} AS shape
            FROM posts WHERE kind <> 'repost' AND text IS NOT NULL AND array_length(urls) > 0
        )
        SELECT account_id, epoch(created_at) AS t,
               strftime(date_trunc('minute', created_at), '%Y-%m-%d %H:%M') || ' ' || shape
                   AS key,
               post_id
        FROM shaped
        WHERE array_length(string_split(shape, ' ')) >= {MIN_SHAPE_TOKENS} AND shape LIKE '%U%'
    """


TRACE = Trace("co-template", 60, "posted texts of the same template in the same minutes",
              _actions, "minutes", window_free=False, bin_s=60,
              key_family=f"substr(key, {len('2024-03-04 10:00 ') + 1})")
