"""co-text-semantic: accounts posting paraphrases of one another (sentence embeddings;
optional, needs the ``semantic`` extra; see ``semantic.py``). Not in the default set."""

from sockscope.detect.keys.semantic import prepare_semantic_clusters
from sockscope.detect.traces.base import Trace
from sockscope.detect.traces.co_text import prepare_normalised_texts, text_family_actions


def _actions(con) -> str:
    prepare_normalised_texts(con)
    prepare_semantic_clusters(con)
    return text_family_actions("semantic_texts")


TRACE = Trace("co-text-semantic", 300, "posted paraphrases of the same text", _actions,
              "paraphrase families")
