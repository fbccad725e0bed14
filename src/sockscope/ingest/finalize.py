"""Validation, de-duplication and insertion shared by every reader.

A reader produces a candidate relation with the canonical columns, ``_ord`` (its
position) and optionally ``_skip`` / ``_skip_field`` for rows it already knows are
not data (e.g. a malformed JSON line). Here every row gets at most one skip reason,
the reasons are counted with their first positions, and the rest is inserted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from sockscope.errors import SockscopeError
from sockscope.ingest.sql import PROFILE_FIELDS
from sockscope.ingest.staging import EXAMPLES_KEPT, Skip, Staged
from sockscope.store.schema import ACCOUNTS_COLUMNS, ARTICLES_COLUMNS, POSTS_COLUMNS


@dataclass
class Candidates:
    """What a reader hands over: a relation of canonical rows and how to check them."""

    target: str  # posts | accounts | articles
    relation: str  # temp table or view
    fields: dict[str, str]  # canonical column -> source field, for messages
    accounts: str | None = None  # optional relation of account rows seen in the posts
    time_column: str | None = None  # canonical time column checked for parse failures
    raw_time: str = "_raw_time"  # column with the unparsed time text
    # the staged row a candidate came from, for locating it (several candidates may
    # share one: the tweets of one API page); ``_ord`` is each candidate's own number
    position: str = "_ord"
    notes: list[str] = field(default_factory=list)  # for the user, about the whole file


@dataclass
class FileReport:
    display: str
    member: str | None
    sha256: str
    format: str
    target: str
    rows_read: int
    rows_kept: int
    unit: str
    skips: list[Skip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rows_skipped(self) -> int:
        return sum(skip.count for skip in self.skips)


_KEYS = {"posts": ["platform", "post_id"], "accounts": ["platform", "account_id"],
         "articles": ["article_id"]}
_REQUIRED = {"posts": ["post_id", "account_id", "created_at"], "accounts": ["account_id"],
             "articles": ["byline", "text"]}
_COLUMNS = {"posts": POSTS_COLUMNS, "accounts": ACCOUNTS_COLUMNS, "articles": ARTICLES_COLUMNS}
_DUPLICATE = {"posts": "duplicate post id", "accounts": "duplicate account id",
              "articles": "duplicate article id"}


EARLIEST, LATEST = "1990-01-01", "2100-01-01"  # times a post may carry
# an article may be older than social media (archives of columns), not older than print
EARLIEST_ARTICLE = "1800-01-01"


def set_time_range(con: duckdb.DuckDBPyConnection, time_range: str | None) -> None:
    """The times a post may carry, ``FROM:TO`` (dates or years; TO excluded), for the
    checks of this ingest; 1990-01-01:2100-01-01 by default. Articles keep 1800 as their
    earliest (archives of columns), with the same end."""
    earliest, latest = EARLIEST, LATEST
    if time_range is not None:
        parts = time_range.split(":")
        try:
            if len(parts) != 2:
                raise ValueError
            earliest, latest = (datetime.fromisoformat(p if "-" in p else f"{int(p):04d}-01-01")
                                .strftime("%Y-%m-%d") for p in parts)
        except ValueError:
            raise SockscopeError(f"--time-range {time_range!r}: write FROM:TO as dates or "
                                 "years, such as 2015:2025 or 2016-01-01:2017-06-30") from None
        if earliest >= latest:
            raise SockscopeError(f"--time-range {time_range!r}: FROM must come before TO")
    for name, value in (("posts_from", earliest), ("posts_to", latest),
                        ("articles_from", min(earliest, EARLIEST_ARTICLE)),
                        ("articles_to", latest)):
        con.execute(f"SET VARIABLE ss_{name} = TIMESTAMP '{value}'")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def finalize(con: duckdb.DuckDBPyConnection, staged: Staged, candidates: Candidates,
             fmt: str, account_pool: str) -> FileReport:
    """Check candidate rows, insert the good ones, and report what was skipped."""
    target = candidates.target
    checked = f"{staged.table}_checked"
    reason, field = _check_cases(candidates)
    # only what validation needs is materialised: DuckDB prunes the other columns of
    # the candidate relation, so the full parse runs once, during the insert below
    needed = sorted({"_ord", *_KEYS[target], *(["account_id"] if target == "posts" else [])})
    # the raw time of a row whose time cannot be read, to show the user the first one
    raw = (f"CASE WHEN {reason} = 'unparseable time' THEN CAST({candidates.raw_time} "
           "AS VARCHAR) END" if candidates.time_column else "CAST(NULL AS VARCHAR)")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {checked} AS
        SELECT {", ".join(needed)}, {candidates.position} AS _pos, {reason} AS _reason,
               {field} AS _reason_field, {raw} AS _raw_value
        FROM {candidates.relation}
        """
    )
    _mark_duplicates(con, checked, candidates)
    _insert_good(con, checked, candidates, account_pool)
    kept, total = con.execute(
        f"SELECT count(*) FILTER (WHERE _reason IS NULL), count(*) FROM {checked}"
    ).fetchall()[0]
    skips = _skips(con, checked, staged)
    con.execute(f"DROP TABLE {checked}")
    notes = list(candidates.notes)
    for skip in skips:
        if skip.reason == "unparseable time" and skip.example is not None:
            where = f" ({staged.unit} {skip.positions[0]})" if skip.positions else ""
            notes.append(f"{skip.count:,} times in {skip.field!r} could not be read; the "
                         f"first is {skip.example!r}{where}. Pass --time-format with "
                         "strptime codes, or --timezone for times without an offset")
    return FileReport(staged.source.display, staged.source.member, staged.source.sha256, fmt,
                      target, int(total) + staged.rows_rejected(), int(kept), staged.unit, skips,
                      notes)


