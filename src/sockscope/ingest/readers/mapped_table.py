"""Any CSV or Parquet table of posts, or JSON records, read through a column mapping.

``--map account_id=author --map created_at=ts`` names, for each canonical column,
the source column that holds it. This covers tables such as CooRTweet's
``object_id, account_id, content_id, timestamp_share``. List columns (urls,
hashtags, mentions, media) accept a list-string, a Parquet list, or one value.
Values equal to a "no value" token (``--na``; R's ``NA`` by default) are missing, as
blank cells are. ``--time-format`` reads times written any other way (strptime codes,
``%d/%m/%Y %H:%M``); ``--list-sep COLUMN=SEP`` splits a list column whose items are
separated by SEP (twarc1, Hydrator and 4CAT write ``tag1 tag2`` or ``a,b``). Without a
mapped ``post_id`` each row gets ``row-<file hash>-N`` (N its
1-based row number): the same file read twice gives the same ids, two files never
collide. JSON lines and JSON documents (arrays, API pages) are mapped by dotted paths:
``--map account_id=author.did``, ``--map urls=entities.urls[].expanded_url``.
"""

from __future__ import annotations

import json

import duckdb

from sockscope.errors import IngestError
from sockscope.ingest.finalize import Candidates
from sockscope.ingest.jsonlines import stage_json_values
from sockscope.ingest.source import Source
from sockscope.ingest.sql import (
    PLACEHOLDER_AUTHOR,
    ident,
    placeholder_note,
    post_kind,
    post_prologue,
    split_list,
)
from sockscope.ingest.staging import Staged, stage_csv, stage_parquet
from sockscope.store.schema import POSTS_COLUMNS

NAME = "table"
LIST_COLUMNS = {"urls", "hashtags", "mentions", "media"}
MAPPABLE = [c for c in POSTS_COLUMNS if c != "time_precision_s"]


def stage(con: duckdb.DuckDBPyConnection, source: Source) -> tuple[Staged, dict[str, str]]:
    """Stage a CSV or Parquet file; return it with its column types."""
    if source.container not in ("csv", "parquet"):
        raise IngestError(source.display, f"this is a JSON file ({source.container}), not a "
                          "table: a generic table is CSV or Parquet; for JSON from an API "
                          "pick its --format", line=1)
    staged = stage_parquet(con, source) if source.container == "parquet" else stage_csv(con, source)
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE {staged.table}").fetchall()}
    return staged, types


def json_path(field: str) -> str:
    """A ``--map`` field of JSON records as a JSON path: dots between keys, ``[]`` for
    every element of a list (``entities.urls[].expanded_url`` is
    ``$."entities"."urls"[*]."expanded_url"``), ``[N]`` for one."""
    parts = []
    for key in field.split("."):
        name, _, rest = key.partition("[")
        index = ("[" + rest) if rest else ""
        if name:
            parts.append('."' + name.replace('"', '\\"') + '"')
        parts.append(index.replace("[]", "[*]"))
    return "$" + "".join(parts)


