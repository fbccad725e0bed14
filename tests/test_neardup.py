"""Near-duplicate texts: families in English and Thai, one-word edits, unrelated texts,
and awkward inputs (empty, emoji only, very long)."""

from __future__ import annotations

import numpy as np

from sockscope.detect.coaction import build_coactions, named_coactions
from sockscope.detect.scratch import Scratch
from sockscope.detect.traces.co_text import prepare_normalised_texts
from sockscope.keys.neardup import (
    THRESHOLD,
    lsh_candidates,
    minhash,
    prepare_near_duplicates,
    shingle_sets,
    star_clusters,
)
from sockscope.keys.normalize_text import normalize_text
from sockscope.plugins import TRACES

from .posts_factory import insert, post

ENGLISH = "the council must approve the new bridge project before the winter election"
THAI = "กกต.จี้อนาคตใหม่แจงเงินกู้ธนาธรด่วนที่สุดก่อนการเลือกตั้งครั้งหน้า"


def _clusters(con, texts: list[str]) -> dict[str, str]:
    insert(con, [post(str(i), f"u{i}", i, text=t) for i, t in enumerate(texts)])
    prepare_normalised_texts(con)
    prepare_near_duplicates(con)
    rows = con.execute("SELECT n.post_id, nt.cluster FROM norm_texts n "
                       "JOIN near_texts nt USING (norm)").fetchall()
    return dict(rows)


def test_one_word_edits_and_emoji_are_one_family(con):
    texts = [ENGLISH,
             ENGLISH.replace("winter", "spring"),
             ENGLISH.replace("council", "mayor") + " 🔥",
             "RT-free copy: " + ENGLISH,
             "i cooked pasta with garlic and olive oil for my family tonight it was great"]
    clusters = _clusters(con, texts)
    assert clusters.get("0") is not None
    assert clusters["0"] == clusters["1"] == clusters["2"] == clusters["3"]
    assert "4" not in clusters  # unrelated text is not paired


def test_thai_family_without_spaces(con):
    texts = [THAI, THAI.replace("ครั้งหน้า", "ปีหน้า"), THAI[:-3] + "นี้",
             "วันนี้อากาศดีมากเราไปเที่ยวทะเลกันที่ชายหาดพัทยาด้วยกัน"]
    clusters = _clusters(con, texts)
    assert clusters["0"] == clusters["1"] == clusters["2"]
    assert "3" not in clusters


def test_empty_emoji_only_and_very_long_texts(con):
    long_text = " ".join(f"word{i}" for i in range(5_000))
    texts = ["", "🔥🔥🔥", "👍", long_text, long_text.replace("word4999", "final"), None]
    clusters = _clusters(con, texts)
    assert clusters.get("3") is not None and clusters["3"] == clusters.get("4")
    assert not {"0", "1", "2", "5"} & set(clusters)


def test_near_duplicates_become_co_action_keys(con):
    insert(con, [post("a", "x", 0, text=ENGLISH),
                 post("b", "y", 40, text=ENGLISH.replace("winter", "autumn")),
                 post("c", "z", 4_000, text=ENGLISH.replace("bridge", "tunnel"))])
    built = build_coactions(Scratch(con), TRACES["co-text-near"], 300)
    pairs = con.execute(f"SELECT account_a, account_b FROM ({named_coactions(built)})").fetchall()
    assert pairs == [("x", "y")]  # z posted the family's text outside the window


def test_minhash_estimates_jaccard_and_lsh_finds_similar_pairs():
    rng = np.random.default_rng(0)
    base = [f"w{i}" for i in rng.integers(0, 10_000, size=30)]
    texts = [" ".join(base)]
    for k in range(1, 12):  # progressively more edits
        words = list(base)
        for j in range(k):
            words[j * 2] = f"edit{k}_{j}"
        texts.append(" ".join(words))
    normalised = [normalize_text(t) for t in texts]
    sets = shingle_sets(normalised)
    tids = np.repeat(np.arange(len(sets)), [len(s) for s in sets])
    hashes = np.array([h for s in sets for h in sorted(s)], dtype=np.uint64)
    signatures = minhash(tids, hashes, len(sets))
    candidates = {tuple(p) for p in lsh_candidates(signatures, np.ones(len(sets), bool))}
    for other in range(1, len(sets)):
        truth = len(sets[0] & sets[other]) / len(sets[0] | sets[other])
        estimate = float(np.mean(signatures[0] == signatures[other]))
        assert abs(estimate - truth) < 0.2
        if truth >= 0.7:
            assert (0, other) in candidates


