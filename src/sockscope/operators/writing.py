"""Writing: the same hand in two accounts' own posts, pooled per account.

Each account's own texts are pooled, the first ``MAX_POSTS`` of them, and profiled
twice. Own means: not reposts (someone else's words), with links, mentions, handles
named and hashtags stripped (they are targets, counted elsewhere; the text is the
co-text normalisation, ``detect.traces.co_text``), and not boilerplate: a text that,
digits aside, ``TEMPLATE_ACCOUNTS`` accounts or more post is a platform's or a tool's
("Undid revision N by X (talk)", "Just posted a photo") or a campaign's, not anyone's
hand. Profiles:

- **words**: TF-IDF of the words (sublinear term frequency, words at least two accounts
  use, hashed into ``WORD_BUCKETS``). One person keeps their pet words under every name:
  Solorio et al. (2013) link Wikipedia sockpuppets by the words and misspellings of
  their edit comments, and Kumar et al. (2017, "An army of me") find the sockpuppets of
  one master write alike. Word counts are made in SQL, so every account with enough
  text is profiled at the cost of one pass over the posts;
- **characters**: the authorship engine's hashed 2-5-gram counts
  (``sockscope.authorship.ngrams``), for pairs only: they cover scripts written without
  spaces, where a "word" is a whole phrase.

The kind's p-value is twice the smaller of the two (the words' alone for pairs beyond
the ``WRITING_PAIRS`` strongest, ``analyse.py``). Each is the share of random pairs of
reference accounts (not members of coordinated groups, whose copied texts would make
the null a campaign's) with as much text that write at least as alike. Beyond the top
``TAIL_SHARE`` of that null the tail is extrapolated as an exponential fitted to the
exceedances (Knijnenburg et al. 2009 fit a generalised Pareto tail to permutation
nulls; the exponential is its shape-0 case, and heavier than the bounded tails such
similarity nulls fit, so it errs towards larger p-values), since an empirical null of
124,750 pairs cannot say how rare a pair is beyond 1 in 124,750. Below ``MIN_CHARS`` of
text on either side the kind abstains (no answer, not "different").

**Style neighbours.** An account's signature is its ``SIGNATURE_WORDS`` heaviest words.
Two accounts sharing ``MIN_SIGNATURE_SHARED`` of them are candidates even if they share
no target, name or mark: an operator rotating personas on different pages still writes
with one vocabulary. A word that is the signature of more than ``SIGNATURE_CAP``
accounts is a topic, not a hand, and proposes nobody; so the pairs stay near-linear in
the accounts. Pooled short posts still carry topic: two accounts on one niche write
alike for that reason too, which is why writing only counts beside another kind of
evidence (``analyse.py``).
"""

from __future__ import annotations

import hashlib
import heapq

import duckdb
import numpy as np
import pyarrow as pa

from sockscope.operators.nulls import stratified_tail, stratum
from sockscope.store.database import arrow_view

MIN_CHARS = 300
MAX_POSTS = 60  # an account's first own posts, pooled
REFERENCE_ACCOUNTS = 500  # random accounts whose every pair is the null (124,750 pairs)
WORD_BUCKETS = 1 << 20
SIGNATURE_WORDS = 8
SIGNATURE_CAP = 200
MIN_SIGNATURE_SHARED = 3
WORD = r"[\pL\pN_]{2,}"
TEMPLATE_ACCOUNTS = 5  # a text (digits aside) this many accounts post is boilerplate


def reference_sample(accounts: list[str], seed: int, size: int) -> list[str]:
    """``size`` of ``accounts`` drawn at random: those whose seeded hash is smallest
    (bottom-k sampling). Each account's draw is its own, so one account more or less in
    the coordinated groups changes at most one account of the sample, where a draw over
    the list shifts the whole sample (and the null's tail with it)."""
    key = seed.to_bytes(8, "little", signed=True)
    return sorted(heapq.nsmallest(size, accounts, key=lambda a: (
        hashlib.blake2b(a.encode(), digest_size=8, key=key).digest(), a)))


