"""Writing: the same hand in two accounts' own posts, pooled per account.

Each account's own texts (reposts are someone else's words; links, mentions and hashtags
are stripped, since they are targets, counted elsewhere) are pooled into one text and
compared by the cosine of character n-gram TF-IDF profiles (the authorship engine's
hashed 2-5-gram counts, ``sockscope.authorship.ngrams``; sublinear term frequency).
Rare n-grams are kept (any n-gram two texts share): a
writer's pet words and misspellings are what tell on them in short texts (Solorio et al.
2013 on Wikipedia sockpuppets' edit comments). The p-value is the share of random pairs
of accounts with as much text that write at least as alike; below ``MIN_CHARS`` of
text on either side the kind abstains (no answer, not "different"). Pooled short posts
still carry topic: two accounts on one niche write alike for that reason too, which is
why this is one kind of evidence among several.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from sockscope.operators.nulls import stratified_tail, stratum
from sockscope.store.database import arrow_view

MIN_CHARS = 300
MAX_CHARS = 3_000  # the first characters of an account's pooled text
REFERENCE_ACCOUNTS = 500  # random accounts whose every pair is the null (124,750 pairs)
OWN_TEXT = r"""regexp_replace(regexp_replace(coalesce(text, ''),
    '(https?://\S+|[@#][\w.]+)', ' ', 'g'), '\s+', ' ', 'g')"""


def _texts(con: duckdb.DuckDBPyConnection, accounts: list[str]) -> dict[str, str]:
    with arrow_view(con, pa.table({"account_id": pa.array(accounts, pa.string())})) as want:
        rows = con.sql(f"""
            SELECT account_id, left(string_agg({OWN_TEXT}, ' ' ORDER BY created_at, post_id),
                                    {MAX_CHARS})
            FROM posts SEMI JOIN {want} USING (account_id)
            WHERE kind <> 'repost' GROUP BY 1""").fetchall()
    return {a: t.strip() for a, t in rows if t and len(t.strip()) >= MIN_CHARS}


def writing_evidence(con: duckdb.DuckDBPyConnection, pairs: pa.Table, seed: int
                     ) -> dict[str, np.ndarray]:
    """Per pair: the profiles' cosine and its p-value (both NaN when either account
    has too little text)."""
    n = pairs.num_rows
    similarity = np.full(n, np.nan)
    p = np.full(n, np.nan)
    if n == 0:
        return {"similarity": similarity, "p": p}
    # eligible by raw length (cheap); the stripped text is measured again below
    eligible = [a for (a,) in con.execute(f"""
        SELECT account_id FROM posts WHERE kind <> 'repost' GROUP BY 1
        HAVING sum(length(text)) >= {MIN_CHARS} ORDER BY 1""").fetchall()]
    if len(eligible) < 3:
        return {"similarity": similarity, "p": p}
    rng = np.random.default_rng(seed)
    reference = sorted(rng.choice(eligible, size=min(REFERENCE_ACCOUNTS, len(eligible)),
                                  replace=False).tolist())
    texts = _texts(con, sorted(set(pairs["account_a"].to_pylist())
                               | set(pairs["account_b"].to_pylist()) | set(reference)))
    reference = [a for a in reference if a in texts]
    if len(reference) < 3:
        return {"similarity": similarity, "p": p}
    names = sorted(texts)
    row = {a: i for i, a in enumerate(names)}
    vectors = _profiles([texts[a] for a in names])
    size = np.array([len(texts[a]) for a in names])
    # the null: every pair of reference accounts, from one sparse Gram matrix
    ref_rows = np.array([row[a] for a in reference])
    gram = (vectors[ref_rows] @ vectors[ref_rows].T).toarray()
    i, j = np.triu_indices(len(ref_rows), k=1)
    null = gram[i, j]
    i, j = ref_rows[i], ref_rows[j]
    known = [k for k, (a, b) in enumerate(zip(pairs["account_a"].to_pylist(),
                                                pairs["account_b"].to_pylist(), strict=True))
             if a in row and b in row]
    if known:
        a = np.array([row[pairs["account_a"][k].as_py()] for k in known])
        b = np.array([row[pairs["account_b"][k].as_py()] for k in known])
        similarity[known] = _cosines(vectors, a, b)
        p[known] = stratified_tail(null, stratum(np.minimum(size[i], size[j])),
                                   similarity[known], stratum(np.minimum(size[a], size[b])))
    return {"similarity": similarity, "p": p}


def _profiles(texts: list[str]):
    """L2-normalised TF-IDF rows (sublinear term frequency) of the texts' hashed
    character n-gram counts, keeping every n-gram at least two texts share; computed on
    the sparse entries directly."""
    import scipy.sparse as sp

    from sockscope.authorship.ngrams import counts_of

    counts = counts_of(texts)
    documents = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1 + len(texts)) / (1 + documents)) + 1
    rows = np.repeat(np.arange(len(texts)), np.diff(counts.indptr))
    data = np.where(documents[counts.indices] >= 2,
                    (1 + np.log(counts.data)) * idf[counts.indices], 0.0)
    norms = np.sqrt(np.bincount(rows, weights=data ** 2, minlength=len(texts)))
    data = (data / np.maximum(norms[rows], 1e-12)).astype(np.float32)
    weighted = sp.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape)
    weighted.eliminate_zeros()
    return weighted


def _cosines(vectors, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise dot products of L2-normalised sparse rows ``a`` and ``b``."""
    return np.asarray(vectors[a].multiply(vectors[b]).sum(axis=1)).ravel()
