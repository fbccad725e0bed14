"""Character n-gram vectors, analysed once per text.

Each text's character 2-5-gram counts are hashed (scikit-learn's ``HashingVectorizer``,
2^20 buckets, so no vocabulary is needed to count) and cached; a ``CharSpace`` fitted on
reference texts then picks the most widely used n-grams, weighs them by TF-IDF (sublinear
term frequency) and normalises. Counting is the expensive part: cross-validation and
pairwise comparisons reuse the counts instead of re-reading every text.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from sockscope.authorship.features import CHAR_NGRAMS

HASH_BUCKETS = 1 << 20
CACHED_TEXTS = 50_000

_HASHER = HashingVectorizer(analyzer="char", ngram_range=CHAR_NGRAMS, n_features=HASH_BUCKETS,
                            alternate_sign=False, norm=None, lowercase=True, dtype=np.float32)


@lru_cache(maxsize=CACHED_TEXTS)
def char_counts(text: str) -> sp.csr_matrix:
    """The hashed character n-gram counts of one text (1 x HASH_BUCKETS)."""
    return _HASHER.transform([text]).tocsr()


def counts_of(texts: Sequence[str]) -> sp.csr_matrix:
    return sp.vstack([char_counts(t) for t in texts]).tocsr()


class CharSpace:
    """TF-IDF over the ``max_features`` n-grams found in most reference texts."""

    def __init__(self, max_features: int) -> None:
        self.max_features = max_features

    def fit(self, texts: Sequence[str]) -> CharSpace:
        counts = counts_of(texts)
        documents = np.asarray((counts > 0).sum(axis=0)).ravel()
        order = np.lexsort((np.arange(len(documents)), -documents))
        self.columns_ = np.sort(order[:self.max_features][documents[order[:self.max_features]]
                                                          > 0])
        self.idf_ = (np.log((1 + len(texts)) / (1 + documents[self.columns_])) + 1
                     ).astype(np.float32)
        return self

    def vectors(self, counts: sp.csr_matrix) -> np.ndarray:
        """Dense, L2-normalised TF-IDF rows for count rows."""
        x = counts[:, self.columns_].toarray()
        x = np.where(x > 0, 1 + np.log(np.maximum(x, 1)), 0) * self.idf_
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)

    def profile(self, texts: Sequence[str]) -> np.ndarray:
        """One vector for several texts by one writer (their counts summed)."""
        return self.vectors(sp.csr_matrix(counts_of(texts).sum(axis=0)))[0]
