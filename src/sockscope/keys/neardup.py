"""Near-duplicate texts at scale: shingles, MinHash, LSH banding, verified Jaccard.

Copy-paste campaigns rarely paste exactly: a word changes, an emoji is added. Texts
are normalised as for exact co-text, then cut into shingles that work in every
script: word bigrams where words are separated by spaces, character 4-grams where
they are not (Thai, Chinese, Japanese). Each distinct text gets a MinHash signature
(64 multiply-shift hash functions over DuckDB's 64-bit shingle hashes, vectorised in
NumPy); LSH banding (16 bands of 4 rows) proposes candidate pairs without comparing
all pairs, and every candidate is verified with the exact Jaccard similarity of the
shingle sets. Verified pairs form star clusters: texts are taken in order of how many
near-duplicates they have (ties by text), an unassigned text becomes a leader and
takes its unassigned near-duplicates, so every member is itself similar to its
cluster's leader and families cannot chain into one another through intermediate
texts (as connected components would). A cluster becomes one key of the
``co-text-near`` trace, so popularity weighting, significance, groups and evidence
work as for any other key.

With 16 bands of 4 rows a pair with Jaccard 0.7 becomes a candidate with probability
1 - (1 - 0.7^4)^16 = 0.988; at 0.5 with 0.65, so few similar pairs are missed.
Buckets larger than ``MAX_BUCKET`` (the same text posted thousands of times, stock
phrases) are linked as a chain in signature order rather than all pairs: a bucket's
texts are near-identical by construction, so a chain keeps them in one cluster at
linear cost.
"""

from __future__ import annotations

import duckdb
import igraph as ig
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sockscope.keys.arrays import members_of, prefix_steps, repeated
from sockscope.keys.threads import cores, map_threads
from sockscope.store.database import arrow_view, table_from_arrow

NUM_PERM = 64
BANDS = 16
ROWS = NUM_PERM // BANDS
THRESHOLD = 0.6  # verified Jaccard for two texts to count as near-duplicates
MIN_CHARS = 25
MIN_SHINGLES = 4
MAX_BUCKET = 64
CHUNK_ROWS = 4_000_000  # shingle rows turned into signatures at a time

HASH_FAMILY_SEED = 20241129  # fixed: the hash family is part of the method
_rng = np.random.default_rng(HASH_FAMILY_SEED)
SEEDS = _rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
MULTIPLIERS = _rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
BAND_MIX = _rng.integers(0, 2**63, size=ROWS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)

# shingles come from the first SHINGLE_CHARS characters of a text: a post is at most a few
# thousand characters, and a 5 MB "text" without spaces must not cost millions of shingles
SHINGLE_CHARS = 4_000

SHINGLES_SQL = f"""
    WITH w AS (SELECT tid, norm, string_split(norm, ' ') AS words
               FROM (SELECT tid, left(norm, {SHINGLE_CHARS}) AS norm FROM nd_texts)),
    s AS (
        SELECT tid,
               CASE WHEN len(words) >= 3 AND length(norm) / len(words) <= 15
                    THEN list_transform(range(1, len(words)),
                                        lambda i: words[i] || ' ' || words[i + 1])
                    ELSE list_transform(range(1, length(norm) - 2),
                                        lambda i: substring(norm, i, 4)) END AS sh
        FROM w
    )
    SELECT DISTINCT tid, hash(unnest(sh)) AS h FROM s
"""


def shingle_sets(texts: list[str]) -> list[set[int]]:
    """Shingle hashes of already-normalised texts (the same rule as in SQL); for tests
    and for measuring true Jaccard in benchmarks."""
    con = duckdb.connect()
    table_from_arrow(con, "nd_texts", {"tid": list(range(len(texts))), "norm": texts})
    rows = con.execute(SHINGLES_SQL).fetchall()
    sets: list[set[int]] = [set() for _ in texts]
    for tid, h in rows:
        sets[tid].add(int(h))
    return sets


