"""co-text-near: accounts posting near-duplicate texts (one word changed, an emoji
added, a template filled in). Texts are clustered by verified shingle Jaccard (see
``neardup.py``); each cluster is one key."""

from sockscope.detect.traces.base import Trace
from sockscope.detect.traces.co_text import prepare_normalised_texts, text_family_actions
from sockscope.keys.neardup import prepare_near_duplicates


def _actions(scratch) -> str:
    scratch.once("norm_texts", prepare_normalised_texts)
    scratch.once("near_texts", prepare_near_duplicates)
    return text_family_actions("near_texts")


TRACE = Trace("co-text-near", 300, "posted near-identical texts", _actions, "text families")
