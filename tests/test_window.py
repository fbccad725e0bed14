"""--window auto: the valley between the burst and human modes of key-local gaps."""

from __future__ import annotations

import numpy as np

from sockscope.detect.window import window_from_gaps


def test_bimodal_gaps_give_the_valley():
    rng = np.random.default_rng(0)
    bursts = rng.lognormal(np.log(4), 0.5, size=5_000)  # seconds apart
    humans = rng.lognormal(np.log(1_800), 1.0, size=20_000)  # half an hour apart
    window = window_from_gaps(np.concatenate([bursts, humans]), 1, default=60)
    assert 15 <= window <= 300


def test_no_burst_mode_keeps_the_default():
    rng = np.random.default_rng(1)
    humans = rng.lognormal(np.log(1_800), 1.0, size=20_000)
    assert window_from_gaps(humans, 1, default=60) == 60


def test_window_never_finer_than_the_time_resolution():
    rng = np.random.default_rng(2)
    gaps = np.concatenate([rng.integers(0, 2, 5_000) * 60.0,
                           rng.lognormal(np.log(3_000), 1.0, 20_000)])
    assert window_from_gaps(gaps, 60, default=10) >= 60


def test_too_few_gaps_keep_the_default():
    assert window_from_gaps(np.array([1.0, 2.0, 3.0]), 1, default=30) == 30
