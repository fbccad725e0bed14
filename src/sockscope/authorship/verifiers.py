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
    common_marks,
    distort,
    mfw_frequencies,
    most_frequent_words,
    punctuation_profile,
)
from sockscope.authorship.ngrams import CharSpace, counts_of
from sockscope.authorship.tokens import words

IMPOSTOR_ITERATIONS = 100
IMPOSTOR_FEATURES = 5_000
DISTORTION_KEEP = 300  # words kept by text distortion for the character n-gram verifier
IMPOSTORS_PER_ITERATION = 10
IMPOSTOR_CACHE = 20_000  # unknowns whose impostor similarities are kept (4 KB each)
FEATURE_SHARE = 0.5
ZDICT_BYTES = 32_768  # zlib's window: the known texts' last 32 KiB are the dictionary
# zlib level 3 (greedy matching, chains of 32): a ratio of two sizes at one level
# measures the same thing at any level, and 24 KB of prose with a 32 KiB dictionary
# takes about 0.5 ms at level 3, 1.6 ms at level 6 and 2.4 ms at level 9; on PAN 2014
# the verifier ranks pairs as well at level 3 as at 6 (docs/authorship.md)
COMPRESSION_LEVEL = 3


class Verifier:
    """The interface: ``fit`` on reference texts, ``score(known, unknown)``.

    ``score`` is ``compare(prepare(known), prepare([unknown]))``: a representation of
    some texts by one writer is prepared once and compared many times (byline analysis
    compares each byline with tens of others)."""

    name = "verifier"
    symmetric = False  # compare(x, y) == compare(y, x)

    def fit(self, texts: Sequence[str]) -> Verifier:
        return self

    def prepare(self, texts: Sequence[str]):
        raise NotImplementedError

    def compare(self, known, unknown) -> float:
        raise NotImplementedError

    def score(self, known: Sequence[str], unknown: str) -> float:
        return self.compare(self.prepare(known), self.prepare([unknown]))


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    denominator = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / denominator if denominator else 0.0


class CosineDelta(Verifier):
    """Cosine similarity of z-scored most-frequent-word frequencies, with the
    frequencies of the corpus's common punctuation marks as further features."""

    name = "cosine_delta"
    symmetric = True

    def __init__(self, mfw: int = MFW, culling: float = 0.0) -> None:
        self.mfw = mfw
        self.culling = culling

    def fit(self, texts: Sequence[str]) -> CosineDelta:
        self.__dict__.pop("_counts", None)  # counts of the previous fit's vocabulary
        self.vocabulary_ = most_frequent_words(texts, self.mfw, self.culling)
        self.marks_ = common_marks(texts)
        frequencies = self._frequencies(texts)
        self.mean_ = frequencies.mean(axis=0)
        self.std_ = frequencies.std(axis=0) + 1e-9
        return self

    def _frequencies(self, texts: Sequence[str]) -> np.ndarray:
        return np.hstack([mfw_frequencies(texts, self.vocabulary_),
                          punctuation_profile(texts, self.marks_)])

    def _z(self, texts: Sequence[str]) -> np.ndarray:
        return (self._frequencies(texts) - self.mean_) / self.std_

    def prepare(self, texts: Sequence[str]) -> np.ndarray:
        """The z-scored profile of the texts joined by spaces, summed from each text's
        counts (kept per text: a byline's articles are prepared in many halves and
        sides, and re-reading the joined text was most of the cost)."""
        if len(texts) == 1:
            return self._z(texts)[0]
        cache = self.__dict__.setdefault("_counts", {})
        words_total, marks_total = 0, len(texts) - 1  # the joining spaces are characters
        total = np.zeros(len(self.vocabulary_) + len(self.marks_))
        for text in texts:
            if text not in cache:
                tokens = len(words(text))
                frequencies = self._frequencies([text])[0]  # per word, per character
                cache[text] = (np.r_[frequencies[:len(self.vocabulary_)] * tokens,
                                     frequencies[len(self.vocabulary_):] * len(text)],
                               tokens, len(text))
            counts, tokens, characters = cache[text]
            total += counts
            words_total += tokens
            marks_total += characters
        total[:len(self.vocabulary_)] /= max(words_total, 1)
        total[len(self.vocabulary_):] /= max(marks_total, 1)
        return (total - self.mean_) / self.std_

    def compare(self, known: np.ndarray, unknown: np.ndarray) -> float:
        return _cosine(known, unknown)


