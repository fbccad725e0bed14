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
