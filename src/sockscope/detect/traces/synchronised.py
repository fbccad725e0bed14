"""synchronised activity: accounts active in the same fine time bins, across many
different posts. The key is the bin; the null model's popularity term discounts busy
bins, so only unusually repeated co-activity in quiet bins counts."""

from sockscope.detect.traces.base import Trace

BIN_S = 60


def _actions(scratch) -> str:
    return f"""
        SELECT account_id, min(epoch(created_at)) AS t,
               CAST(floor(epoch(created_at) / {BIN_S}) AS BIGINT)::VARCHAR AS key,
               arg_min(post_id, (created_at, post_id)) AS post_id
        FROM posts GROUP BY account_id, floor(epoch(created_at) / {BIN_S})
    """


TRACE = Trace("synchronised", 0, "were active in the same minutes", _actions, "minutes",
              window_free=False, bin_s=BIN_S)