def test_star_clusters_do_not_chain():
    # 0-1 similar, 1-2 similar, 0-2 not: a chain; the star keeps 2 out of 0's cluster
    leader = star_clusters(4, np.array([[0, 1], [1, 2]]))
    assert leader[1] == 1 and leader[0] == 1 and leader[2] == 1  # 1 is the hub
    leader = star_clusters(5, np.array([[0, 1], [1, 2], [2, 3], [3, 4]]))
    assert len({leader[0], leader[4]}) == 2
    assert leader.min() >= 0


def test_verified_jaccard_threshold_decides(con):
    # one base text and two edits of it: two words changed (Jaccard above THRESHOLD) and
    # four words changed (below): only the first becomes the base's near-duplicate
    base = [f"word{i}" for i in range(24)]
    close, far = list(base), list(base)
    for j in (3, 15):
        close[j] = f"other{j}"
    for j in (6, 10, 14, 18):
        far[j] = f"other{j}"
    texts = [" ".join(t) for t in (base, close, far)]
    sets = shingle_sets([normalize_text(t) for t in texts])
    jaccard = [len(sets[0] & s) / len(sets[0] | s) for s in sets[1:]]
    assert jaccard[0] >= THRESHOLD > jaccard[1]
    clusters = _clusters(con, texts)  # post id -> family
    assert clusters["0"] == clusters["1"]
    assert "2" not in clusters


def test_lsh_candidates_are_the_bucket_pairs_by_definition():
    # texts in small and in large (> MAX_BUCKET) buckets, some not eligible
    from collections import defaultdict

    from sockscope.keys import neardup as nd

    rng = np.random.default_rng(1)
    n = 6_000
    signatures = rng.integers(0, 2**32, size=(n, nd.NUM_PERM), dtype=np.uint64).astype(np.uint32)
    groups = np.where(rng.random(n) < 0.5, rng.integers(0, 40, size=n),
                      rng.integers(100, 1_600, size=n))
    signatures[:, :32] = signatures[groups, :32]  # the first 8 bands shared within groups
    eligible = rng.random(n) < 0.9
    assert np.bincount(groups).max() > nd.MAX_BUCKET  # large buckets are exercised
    expected = set()
    for band in range(nd.BANDS):
        buckets = defaultdict(list)
        for text in np.flatnonzero(eligible):
            buckets[signatures[text, band * nd.ROWS:(band + 1) * nd.ROWS].tobytes()].append(text)
        for texts in buckets.values():
            if len(texts) <= nd.MAX_BUCKET:
                expected |= {(a, b) for i, a in enumerate(texts) for b in texts[i + 1:]}
            else:  # a chain through a large bucket, in text order
                expected |= set(zip(texts[:-1], texts[1:], strict=True))
    found = nd.lsh_candidates(signatures, eligible)
    assert {tuple(p) for p in found.tolist()} == expected
    assert found.tolist() == sorted(found.tolist())


def test_handles_named_in_plain_words_are_mentions(con):
    """Two patrollers revert the same account days apart with the wiki's summary: the
    texts differ only by whom they name, so they are one template, not a copied text."""
    insert(con, [post("a", "patrol1", 0, text="Reverted edits by Kashasu_Fiul (talk) to "
                                              "last version by goodeditor99"),
                 post("b", "patrol2", 200_000, text="Reverted edits by Kashasu_Fiul (talk) "
                                                    "to last version by otherwriter12"),
                 post("c", "patrol2", 300_000, text="kashasu_fiulx is not a handle here")])
    con.execute("""INSERT INTO accounts (platform, account_id, handle, has_profile)
                   VALUES ('x', 's1', 'Kashasu_Fiul', true), ('x', 'g1', 'goodeditor99', true),
                          ('x', 'g2', 'otherwriter12', true)""")
    prepare_normalised_texts(con)
    norms = dict(con.execute("SELECT post_id, norm FROM norm_texts").fetchall())
    assert norms["a"] == norms["b"] == "reverted edits by (talk) to last version by"
    assert norms["c"] == "kashasu_fiulx is not a handle here"