def _check_cases(candidates: Candidates) -> tuple[str, str]:
    """SQL CASE expressions giving each candidate row's skip reason and the field behind
    it (NULL for a good row): reader-level reasons first, then missing values, then
    missing or unparseable times."""
    target, fields, time_col = candidates.target, candidates.fields, candidates.time_column
    checks = ["WHEN _skip IS NOT NULL THEN _skip"]
    field_of = ["WHEN _skip IS NOT NULL THEN _skip_field"]
    for column in _REQUIRED[target]:
        if column == time_col:
            continue
        checks.append(f"WHEN {column} IS NULL THEN 'missing value'")
        field_of.append(f"WHEN {column} IS NULL THEN {_quote(fields.get(column, column))}")
    if time_col:
        name = _quote(fields.get(time_col, time_col))
        blank = f"{time_col} IS NULL AND ss_nullif_blank({candidates.raw_time}) IS NULL"
        given = f"{time_col} IS NULL AND ss_nullif_blank({candidates.raw_time}) IS NOT NULL"
        if time_col in _REQUIRED[target]:
            checks.append(f"WHEN {blank} THEN 'missing value'")
            field_of.append(f"WHEN {blank} THEN {name}")
        checks.append(f"WHEN {given} THEN 'unparseable time'")
        field_of.append(f"WHEN {given} THEN {name}")
        # a time no collection can hold (year 287,168; infinity) would make every later
        # stage's cost depend on one value: counted, never kept
        if target in ("posts", "articles"):
            # the range is the ingest's (set_time_range): 1990-2100 for posts by default
            earliest, latest = (f"getvariable('ss_{target}_from')",
                                f"getvariable('ss_{target}_to')")
            outside = (f"{time_col} < {earliest} OR {time_col} >= {latest} "
                       f"OR NOT isfinite({time_col})")
            checks.append(f"WHEN {outside} THEN 'time out of range (' || "
                          f"strftime({earliest}, '%Y-%m-%d') || ' to ' || "
                          f"strftime({latest}, '%Y-%m-%d') || ')'")
            field_of.append(f"WHEN {outside} THEN {name}")
    return f"CASE {' '.join(checks)} END", f"CASE {' '.join(field_of)} END"


def _mark_duplicates(con: duckdb.DuckDBPyConnection, checked: str,
                     candidates: Candidates) -> None:
    """Duplicates: keep the first occurrence in the file, and never re-insert a key that
    an earlier file of the run (or an earlier run) already brought."""
    target, fields = candidates.target, candidates.fields
    keys = ", ".join(_KEYS[target])
    if target == "accounts":
        # a profile identical to one already stored brings nothing: a duplicate; a
        # changed profile of a known account is kept (merge_accounts takes the newer)
        fields_same = " AND ".join(f"r.{f} IS NOT DISTINCT FROM e.{f}" for f in PROFILE_FIELDS)
        already = (f"OR EXISTS (SELECT 1 FROM {candidates.relation} r JOIN accounts e "
                   f"USING (platform, account_id) WHERE r._ord = c._ord AND e.has_profile "
                   f"AND {fields_same})")
    else:
        already = (f"OR EXISTS (SELECT 1 FROM {target} e WHERE "
                   + " AND ".join(f"e.{k} = c.{k}" for k in _KEYS[target]) + ")")
    con.execute(
        f"""
        UPDATE {checked} AS c SET _reason = {_quote(_DUPLICATE[target])},
               _reason_field = {_quote(fields.get(_KEYS[target][-1], _KEYS[target][-1]))}
        WHERE c._reason IS NULL AND (c._ord IN (
            SELECT _ord FROM {checked} WHERE _reason IS NULL
            QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY _ord) > 1) {already})
        """
    )


