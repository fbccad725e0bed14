"""Helpers for building reader SQL over staged text columns."""

from __future__ import annotations

import duckdb


def ident(name: str) -> str:
    """Quote a column name for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


class ColumnPicker:
    """Refer to source columns that may or may not exist in a given file/release."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = columns
        self._lower = {c.lower(): c for c in columns}

    def has(self, *names: str) -> bool:
        return any(n.lower() in self._lower for n in names)

    def name(self, *names: str) -> str | None:
        for n in names:
            if n.lower() in self._lower:
                return self._lower[n.lower()]
        return None

    def __call__(self, *names: str) -> str:
        """SQL for the first of ``names`` present (blank as NULL), else NULL."""
        found = self.name(*names)
        return f"ss_nullif_blank({ident(found)})" if found else "CAST(NULL AS VARCHAR)"


def post_prologue(platform: str, post_id: str, account_id: str, time_text: str, *,
                  precision: str = "1", skip: str = "CAST(NULL AS VARCHAR)",
                  skip_field: str = "CAST(NULL AS VARCHAR)",
                  parse: str = "ss_parse_time") -> str:
    """The leading columns every posts reader selects: position, skip reason, platform,
    ids and time (parsed, raw for error reports, and its resolution)."""
    return f"""_ord, {skip} AS _skip, {skip_field} AS _skip_field,
            {platform} AS platform,
            {post_id} AS post_id,
            {account_id} AS account_id,
            {parse}({time_text}) AS created_at,
            {time_text} AS _raw_time,
            {precision} AS time_precision_s"""


def post_kind(repost: str, reply: str, quote: str = "false") -> str:
    """The kind of a post from SQL conditions: repost before reply before quote."""
    return (f"CASE WHEN {repost} THEN 'repost' WHEN {reply} THEN 'reply' "
            f"WHEN {quote} THEN 'quote' ELSE 'post' END")


PROFILE_FIELDS = {"handle": "VARCHAR", "display_name": "VARCHAR", "description": "VARCHAR",
                  "created_at": "TIMESTAMP", "followers": "BIGINT", "following": "BIGINT",
                  "location": "VARCHAR", "lang": "VARCHAR", "profile_image": "VARCHAR"}


def latest_profile(values: dict[str, str], order: str) -> str:
    """The account-table profile columns, each the value of the row latest by ``order``
    (an aggregate: use with GROUP BY account); fields a source lacks are NULL."""
    return ",\n            ".join(
        f"arg_max({values[name]}, {order}) AS {name}" if name in values
        else f"CAST(NULL AS {kind}) AS {name}"
        for name, kind in PROFILE_FIELDS.items())


def json_types(value: str, lists: list[str] = (), objects: list[str] = ()) -> str:
    """SQL for the JSON types of the paths ``lists`` then ``objects`` of ``value``, in
    one call (each JSON function call parses its whole argument)."""
    return f"json_type({value}, [{', '.join(repr('$.' + p) for p in [*lists, *objects])}])"


def parsed_once(value: str, scalars: list[str], parts: list[str], lists: list[str],
                objects: list[str]) -> str:
    """SQL select items taking from the JSON ``value``, in one call each, the
    ``scalars`` as ``_s`` (strings, by position), the ``parts`` as ``_o`` (JSON values)
    and the types of ``lists`` and ``objects`` as ``_types`` (for wrong_json_types):
    each JSON function call parses its whole argument, so a record is parsed three times
    instead of once per field."""
    def paths(names: list[str]) -> str:
        return ", ".join(f"'$.{name}'" for name in names)
    return (f"json_extract_string({value}, [{paths(scalars)}]) AS _s, "
            f"json_extract({value}, [{paths(parts)}]) AS _o, "
            f"{json_types(value, lists, objects)} AS _types")


def wrong_json_types(value: str, lists: list[str] = (), objects: list[str] = (),
                     types: str | None = None) -> tuple[str, str]:
    """SQL for (is any path of the wrong JSON type, the first such path): a record whose
    list field holds a string or a number is skipped as "wrong JSON type". ``types``
    names a column already holding ``json_types(value, lists, objects)``, so that a
    large record is parsed once."""
    paths = [*lists, *objects]
    if not paths:
        return "false", "CAST(NULL AS VARCHAR)"
    types = types or json_types(value, lists, objects)
    tests = []
    for index, path in enumerate(paths, start=1):
        kind = f"{types}[{index}]"
        if path in lists:  # a list, null, absent, or (twitter) an empty object
            tests.append((f"(CASE WHEN {kind} = 'OBJECT' THEN CAST(json_extract({value}, "
                          f"'$.{path}') AS VARCHAR) <> '{{}}' ELSE coalesce({kind}, 'NULL') "
                          "NOT IN ('ARRAY', 'NULL') END)", path))
        else:
            tests.append((f"coalesce({kind}, 'NULL') NOT IN ('OBJECT', 'NULL')", path))
    first = " ".join(f"WHEN {test} THEN '{path}'" for test, path in tests)
    wrong = f"({value} IS NOT NULL AND list_bool_or([{', '.join(t for t, _ in tests)}]))"
    return wrong, f"CASE WHEN {value} IS NOT NULL THEN CASE {first} END END"


