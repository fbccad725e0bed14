"""Style features: most-frequent-word profiles, character n-grams, punctuation, and
text distortion.

- **MFW**: relative frequencies of the ``mfw`` most frequent words of a reference corpus,
  optionally culled to words that appear in at least ``culling`` of its texts (Burrows'
  Delta family; function words dominate the top of the list in every language, so no
  language-specific list is shipped).
- **Character n-grams**: TF-IDF over character 2- to 5-grams (scikit-learn), robust to
  scripts without spaces and to inflection.
- **Punctuation**: relative frequencies of punctuation marks.
- **Text distortion** (Stamatatos 2017, DV-MA): every character of a word outside the
  ``keep`` most frequent words becomes ``*``, so topic words vanish and the frame of
  function words and punctuation, which carries the style, remains.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from sockscope.authorship.tokens import WORD_OR_NOT, punctuation, words

MFW = 300
CHAR_NGRAMS = (2, 5)
MAX_CHAR_FEATURES = 30_000
PUNCTUATION_MARKS = 20


def most_frequent_words(texts: Sequence[str], mfw: int = MFW, culling: float = 0.0
                        ) -> list[str]:
    """The ``mfw`` most frequent words of ``texts`` (ties by word), keeping only words
    found in at least a ``culling`` share of the texts."""
    counts: Counter[str] = Counter()
    present: Counter[str] = Counter()
    for text in texts:
        tokens = words(text)
        counts.update(tokens)
        present.update(set(tokens))
    floor = culling * len(texts)
    ranked = sorted((w for w in counts if present[w] >= floor), key=lambda w: (-counts[w], w))
    return ranked[:mfw]


def mfw_frequencies(texts: Sequence[str], vocabulary: Sequence[str]) -> np.ndarray:
    """Relative frequencies (texts x vocabulary) of the vocabulary's words."""
    index = {w: i for i, w in enumerate(vocabulary)}
    out = np.zeros((len(texts), len(vocabulary)))
    for row, text in enumerate(texts):
        tokens = words(text)
        for token, count in Counter(tokens).items():
            column = index.get(token)
            if column is not None:
                out[row, column] = count
        out[row] /= max(len(tokens), 1)
    return out


def punctuation_profile(texts: Sequence[str], marks: Sequence[str]) -> np.ndarray:
    """Relative frequencies (per character) of ``marks`` in each text."""
    index = {m: i for i, m in enumerate(marks)}
    out = np.zeros((len(texts), len(marks)))
    for row, text in enumerate(texts):
        for mark in punctuation(text):
            if mark in index:
                out[row, index[mark]] += 1
        out[row] /= max(len(text), 1)
    return out


def distort(text: str, keep: set[str]) -> str:
    """Text distortion: words outside ``keep`` masked character by character."""
    parts = WORD_OR_NOT.split(text)  # words at the odd places
    parts[1::2] = [w if w.lower() in keep else "*" * len(w) for w in parts[1::2]]
    return "".join(parts)


def common_marks(texts: Sequence[str], count: int = PUNCTUATION_MARKS) -> list[str]:
    """The ``count`` most frequent punctuation marks of ``texts`` (ties by mark)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(punctuation(text))
    return sorted(counts, key=lambda m: (-counts[m], m))[:count]


def word_count(text: str) -> int:
    return len(words(text))