def minhash(tids: np.ndarray, hashes: np.ndarray, n_texts: int) -> np.ndarray:
    """Signatures (n_texts x NUM_PERM, uint32) from (text id, shingle hash) rows sorted by
    id. Multiply-shift hashing: the high 32 bits of (h xor seed) * odd multiplier. The
    hash functions run in threads, one block per core."""
    signatures = np.full((n_texts, NUM_PERM), np.iinfo(np.uint32).max, dtype=np.uint32,
                         order="F")
    if len(tids) == 0:
        return signatures
    starts = np.flatnonzero(np.concatenate([[True], tids[1:] != tids[:-1]]))
    owners = tids[starts]

    def functions(block: range) -> None:
        values = np.empty_like(hashes)  # one buffer, computed in place
        with np.errstate(over="ignore"):
            for i in block:
                np.bitwise_xor(hashes, SEEDS[i], out=values)
                np.multiply(values, MULTIPLIERS[i], out=values)
                np.right_shift(values, np.uint64(32), out=values)
                signatures[owners, i] = np.minimum.reduceat(values, starts)

    step = -(-NUM_PERM // cores())
    map_threads(functions, [range(b, min(b + step, NUM_PERM)) for b in range(0, NUM_PERM, step)])
    return signatures


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """Each text's bucket key in every band (n_texts x BANDS, uint64, column order): the
    band's ROWS signature values mixed into one number. Half the memory of the
    signatures, and all that LSH needs of them."""
    keys = np.zeros((len(signatures), BANDS), dtype=np.uint64, order="F")
    with np.errstate(over="ignore"):
        for band in range(BANDS):
            for r in range(ROWS):
                keys[:, band] = (keys[:, band] ^ signatures[:, band * ROWS + r]
                                 .astype(np.uint64)) * BAND_MIX[r]
    return keys


def lsh_candidates(signatures: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Candidate pairs (k x 2, a < b, sorted) of texts sharing at least one band."""
    return lsh_candidates_from_keys(band_keys(signatures), eligible)


def lsh_candidates_from_keys(keys: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """``lsh_candidates`` from the texts' band keys (``band_keys``)."""
    index = np.flatnonzero(eligible)
    if len(index) < 2:
        return np.empty((0, 2), dtype=np.int64)
    found = np.concatenate(
        map_threads(lambda band: _band_pairs(keys[:, band], index), range(BANDS)))
    # a pair found in several bands once: a hash pass, then a sort of the distinct pairs
    # (np.unique would sort every copy)
    found = np.sort(pc.unique(pa.array(found)).to_numpy())
    n = np.int64(len(keys))
    return np.stack([found // n, found % n], axis=1)


def _band_pairs(band: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Pairs of texts in one band's buckets, each as a * n_texts + b (a < b): all pairs
    in a bucket of at most MAX_BUCKET texts, a chain in larger ones."""
    keys = band if len(index) == len(band) else band[index]
    # most texts are alone in their bucket: find the shared bucket keys with a sort of
    # the keys' values (far cheaper than an argsort), then order only the texts in shared
    # buckets; index is ascending, so a bucket's texts stay in its order (stable sort)
    in_shared = members_of(keys, repeated(np.sort(keys)))
    order = in_shared[np.argsort(keys[in_shared], kind="stable")]
    members, sorted_keys = index[order], keys[order]
    starts = np.flatnonzero(np.concatenate([[True], sorted_keys[1:] != sorted_keys[:-1]]))
    bucket_sizes = np.diff(np.append(starts, len(order)))
    bucket = np.repeat(np.arange(len(bucket_sizes)), bucket_sizes)
    size_of = bucket_sizes[bucket]
    n = np.int64(len(band))
    pairs: list[np.ndarray] = []
    # near-identical texts posted many times: a chain keeps a large bucket together
    chain = (size_of[:-1] > MAX_BUCKET) & (bucket[1:] == bucket[:-1])
    pairs.append(members[:-1][chain] * n + members[1:][chain])
    # all pairs in small buckets: the text at rank k pairs with ranks k + 1 .. size - 1;
    # positions ordered by how many later texts they have, so each step is a prefix
    later = np.where(size_of <= MAX_BUCKET, size_of - 1 - _ranks(bucket_sizes), 0)
    for step, firsts in prefix_steps(later, MAX_BUCKET - 1):
        a, b = members[firsts], members[firsts + step]
        pairs.append(np.minimum(a, b) * n + np.maximum(a, b))
    return np.concatenate(pairs)


def _ranks(sizes: np.ndarray) -> np.ndarray:
    """0, 1, .., size - 1 for each size, concatenated."""
    ends = np.cumsum(sizes)
    return np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - sizes, sizes)


def prepare_near_duplicates(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Create ``near_texts(norm, cluster)`` for texts with a near-duplicate.

    Needs ``norm_texts`` (see ``traces.co_text``). Returns counts for the manifest.
    """
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE nd_texts AS
            SELECT (row_number() OVER (ORDER BY norm) - 1)::BIGINT AS tid, norm
            FROM (SELECT DISTINCT norm FROM norm_texts WHERE length(norm) >= {MIN_CHARS})"""
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE nd_shingles AS {SHINGLES_SQL}")
    n_texts = con.execute("SELECT count(*) FROM nd_texts").fetchall()[0][0]
    sizes = np.zeros(n_texts, dtype=np.int64)
    keys = np.zeros((n_texts, BANDS), dtype=np.uint64, order="F")
    for tids, hashes in _shingles_by_text(con):
        first = int(tids[0])
        count = int(tids[-1]) - first + 1
        keys[first:first + count] = band_keys(minhash(tids - first, hashes, count))
        sizes[first:first + count] = np.bincount(tids - first, minlength=count)
    candidates = lsh_candidates_from_keys(keys, sizes >= MIN_SHINGLES)
    del keys
    verified = _verify(con, candidates)
    con.execute("CREATE OR REPLACE TEMP TABLE near_texts (norm VARCHAR, cluster VARCHAR)")
    if len(verified):
        leader = star_clusters(n_texts, verified)
        in_cluster = np.flatnonzero(leader >= 0)
        with arrow_view(con, {"tid": in_cluster, "rep": leader[in_cluster]}) as clusters:
            con.execute(
                f"""INSERT INTO near_texts
                    SELECT t.norm, r.norm FROM {clusters} c
                    JOIN nd_texts t ON t.tid = c.tid JOIN nd_texts r ON r.tid = c.rep"""
            )
    clusters = con.execute("SELECT count(DISTINCT cluster), count(*) FROM near_texts"
                           ).fetchall()[0]
    return {"texts": int(n_texts), "candidates": int(len(candidates)),
            "verified": int(len(verified)), "clusters": int(clusters[0]),
            "clustered_texts": int(clusters[1])}


def _shingles_by_text(con: duckdb.DuckDBPyConnection):
    """``nd_shingles`` in one pass ordered by text, as (text ids, hashes) blocks of about
    CHUNK_ROWS rows that never split a text."""
    reader = con.sql("SELECT tid, h FROM nd_shingles ORDER BY tid").to_arrow_reader(
        CHUNK_ROWS)
    held_tids = np.empty(0, dtype=np.int64)
    held_hashes = np.empty(0, dtype=np.uint64)
    for batch in reader:
        tids = np.concatenate([held_tids, batch.column(0).to_numpy().astype(np.int64)])
        hashes = np.concatenate([held_hashes, batch.column(1).to_numpy().astype(np.uint64)])
        # the last text may go on in the next batch: hold it back
        cut = int(np.searchsorted(tids, tids[-1], side="left")) if len(tids) else 0
        if cut > 0:
            yield tids[:cut], hashes[:cut]
        held_tids, held_hashes = tids[cut:], hashes[cut:]
    if len(held_tids):
        yield held_tids, held_hashes


def star_clusters(n_texts: int, pairs: np.ndarray) -> np.ndarray:
    """Leader of each text's cluster (-1 when the text has no near-duplicate)."""
    graph = ig.Graph(n=n_texts, edges=pairs.tolist())
    degree = np.asarray(graph.degree())
    leader = np.full(n_texts, -1, dtype=np.int64)
    for text in np.lexsort((np.arange(n_texts), -degree)):
        if degree[text] == 0:
            break
        if leader[text] >= 0:
            continue
        free = [n for n in graph.neighbors(text) if leader[n] < 0]
        if not free:
            continue
        leader[text] = text
        leader[free] = text
    return leader


def _verify(con: duckdb.DuckDBPyConnection, candidates: np.ndarray) -> np.ndarray:
    """Keep candidate pairs whose exact shingle Jaccard is at least THRESHOLD."""
    if len(candidates) == 0:
        return candidates
    with arrow_view(con, {"a": candidates[:, 0], "b": candidates[:, 1]}) as pairs:
        rows = con.execute(
            f"""
        WITH sizes AS (SELECT tid, count(*) AS n FROM nd_shingles GROUP BY tid),
        common AS (
            SELECT p.a, p.b, count(*) AS shared
            FROM {pairs} p
            JOIN nd_shingles x ON x.tid = p.a
            JOIN nd_shingles y ON y.tid = p.b AND y.h = x.h
            GROUP BY p.a, p.b
        )
        SELECT c.a, c.b FROM common c
        JOIN sizes sa ON sa.tid = c.a JOIN sizes sb ON sb.tid = c.b
        WHERE c.shared / (sa.n + sb.n - c.shared) >= {THRESHOLD}
        ORDER BY c.a, c.b
        """
        ).fetchnumpy()
    return np.stack([rows["a"].astype(np.int64), rows["b"].astype(np.int64)], axis=1)


def near_duplicate_families(texts: list[str | None]) -> list[int]:
    """A family number per text: texts that are equal after normalisation, or near
    duplicates of one another (verified shingle Jaccard), share one; a text with no
    twin gets its own. Empty texts get -1. Used for profile bios."""
    from sockscope.keys.normalize_text import normalize_text_array

    con = duckdb.connect()
    norms = normalize_text_array(pa.array(texts, pa.string())).to_pylist()
    table_from_arrow(con, "norm_texts", {"norm": pa.array(norms, pa.string())})
    prepare_near_duplicates(con)
    cluster_of = dict(con.execute("SELECT norm, cluster FROM near_texts").fetchall())
    con.close()
    numbers: dict[str, int] = {}
    families = []
    for norm in norms:
        if not norm:
            families.append(-1)
            continue
        families.append(numbers.setdefault(cluster_of.get(norm, norm), len(numbers)))
    return families