def _insert_good(con: duckdb.DuckDBPyConnection, checked: str, candidates: Candidates,
                 account_pool: str) -> None:
    """Insert the rows without a skip reason (profiles go to the account pool)."""
    target = candidates.target
    columns = ", ".join(f"r.{c}" for c in _COLUMNS[target])
    good = (f"{candidates.relation} r ANTI JOIN (SELECT _ord FROM {checked} "
            "WHERE _reason IS NOT NULL) bad USING (_ord)")
    if target == "accounts":
        con.execute(f"INSERT INTO {account_pool} SELECT {columns}, 2 AS _prio FROM {good}")
    else:
        con.execute(f"INSERT INTO {target} SELECT {columns} FROM {good}")
    if candidates.accounts:
        con.execute(
            f"""INSERT INTO {account_pool}
                SELECT {", ".join(ACCOUNTS_COLUMNS)}, CASE WHEN has_profile THEN 2 ELSE 1 END
                FROM {candidates.accounts} a
                WHERE EXISTS (SELECT 1 FROM {checked} c
                              WHERE c._reason IS NULL AND c.account_id = a.account_id)"""
        )


def _skips(con: duckdb.DuckDBPyConnection, checked: str, staged: Staged) -> list[Skip]:
    """Skipped rows by reason, with the positions of the first few, in file order."""
    groups = con.execute(
        f"""
        SELECT _reason, _reason_field, count(*),
               list(DISTINCT _pos ORDER BY _pos)[1:{EXAMPLES_KEPT}],
               arg_min(_raw_value, (_pos, _ord))
        FROM {checked} WHERE _reason IS NOT NULL
        GROUP BY ALL ORDER BY min(_pos), min(_ord)
        """
    ).fetchall()
    positions = staged.locate([o for g in groups for o in g[3]])
    skips = list(staged.rejects)
    for reason, field_name, count, ordinals, example in groups:
        skips.append(Skip(reason, field_name, count,
                          [positions[o] for o in ordinals if o in positions], example))
    skips.sort(key=lambda skip: skip.positions[0] if skip.positions else 0)
    return skips


ACCOUNT_POOL_DDL = ", ".join(f"{c} {t.replace(' NOT NULL', '')}"
                             for c, t in ACCOUNTS_COLUMNS.items()) + ", _prio INTEGER"


def merge_accounts(con: duckdb.DuckDBPyConnection, account_pool: str) -> None:
    """Fold newly seen accounts into ``accounts``: profile records beat post metadata,
    newer beats older, and a field is never overwritten by a missing value."""
    plain = [c for c in ACCOUNTS_COLUMNS if c not in ("platform", "account_id", "has_profile")]
    picks = ", ".join(f"arg_max({c}, _rank) FILTER (WHERE {c} IS NOT NULL) AS {c}" for c in plain)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _merged_accounts AS
        WITH pool AS (
            -- rank: new profile 4 > stored profile 3 > new post metadata 2 > stored 1;
            -- ties go to the row ingested last
            SELECT *, CASE WHEN has_profile THEN 3 ELSE 1 END * 1e12 AS _rank FROM accounts
            UNION ALL BY NAME
            SELECT * EXCLUDE (_prio), _prio * 2 * 1e12 + rowid AS _rank FROM {account_pool}
        )
        SELECT platform, account_id, {picks}, bool_or(has_profile) AS has_profile
        FROM pool GROUP BY platform, account_id
        """
    )
    con.execute("DELETE FROM accounts")
    con.execute(f"INSERT INTO accounts SELECT {', '.join(ACCOUNTS_COLUMNS)} FROM _merged_accounts "
                "ORDER BY platform, account_id")
    con.execute("DROP TABLE _merged_accounts")
