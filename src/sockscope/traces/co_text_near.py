"""co-text-near: accounts posting near-duplicate texts (one word changed, an emoji
added, a template filled in). Texts are clustered by verified shingle Jaccard (see
``neardup.py``); each cluster is one key."""

from sockscope.neardup import prepare_near_duplicates
from sockscope.traces.base import Trace
from sockscope.traces.co_text import prepare_normalised_texts


def _actions(con) -> str:
    prepare_normalised_texts(con)
    prepare_near_duplicates(con)
    return """
        SELECT p.account_id, epoch(p.created_at) AS t, nt.cluster AS key, p.post_id
        FROM posts p JOIN norm_texts n USING (platform, post_id)
        JOIN near_texts nt ON nt.norm = n.norm
    """


TRACE = Trace("co-text-near", 300, "posted near-identical texts", _actions, "text families")