def stage_json(con: duckdb.DuckDBPyConnection, source: Source,
               mapping: dict[str, str]) -> tuple[Staged, dict[str, str], str]:
    """Stage JSON records as a table with one column per mapped field, named as mapped
    (a list for a ``[]`` path), so that they are read like a table's columns. Returns
    the staging, the column types and the table; a field found in no record is an
    error naming it and the keys the records have."""
    staged, values = stage_json_values(con, source)
    fields = sorted(set(mapping.values()))
    table = f"{staged.table}_flat"
    columns = [f"json_extract_string(js, {_quote(json_path(f))}) AS {ident(f)}"
               for f in fields]
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {table} AS
                    SELECT _ord, _bad, {", ".join(columns)} FROM {values}""")
    found = con.execute("SELECT " + ", ".join(f"count({ident(f)})" for f in fields)
                        + f" FROM {table}").fetchall()[0]
    missing = [f for f, n in zip(fields, found, strict=True) if not n]
    if missing:
        keys = ", ".join(sorted(source.first_object or {})[:15])
        raise IngestError(source.display, f"--map: {', '.join(missing)} found in no record "
                          f"(paths are dotted, with [] for every element of a list; the "
                          f"first record has {keys})", line=1)
    source.columns = fields
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE {table}").fetchall()}
    return staged, types, table


KINDS = ("post", "repost", "reply", "quote")


def set_table_layout(con: duckdb.DuckDBPyConnection, time_format: str | None,
                     list_sep: dict[str, str] | None,
                     value_map: dict[str, dict[str, str]] | None = None) -> None:
    """Record how generic tables write times, lists and kinds (for ``read``); check them
    before any file is read. ``value_map`` maps a column's values to canonical ones:
    ``{"kind": {"1": "repost", "0": "post"}}``."""
    for canonical, values in (value_map or {}).items():
        if canonical != "kind":
            raise IngestError(canonical, "--map-values is for kind, e.g. "
                              "--map-values kind=1:repost,0:post")
        wrong = sorted({v for v in values.values() if v not in KINDS})
        if wrong:
            raise IngestError(canonical, f"--map-values kind=…: {', '.join(wrong)} is not a "
                              f"kind; choose from {', '.join(KINDS)}")
    if time_format:
        if "%" not in time_format:
            raise IngestError(time_format, "--time-format needs strptime codes, e.g. "
                              "%d/%m/%Y %H:%M")
        try:
            con.execute("SELECT try_strptime('2024-01-01', ?)", [time_format]).fetchall()
        except duckdb.Error as exc:
            raise IngestError(time_format, f"not a time format ({exc})") from None
    for column, separator in (list_sep or {}).items():
        if not separator:
            raise IngestError(column, "--list-sep needs a separator, e.g. hashtags=' '")
    con.execute("SET VARIABLE ss_time_format = ?", [time_format or ""])
    con.execute("SET VARIABLE ss_list_sep = ?", [json.dumps(list_sep or {})])
    con.execute("SET VARIABLE ss_value_map = ?", [json.dumps(value_map or {})])


def _table_layout(con: duckdb.DuckDBPyConnection
                  ) -> tuple[str, dict[str, str], dict[str, dict[str, str]]]:
    time_format, list_sep, value_map = con.execute(
        "SELECT coalesce(getvariable('ss_time_format'), ''), "
        "coalesce(getvariable('ss_list_sep'), '{}'), "
        "coalesce(getvariable('ss_value_map'), '{}')").fetchall()[0]
    return time_format, json.loads(list_sep), json.loads(value_map)


def _kind(value: str, values: dict[str, str]) -> str:
    """SQL: the canonical kind of a mapped kind column, through the value map (NULL for
    a value that is no kind; the caller counts it)."""
    if values:
        cases = " ".join(f"WHEN {_quote(k)} THEN {_quote(v)}" for k, v in sorted(values.items()))
        return f"(CASE trim({value}) {cases} END)"
    return f"(CASE WHEN lower(trim({value})) IN {KINDS} THEN lower(trim({value})) END)"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def check_mapping(source: Source, mapping: dict[str, str], allowed: list[str]) -> None:
    for canonical, column in mapping.items():
        if canonical not in allowed:
            raise IngestError(source.display, f"--map {canonical}=…: not a canonical column; "
                              f"choose from {', '.join(allowed)}")
        if column not in source.columns:
            raise IngestError(source.display, f"column not found (columns: "
                              f"{', '.join(source.columns[:20])})", line=1, field=column)


def read(con: duckdb.DuckDBPyConnection, source: Source, mapping: dict[str, str],
         platform: str | None) -> tuple[Staged, Candidates]:
    if not mapping:
        raise IngestError(source.display, "a generic table needs --map, e.g. "
                          "--map post_id=id --map account_id=user --map created_at=time")
    if source.container in ("jsonl", "json"):
        staged, types, table = stage_json(con, source, mapping)
        bad = "WHEN _bad THEN 'malformed JSON' "
    else:
        staged, types = stage(con, source)
        table, bad = staged.table, ""
    check_mapping(source, mapping, MAPPABLE)
    time_format, list_sep, value_map = _table_layout(con)
    unmapped = sorted(set(list_sep) - {mapping.get(c) for c in LIST_COLUMNS})
    if unmapped:
        raise IngestError(source.display, f"--list-sep names {', '.join(unmapped)}, which is "
                          "not mapped to urls, hashtags, mentions or media", line=1)
    for required in ("account_id", "created_at"):
        if required not in mapping:
            raise IngestError(source.display, f"--map {required}=COLUMN is required")

    def text(canonical: str) -> str:
        if canonical not in mapping:
            return "CAST(NULL AS VARCHAR)"
        return f"ss_na(ss_nullif_blank(CAST({ident(mapping[canonical])} AS VARCHAR)))"

    def listed(canonical: str) -> str:
        if canonical not in mapping:
            return "CAST([] AS VARCHAR[])"
        column = ident(mapping[canonical])
        if types.get(mapping[canonical], "").endswith("[]"):
            return f"coalesce(list_filter(CAST({column} AS VARCHAR[]), lambda x: x <> ''), [])"
        value = text(canonical)
        separator = list_sep.get(mapping[canonical])
        if separator:
            return split_list(value, separator)
        return (f"CASE WHEN {value} IS NULL THEN CAST([] AS VARCHAR[]) "
                f"WHEN starts_with(trim({value}), '[') THEN ss_parse_list({value}) "
                f"ELSE [trim({value})] END")

    post_id = (f"ss_id({text('post_id')})" if "post_id" in mapping
               else f"'row-{source.sha256[:12]}-' || CAST(_ord + 1 AS VARCHAR)")
    kind = (_kind(text("kind"), value_map.get("kind", {})) if "kind" in mapping else
            post_kind(f"ss_id({text('repost_of_post')}) IS NOT NULL",
                      f"ss_id({text('reply_to_post')}) IS NOT NULL",
                      f"ss_id({text('quote_of_post')}) IS NOT NULL"))
    # a mapped kind that is blank or no kind is a counted skip, after a deleted author
    kind_skip = (f"WHEN {text('kind')} IS NULL THEN 'missing value' "
                 f"WHEN {kind} IS NULL THEN 'not a kind (post, repost, reply, quote; "
                 "--map-values kind=VALUE:KIND maps others)' " if "kind" in mapping else "")
    kind_field = (f"WHEN {kind} IS NULL THEN {_quote(mapping['kind'])} "
                  if "kind" in mapping else "")
    platform_sql = (text("platform") if "platform" in mapping
                    else "'" + (platform or "generic").replace("'", "''") + "'")
    precision, parse = f"coalesce(ss_time_precision({text('created_at')}), 1)", "ss_local_time"
    if time_format:  # parsed as written, then read in --timezone like any naive time
        con.execute(f"""CREATE OR REPLACE TEMP MACRO ss_table_time(s) AS (ss_local_time(
                            strftime(try_strptime(trim(s), {_quote(time_format)}),
                                     '%Y-%m-%d %H:%M:%S.%f')))""")
        parse = "ss_table_time"
        precision = "1" if any(code in time_format for code in ("%S", "%s", "%f")) else (
            "60" if "%M" in time_format else "86400")
    account = text("account_id")
    rows = f"{staged.table}_rows"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {rows} AS
        SELECT {post_prologue(f"coalesce({platform_sql}, 'generic')", post_id,
                              f"CASE WHEN NOT ss_placeholder({account}) THEN ss_id({account}) "
                              "END", text("created_at"), precision=precision, parse=parse,
                              skip=f"CASE {bad}WHEN ss_placeholder({account}) "
                                   f"THEN '{PLACEHOLDER_AUTHOR}' {kind_skip}END",
                              skip_field=f"CASE WHEN ss_placeholder({account}) "
                                         f"THEN {_quote(mapping.get('account_id', ''))} "
                                         f"{kind_field}END")},
            coalesce({kind}, 'post') AS kind,
            CASE WHEN NOT ss_placeholder({text('text')}) THEN {text('text')} END AS text,
            {text('text')} AS _raw_text, {text('lang')} AS lang, {text('client')} AS client,
            ss_id({text('repost_of_post')}) AS repost_of_post,
            ss_id({text('repost_of_account')}) AS repost_of_account,
            ss_id({text('reply_to_post')}) AS reply_to_post,
            ss_id({text('reply_to_account')}) AS reply_to_account,
            ss_id({text('quote_of_post')}) AS quote_of_post,
            {listed('urls')} AS urls, {listed('hashtags')} AS hashtags,
            {listed('mentions')} AS mentions, {listed('media')} AS media
        FROM {table}
        """
    )
    relation = f"{staged.table}_cand"
    listed_mapped = [c for c in LIST_COLUMNS if c in mapping]
    if listed_mapped and "post_id" in mapping:
        _merge_long_format(con, rows, relation, sorted(listed_mapped))
    else:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {relation} AS SELECT * FROM {rows}")
    fields = {k: mapping.get(k, k) for k in ("post_id", "account_id", "created_at")}
    return staged, Candidates("posts", relation, fields, None, "created_at",
                              notes=placeholder_note(con, relation, "_raw_text"))