def json_strings(items: str, *keys: str, strip: str = "", lower: bool = False) -> str:
    """SQL for the strings of a JSON list ``items`` (JSON[]), whose elements are objects
    (the first of ``keys`` present) or plain strings (twarc-csv >= 0.7 writes
    ``["#tag"]``); ``strip`` removes a leading character such as ``#``."""
    from_object = ", ".join(f"x->>'{k}'" for k in keys)
    text = f"coalesce({from_object}, CASE WHEN json_type(x) = 'VARCHAR' THEN x->>'$' END)"
    if strip:
        text = f"ltrim({text}, '{strip}')"
    if lower:
        text = f"lower({text})"
    return f"list_filter(list_transform({items}, lambda x: {text}), lambda v: v IS NOT NULL)"


def split_list(value: str, separator: str) -> str:
    """SQL for the items of a list written as text with ``separator`` between them
    (``tag1 tag2``, ``a,b``): items trimmed, blank ones dropped, NULL an empty list."""
    quoted = separator.replace("'", "''")
    return (f"coalesce(list_filter(list_transform(string_split({value}, '{quoted}'), "
            "lambda x: trim(x)), lambda x: x <> ''), [])")


def poster_profiles(staged: str, relation: str, profile: dict[str, str],
                    has_profile: bool) -> str:
    """SQL for the account rows of a file whose rows carry their poster's profile
    (``profile``: field -> SQL over the staged row): per account, the profile of its
    latest post; posts without an account or a time give none."""
    return f"""
        SELECT _poster_platform AS platform, _poster AS account_id,
               {latest_profile(profile, "(_posted_at, _ord)")},
               {str(has_profile).lower()} AS has_profile
        FROM {staged}
        JOIN (SELECT _ord, platform AS _poster_platform, account_id AS _poster,
                     created_at AS _posted_at FROM {relation}) USING (_ord)
        WHERE _poster IS NOT NULL AND _posted_at IS NOT NULL
        GROUP BY _poster_platform, _poster
    """


def embedded_profiles(records: str, record: str, relation: str, path: str, alias: str,
                      profile: dict[str, str], platform: str) -> str:
    """SQL for the account rows of JSON records that embed their author's profile (a
    tweet's ``user``, a status's ``account``): per account, the profile of its latest
    post. The profile object is extracted once per record (``alias``; ``profile``: field
    -> SQL over it), not once per field."""
    return f"""
        SELECT {platform} AS platform, account_id,
               {latest_profile(profile, "(created_at, _ord)")}, true AS has_profile
        FROM (SELECT c.account_id, c.created_at, c._ord,
                     json_extract(r.{record}, '{path}') AS {alias}
              FROM {relation} c JOIN {records} r USING (_ord)
              WHERE c.account_id IS NOT NULL AND c.created_at IS NOT NULL AND NOT r._bad)
        GROUP BY account_id
    """


def ids_for_handles(con, staged: str, relation: str, handle: str,
                    columns: tuple[str, ...]) -> None:
    """Sources that name other accounts only by handle (``RT @name``, 4CAT's
    ``retweeted_user``): in ``columns`` of ``relation``, a handle of an account that
    posts in the same file (``handle``: SQL over the staged row) becomes its id; other
    handles stay as they are."""
    handles = f"{relation}_handles"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {handles} AS
        SELECT lower({handle}) AS handle, min(account_id) AS account_id
        FROM {staged} JOIN {relation} USING (_ord)
        WHERE account_id IS NOT NULL GROUP BY 1
        """
    )
    for column in columns:
        con.execute(f"""UPDATE {relation} SET {column} = h.account_id FROM {handles} h
                        WHERE {relation}.{column} = h.handle""")


PLACEHOLDER_AUTHOR = "author deleted or removed"  # the skip reason


def placeholder_note(con: duckdb.DuckDBPyConnection, relation: str, raw_text: str) -> list[str]:
    """A note counting the posts (not skipped by the reader) whose text was a placeholder
    (``[removed]``): they are kept, as posts without text, so that no co-text ties
    accounts on it."""
    count = con.execute(f"SELECT count(*) FROM {relation} "
                        f"WHERE _skip IS NULL AND ss_placeholder({raw_text})").fetchall()[0][0]
    if not count:
        return []
    return [f"{count:,} post{'s' if count != 1 else ''} had a deleted or removed text "
            "([deleted], [removed]): kept as posts without text"]