class Writing:
    """Word profiles of every account with ``MIN_CHARS`` of own text, the reference
    accounts of the null, and the comparisons."""

    def __init__(self, con: duckdb.DuckDBPyConnection, texts: str, seed: int,
                 coordinated: set[str]) -> None:
        import scipy.sparse as sp

        self.con = con
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE op_own AS
            WITH own AS (
                SELECT p.account_id, p.created_at, p.post_id,
                       trim(regexp_replace(n.norm, '#[\\pL\\pN_.]+', ' ', 'g')) AS t,
                       regexp_replace(n.norm, '[0-9]+', '', 'g') AS template
                FROM posts p JOIN {texts} n USING (platform, post_id)),
            boilerplate AS (SELECT template FROM own GROUP BY 1
                            HAVING count(DISTINCT account_id) >= {TEMPLATE_ACCOUNTS}),
            firsts AS (
                SELECT account_id, created_at, post_id, t
                FROM own ANTI JOIN boilerplate USING (template)
                WHERE t <> ''
                QUALIFY row_number() OVER (PARTITION BY account_id
                                           ORDER BY created_at, post_id) <= {MAX_POSTS}),
            pooled AS (SELECT account_id, string_agg(t, ' ' ORDER BY created_at, post_id) AS t
                       FROM firsts GROUP BY 1)
            SELECT row_number() OVER (ORDER BY account_id) - 1 AS row, account_id, t,
                   length(t) AS size
            FROM pooled WHERE length(t) >= {MIN_CHARS}""")
        own = con.execute("SELECT account_id, size FROM op_own ORDER BY row").fetchnumpy()
        self.accounts = own["account_id"].tolist()
        self.row = {a: i for i, a in enumerate(self.accounts)}
        self.size = own["size"]
        counts = con.execute(f"""
            SELECT row, hash(w) % {WORD_BUCKETS} AS h, count(*) AS n
            FROM (SELECT row, unnest(regexp_extract_all(t, '{WORD}')) AS w FROM op_own)
            GROUP BY ALL ORDER BY row, h""").fetchnumpy()
        self.words = _tfidf(sp.csr_matrix(
            (counts["n"].astype(np.float64),
             (counts["row"].astype(np.int64), counts["h"].astype(np.int64))),
            shape=(len(self.accounts), WORD_BUCKETS)))
        self.reference = reference_sample(
            [a for a in self.accounts if a not in coordinated], seed, REFERENCE_ACCOUNTS)

    def neighbours(self) -> set[tuple[str, str]]:
        """Pairs of accounts sharing ``MIN_SIGNATURE_SHARED`` signature words."""
        matrix = self.words
        if matrix.nnz == 0:
            return set()
        rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        order = np.lexsort((matrix.indices, -matrix.data, rows))  # heaviest first per row
        rank = np.arange(len(order)) - matrix.indptr[rows[order]]
        chosen = order[rank < SIGNATURE_WORDS]
        table = pa.table({"a": pa.array(rows[chosen], pa.int64()),
                          "h": pa.array(matrix.indices[chosen], pa.int64())})
        with arrow_view(self.con, table) as signature:
            found = self.con.execute(f"""
                WITH s AS (SELECT * FROM {signature} WHERE h IN (
                    SELECT h FROM {signature} GROUP BY h
                    HAVING count(*) BETWEEN 2 AND {SIGNATURE_CAP}))
                SELECT x.a, y.a FROM s x JOIN s y ON x.h = y.h AND x.a < y.a
                GROUP BY 1, 2 HAVING count(*) >= {MIN_SIGNATURE_SHARED}
                ORDER BY 1, 2""").fetchall()
        return {(self.accounts[a], self.accounts[b]) for a, b in found}

    def evidence(self, pairs: pa.Table, characters: np.ndarray) -> dict[str, np.ndarray]:
        """Per pair: the word profiles' cosine and the kind's p-value (both NaN when
        either account has too little text). Character profiles are compared too for
        the pairs marked in ``characters`` (their cost is in Python, per account)."""
        n = pairs.num_rows
        similarity, p = np.full(n, np.nan), np.full(n, np.nan)
        names_a, names_b = pairs["account_a"].to_pylist(), pairs["account_b"].to_pylist()
        known = np.array([k for k, (a, b) in enumerate(zip(names_a, names_b, strict=True))
                          if a in self.row and b in self.row], dtype=np.int64)
        if not len(known) or len(self.reference) < 3:
            return {"similarity": similarity, "p": p}
        a = np.array([self.row[names_a[k]] for k in known])
        b = np.array([self.row[names_b[k]] for k in known])
        ref = np.array([self.row[r] for r in self.reference])
        i, j = np.triu_indices(len(ref), k=1)
        null_strata = stratum(np.minimum(self.size[ref[i]], self.size[ref[j]]))
        strata = stratum(np.minimum(self.size[a], self.size[b]))
        similarity[known] = _cosines(self.words, a, b)
        p[known] = stratified_tail(_gram(self.words, ref)[i, j], null_strata,
                                   similarity[known], strata, extrapolate=True)
        both = characters[known]
        if both.any():  # characters: profiles of those pairs' accounts and the reference
            a, b, strata = a[both], b[both], strata[both]
            involved = np.unique(np.concatenate([a, b, ref]))
            local = np.full(len(self.accounts), -1)
            local[involved] = np.arange(len(involved))
            chars = _char_profiles(self._texts(involved))
            by_chars = stratified_tail(_gram(chars, local[ref])[i, j], null_strata,
                                       _cosines(chars, local[a], local[b]), strata,
                                       extrapolate=True)
            rows = known[both]
            p[rows] = np.minimum(1.0, 2 * np.minimum(p[rows], by_chars))
        return {"similarity": similarity, "p": p}

    def _texts(self, rows: np.ndarray) -> list[str]:
        with arrow_view(self.con, pa.table({"row": pa.array(rows, pa.int64())})) as want:
            return [t for (t,) in self.con.execute(
                f"SELECT t FROM op_own SEMI JOIN {want} USING (row) ORDER BY row").fetchall()]


def _char_profiles(texts: list[str]):
    """The texts' hashed character n-gram profiles (``_tfidf``)."""
    from sockscope.authorship.ngrams import counts_of

    return _tfidf(counts_of(texts))


def _tfidf(counts):
    """L2-normalised TF-IDF rows (sublinear term frequency) of a sparse count matrix,
    keeping every column at least two rows share; computed on the sparse entries
    directly."""
    import scipy.sparse as sp

    n = counts.shape[0]
    documents = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1 + n) / (1 + documents)) + 1
    rows = np.repeat(np.arange(n), np.diff(counts.indptr))
    data = np.where(documents[counts.indices] >= 2,
                    (1 + np.log(counts.data)) * idf[counts.indices], 0.0)
    norms = np.sqrt(np.bincount(rows, weights=data ** 2, minlength=n))
    data = (data / np.maximum(norms[rows], 1e-12)).astype(np.float32)
    weighted = sp.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape)
    weighted.eliminate_zeros()
    return weighted


def _gram(vectors, rows: np.ndarray) -> np.ndarray:
    return (vectors[rows] @ vectors[rows].T).toarray()


def _cosines(vectors, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise dot products of L2-normalised sparse rows ``a`` and ``b``."""
    return np.asarray(vectors[a].multiply(vectors[b]).sum(axis=1)).ravel()
