"""co-text-semantic: accounts posting paraphrases of one another (sentence embeddings;
optional, needs the ``semantic`` extra; see ``semantic.py``). Not in the default set."""

from sockscope.detect.traces.base import Trace
from sockscope.detect.traces.co_text import prepare_normalised_texts, text_family_actions
from sockscope.keys.semantic import prepare_semantic_clusters


def _actions(scratch) -> str:
    scratch.once("norm_texts", prepare_normalised_texts)
    scratch.once("semantic_texts", prepare_semantic_clusters)
    return text_family_actions("semantic_texts")


TRACE = Trace("co-text-semantic", 300, "posted paraphrases of the same text", _actions,
              "paraphrase families")
