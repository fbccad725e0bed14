"""co-text-semantic: accounts posting paraphrases of one another (sentence embeddings;
optional, needs the ``semantic`` extra; see ``semantic.py``). Not in the default set."""

from sockscope.semantic import prepare_semantic_clusters
from sockscope.traces.base import Trace
from sockscope.traces.co_text import prepare_normalised_texts


def _actions(con) -> str:
    prepare_normalised_texts(con)
    prepare_semantic_clusters(con)
    return """
        SELECT p.account_id, epoch(p.created_at) AS t, s.cluster AS key, p.post_id
        FROM posts p JOIN norm_texts n USING (platform, post_id)
        JOIN semantic_texts s ON s.norm = n.norm
    """


TRACE = Trace("co-text-semantic", 300, "posted paraphrases of the same text", _actions,
              "paraphrase families")
