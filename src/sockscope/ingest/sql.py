"""Helpers for building reader SQL over staged text columns."""

from __future__ import annotations


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
                  skip_field: str = "CAST(NULL AS VARCHAR)") -> str:
    """The leading columns every posts reader selects: position, skip reason, platform,
    ids and time (parsed, raw for error reports, and its resolution)."""
    return f"""_ord, {skip} AS _skip, {skip_field} AS _skip_field,
            {platform} AS platform,
            {post_id} AS post_id,
            {account_id} AS account_id,
            ss_parse_time({time_text}) AS created_at,
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