def _merge_long_format(con: duckdb.DuckDBPyConnection, rows: str, relation: str,
                       list_columns: list[str]) -> None:
    """Long tables repeat a post once per hashtag or URL (CooRTweet's german_elections).
    Rows sharing platform, post id and account become one post whose lists are the
    union in row order; the later rows are counted as merged, not lost."""
    unions = []
    for column in list_columns:
        unions.append(
            f"""(SELECT list(v ORDER BY o) FROM (
                    SELECT v, min(o) AS o FROM (
                        SELECT unnest(x.{column}) AS v, x._ord AS o FROM {rows} x
                        WHERE x.platform = g.platform AND x.post_id = g.post_id
                          AND x.account_id = g.account_id)
                    GROUP BY v)) AS {column}"""
        )
    merged = f"{relation}_lists"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {merged} AS
        SELECT g.platform, g.post_id, g.account_id, {", ".join(unions)}
        FROM (SELECT platform, post_id, account_id FROM {rows}
              WHERE post_id IS NOT NULL AND account_id IS NOT NULL
              GROUP BY ALL HAVING count(*) > 1) g
        """
    )
    replaced = ", ".join(f"coalesce(m.{c}, r.{c}) AS {c}" for c in list_columns)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {relation} AS
        SELECT r.* REPLACE (
            CASE WHEN r._skip IS NULL AND m.post_id IS NOT NULL AND row_number() OVER (
                     PARTITION BY r.platform, r.post_id, r.account_id ORDER BY r._ord) > 1
                 THEN 'merged into the first row of its post (long format)'
                 ELSE r._skip END AS _skip,
            {replaced})
        FROM {rows} r LEFT JOIN {merged} m
          ON m.platform = r.platform AND m.post_id = r.post_id AND m.account_id = r.account_id
        """
    )
