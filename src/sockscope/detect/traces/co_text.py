"""co-text: accounts posting the same text after normalisation (case, white space,
URLs and mentions removed, NFKC; handles of accounts in the data named without an @
count as mentions, see ``keys.named_accounts``). Texts shorter than ``MIN_CHARS`` normalised
characters or ``MIN_WORDS`` words carry too little information and do not count;
longer stock phrases are left to the popularity weighting and the null model."""

from __future__ import annotations

from sockscope.detect.traces.base import Trace
from sockscope.keys.normalize_text import normalize_text_array
from sockscope.store.database import arrow_view

MIN_CHARS = 25
MIN_WORDS = 4


NORMALISE_ROWS = 1_000_000  # texts normalised at a time: bounds the Python-side memory


def prepare_normalised_texts(con) -> None:
    """Table ``norm_texts(post_id, platform, norm)`` for every non-repost post, built in
    blocks of ``NORMALISE_ROWS`` texts (read through a second cursor on the database).

    Handles named in plain words are removed like @mentions: a wiki's revert summary
    "Reverted edits by X (talk) to last version by Y" is the software's template plus
    the names of whom it is about. Left in, two patrollers reverting the same account
    days apart post "near-identical texts", and the ones they act on make them look
    like one desk; taken out, the template is one popular text, which the popularity
    weighting discounts."""
    from sockscope.keys.named_accounts import NamedAccounts

    named = NamedAccounts(con.execute(
        "SELECT DISTINCT lower(handle), account_id FROM accounts WHERE handle IS NOT NULL "
        "ORDER BY 1, 2").fetchall())
    con.execute("CREATE OR REPLACE TEMP TABLE norm_texts "
                "(platform VARCHAR, post_id VARCHAR, norm VARCHAR)")
    reader = con.cursor().sql(
        "SELECT platform, post_id, text FROM posts WHERE kind <> 'repost' AND text IS NOT NULL"
    ).to_arrow_reader(NORMALISE_ROWS)
    for batch in reader:
        with arrow_view(con, {"platform": batch.column(0), "post_id": batch.column(1),
                              "norm": named.strip(normalize_text_array(batch.column(2)))}) as block:
            con.execute(f"INSERT INTO norm_texts SELECT * FROM {block}")


def _actions(scratch) -> str:
    scratch.once("norm_texts", prepare_normalised_texts)
    return f"""
        SELECT p.account_id, epoch(p.created_at) AS t, n.norm AS key, p.post_id
        FROM posts p JOIN norm_texts n USING (platform, post_id)
        WHERE length(n.norm) >= {MIN_CHARS}
          AND array_length(string_split(n.norm, ' ')) >= {MIN_WORDS}
    """


TRACE = Trace("co-text", 300, "posted the same text", _actions, "texts")


def text_family_actions(families: str) -> str:
    """Actions keyed by a text family: ``families`` is a table ``(norm, cluster)``
    mapping normalised texts to their cluster (near-duplicates, paraphrases)."""
    return f"""
        SELECT p.account_id, epoch(p.created_at) AS t, f.cluster AS key, p.post_id
        FROM posts p JOIN norm_texts n USING (platform, post_id)
        JOIN {families} f ON f.norm = n.norm
    """