class CharNgramCosine(Verifier):
    """Cosine similarity of TF-IDF character 2-5-gram vectors, over distorted texts:
    words outside the ``keep`` most frequent of the reference corpus are masked, so the
    n-grams describe how the writer writes, not what about (Stamatatos 2017)."""

    name = "char_ngrams"
    symmetric = True

    def __init__(self, keep: int = DISTORTION_KEEP, culling: float = 0.0) -> None:
        self.keep = keep
        self.culling = culling

    def fit(self, texts: Sequence[str]) -> CharNgramCosine:
        self.__dict__.pop("_distorted", None)  # distorted by the previous fit's words
        self.keep_ = set(most_frequent_words(texts, self.keep, self.culling))
        self.space_ = CharSpace(MAX_CHAR_FEATURES).fit([self._distort(t) for t in texts])
        return self

    def _distort(self, text: str) -> str:
        if not self.keep:
            return text
        cache = self.__dict__.setdefault("_distorted", {})
        if text not in cache:
            cache[text] = distort(text, self.keep_)
        return cache[text]

    def prepare(self, texts: Sequence[str]) -> np.ndarray:
        return self.space_.profile([self._distort(t) for t in texts])

    def compare(self, known: np.ndarray, unknown: np.ndarray) -> float:
        return _cosine(known, unknown)


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
        self.__dict__.pop("_unknowns", None)  # similarities to the previous fit's pool
        self.space_ = CharSpace(IMPOSTOR_FEATURES).fit(texts)
        self.pool_texts_ = list(texts)
        self.index_ = {}
        for i, text in enumerate(self.pool_texts_):
            self.index_.setdefault(text, []).append(i)
        # the random feature halves and impostor samples depend only on the seed: drawn
        # once, so that each comparison is a few matrix-vector products; only the texts
        # drawn as impostors are turned into vectors
        rng = np.random.default_rng(self.seed)
        features = len(self.space_.columns_)
        self.masks_ = (rng.random((self.iterations, features)) < self.share).astype(np.float32)
        size = min(self.impostors, len(self.pool_texts_))
        self.chosen_ = np.argsort(rng.random((self.iterations, len(self.pool_texts_))),
                                  axis=1)[:, :size]
        drawn, where = np.unique(self.chosen_.ravel(), return_inverse=True)
        pool = self.space_.vectors(counts_of([self.pool_texts_[i] for i in drawn]))
        repeated = np.repeat(self.masks_, size, axis=0)
        self.masked_pool_ = pool[where] * repeated
        self.pool_norms_ = np.linalg.norm(self.masked_pool_, axis=1).reshape(
            self.iterations, size)
        return self

    def prepare(self, texts: Sequence[str]) -> tuple[np.ndarray, tuple[str, ...]]:
        """The texts' profile and the texts in order: what the profile was made from
        (the key of its impostor similarities) and what the impostors must exclude."""
        texts = tuple(texts)
        return self.space_.profile(texts).astype(np.float32), texts

    def _against_impostors(self, u: np.ndarray, texts: tuple[str, ...]):
        """The unknown's norm in each iteration's features and its similarity to each
        impostor: the costly half of a comparison, the same whatever it is compared
        with (cached: one byline half is the unknown of tens of comparisons)."""
        cache = self.__dict__.setdefault("_unknowns", {})
        if texts not in cache:
            if len(cache) >= IMPOSTOR_CACHE:  # full: start afresh
                cache = self.__dict__["_unknowns"] = {}
            u_norm = np.sqrt(self.masks_ @ (u * u))
            with np.errstate(divide="ignore", invalid="ignore"):
                impostors = np.nan_to_num((self.masked_pool_ @ u).reshape(
                    self.pool_norms_.shape) / (self.pool_norms_ * u_norm[:, None]))
            cache[texts] = u_norm, impostors
        return cache[texts]

    def compare(self, known, unknown) -> float:
        (k, known_texts), (u, unknown_texts) = known, unknown
        excluded = [i for t in {*known_texts, *unknown_texts} for i in self.index_.get(t, ())]
        u_norm, impostors = self._against_impostors(u, unknown_texts)
        k_norm = np.sqrt(self.masks_ @ (k * k))
        with np.errstate(divide="ignore", invalid="ignore"):
            known_similarity = np.nan_to_num((self.masks_ @ (u * k)) / (u_norm * k_norm))
        if excluded:  # an impostor may not be one of the texts being compared
            impostors = np.where(np.isin(self.chosen_, excluded), -np.inf, impostors)
        return float(np.mean(known_similarity > impostors.max(axis=1)))


class CompressionVerifier(Verifier):
    """1 - C(unknown | known) / C(unknown), zlib with the known texts as dictionary."""

    name = "compression"

    def prepare(self, texts: Sequence[str]) -> tuple[bytes, int]:
        data = " ".join(texts).encode("utf-8")
        return data, _compressed_size(data, b"")

    def compare(self, known, unknown) -> float:
        (dictionary, _), (data, plain) = known, unknown
        given = _compressed_size(data, dictionary[-ZDICT_BYTES:])
        return 1 - given / plain if plain else 0.0


def _compressed_size(data: bytes, dictionary: bytes) -> int:
    compressor = (zlib.compressobj(COMPRESSION_LEVEL, zlib.DEFLATED, -15, 9,
                                   zlib.Z_DEFAULT_STRATEGY, dictionary) if dictionary
                  else zlib.compressobj(COMPRESSION_LEVEL, zlib.DEFLATED, -15, 9))
    return len(compressor.compress(data) + compressor.flush())


def default_verifiers(seed: int = 0) -> list[Verifier]:
    """The four verifiers, in a fixed order (the fused verifier's inputs)."""
    return [CosineDelta(), CharNgramCosine(), GeneralImpostors(seed=seed),
            CompressionVerifier()]
