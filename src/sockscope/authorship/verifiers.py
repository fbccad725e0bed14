"""Authorship verifiers behind one interface.

``fit(reference_texts)`` learns what the verifier needs from a reference corpus (the
vocabulary, the IDF weights, the pool of impostors); ``score(known, unknown)`` says how
strongly the unknown text looks like the known texts' writer, higher meaning more
likely the same (an uncalibrated score: ``calibration.Calibrated`` turns it into a
probability). Implemented from the published formulas:

- ``CosineDelta``: z-scored most-frequent-word frequencies, cosine similarity (Smith &
  Aldridge 2011; Evert et al. 2017 found it the most robust Delta).
- ``CharNgramCosine``: cosine of TF-IDF character 2-5-gram vectors.
- ``GeneralImpostors``: over random halves of the feature set, how often the unknown
  text is closer to the known texts than to every one of a sample of impostors,
  texts of other writers (Koppel & Winter 2014; Seidman 2013).
- ``CompressionVerifier``: how much knowing the known texts helps compress the unknown
  one: 1 - C(unknown | known) / C(unknown), with zlib and the known texts as its preset
  dictionary (a cross-entropy estimate in the spirit of Teahan & Harper's PPM method).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from sockscope.authorship.features import (
    MAX_CHAR_FEATURES,
    MFW,
    distort,
    mfw_frequencies,
    most_frequent_words,
)
from sockscope.authorship.ngrams import CharSpace, counts_of

IMPOSTOR_ITERATIONS = 100
IMPOSTOR_FEATURES = 5_000
DISTORTION_KEEP = 300  # words kept by text distortion for the character n-gram verifier
IMPOSTORS_PER_ITERATION = 10
FEATURE_SHARE = 0.5
ZDICT_BYTES = 32_768  # zlib's window: the known texts' last 32 KiB are the dictionary


class Verifier:
    """The interface: ``fit`` on reference texts, ``score(known, unknown)``."""

    name = "verifier"

    def fit(self, texts: Sequence[str]) -> Verifier:
        return self

    def score(self, known: Sequence[str], unknown: str) -> float:
        raise NotImplementedError


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    denominator = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / denominator if denominator else 0.0


class CosineDelta(Verifier):
    """Cosine similarity of z-scored most-frequent-word frequencies."""

    name = "cosine_delta"

    def __init__(self, mfw: int = MFW, culling: float = 0.0) -> None:
        self.mfw = mfw
        self.culling = culling

    def fit(self, texts: Sequence[str]) -> CosineDelta:
        self.vocabulary_ = most_frequent_words(texts, self.mfw, self.culling)
        frequencies = mfw_frequencies(texts, self.vocabulary_)
        self.mean_ = frequencies.mean(axis=0)
        self.std_ = frequencies.std(axis=0) + 1e-9
        return self

    def _z(self, texts: Sequence[str]) -> np.ndarray:
        return (mfw_frequencies(texts, self.vocabulary_) - self.mean_) / self.std_

    def score(self, known: Sequence[str], unknown: str) -> float:
        return _cosine(self._z([" ".join(known)])[0], self._z([unknown])[0])


class CharNgramCosine(Verifier):
    """Cosine similarity of TF-IDF character 2-5-gram vectors, over distorted texts:
    words outside the ``keep`` most frequent of the reference corpus are masked, so the
    n-grams describe how the writer writes, not what about (Stamatatos 2017)."""

    name = "char_ngrams"

    def __init__(self, keep: int = DISTORTION_KEEP) -> None:
        self.keep = keep

    def fit(self, texts: Sequence[str]) -> CharNgramCosine:
        self.keep_ = set(most_frequent_words(texts, self.keep))
        self.space_ = CharSpace(MAX_CHAR_FEATURES).fit([self._distort(t) for t in texts])
        return self

    def _distort(self, text: str) -> str:
        return distort(text, self.keep_) if self.keep else text

    def score(self, known: Sequence[str], unknown: str) -> float:
        return _cosine(self.space_.profile([self._distort(t) for t in known]),
                       self.space_.profile([self._distort(unknown)]))


class GeneralImpostors(Verifier):
    """The General Impostors method over character n-gram TF-IDF vectors (the
    ``IMPOSTOR_FEATURES`` most widely used n-grams)."""

    name = "impostors"

    def __init__(self, iterations: int = IMPOSTOR_ITERATIONS,
                 impostors: int = IMPOSTORS_PER_ITERATION, share: float = FEATURE_SHARE,
                 seed: int = 0) -> None:
        self.iterations = iterations
        self.impostors = impostors
        self.share = share
        self.seed = seed

    def fit(self, texts: Sequence[str]) -> GeneralImpostors:
        self.space_ = CharSpace(IMPOSTOR_FEATURES).fit(texts)
        self.pool_texts_ = list(texts)
        self.pool_ = self.space_.vectors(counts_of(self.pool_texts_))
        return self

    def score(self, known: Sequence[str], unknown: str) -> float:
        rng = np.random.default_rng(self.seed)
        k, u = self.space_.profile(known), self.space_.profile([unknown])
        excluded = {unknown, *known}
        usable = np.array([i for i, t in enumerate(self.pool_texts_) if t not in excluded])
        if len(usable) == 0:
            return 0.5
        masks = rng.random((self.iterations, len(u))) < self.share
        wins = 0
        for mask in masks:
            chosen = self.pool_[rng.choice(usable, size=min(self.impostors, len(usable)),
                                           replace=False)][:, mask]
            um = u[mask]
            known_similarity = _cosine(um, k[mask])
            norms = np.linalg.norm(chosen, axis=1) * np.linalg.norm(um)
            impostor_similarity = np.divide(chosen @ um, norms, out=np.zeros(len(chosen)),
                                            where=norms > 0)
            wins += known_similarity > impostor_similarity.max()
        return wins / self.iterations


class CompressionVerifier(Verifier):
    """1 - C(unknown | known) / C(unknown), zlib with the known texts as dictionary."""

    name = "compression"

    def score(self, known: Sequence[str], unknown: str) -> float:
        dictionary = " ".join(known).encode("utf-8")[-ZDICT_BYTES:]
        data = unknown.encode("utf-8")
        plain = _compressed_size(data, b"")
        given = _compressed_size(data, dictionary)
        return 1 - given / plain if plain else 0.0


def _compressed_size(data: bytes, dictionary: bytes) -> int:
    compressor = (zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY,
                                   dictionary) if dictionary
                  else zlib.compressobj(9, zlib.DEFLATED, -15, 9))
    return len(compressor.compress(data) + compressor.flush())


def default_verifiers(seed: int = 0) -> list[Verifier]:
    """The four verifiers, in a fixed order (the fused verifier's inputs)."""
    return [CosineDelta(), CharNgramCosine(), GeneralImpostors(seed=seed),
            CompressionVerifier()]
