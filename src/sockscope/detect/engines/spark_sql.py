"""DuckDB SQL rendered as Spark SQL, through SQLGlot, so each stage has one definition.

SQLGlot translates the functions both engines name differently (``unnest`` ->
``explode``, ``list_distinct`` -> ``array_distinct``, ``strftime`` -> ``date_format``…).
A few constructs need more than a name, and are rewritten here:

- ``epoch(ts)``: SQLGlot's ``unix_timestamp`` drops the fraction of a second; DuckDB's
  epoch is microseconds / 1e6 as a double, so that is what Spark computes too.
- ``first(x ORDER BY a, b)`` and ``arg_min(x, (a, b))``: Spark's ``min_by`` over a struct
  (structs compare field by field, as DuckDB's ordered aggregate does).
- ``list(x ORDER BY a, b)``: Spark's ``collect_list`` has no order; the list is collected
  as structs, sorted, and the values taken out.
- ``lower(x)``: Java lower-cases with Unicode's special casing, DuckDB with the simple
  mapping. They differ on two letters only (checked over Greek, Turkish, German,
  ligatures and title-case digraphs): a capital sigma at the end of a word becomes
  ``ς`` in Java and ``σ`` in DuckDB, and ``İ`` becomes ``i`` plus a combining dot in
  Java and ``i`` in DuckDB. Spark is handed both letters already lower-cased the
  DuckDB way.
- ``len(list)`` is ambiguous without types, so stages write ``array_length`` for lists.
"""

from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp


@lru_cache(maxsize=256)
def to_spark(sql: str) -> str:
    """``sql`` (DuckDB dialect, one statement) as Spark SQL."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    return tree.transform(_rewrite).sql(dialect="spark")


def tables_read(sql: str) -> list[str]:
    """The tables ``sql`` reads (not its CTEs), in order of first mention."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    names = [table.name for table in tree.find_all(exp.Table)]
    return list(dict.fromkeys(name for name in names if name and name not in ctes))


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.TimeToUnix):
        micros = exp.Anonymous(this="unix_micros", expressions=[
            exp.Cast(this=node.this.copy(), to=exp.DataType.build("TIMESTAMP"))])
        return exp.Div(this=micros, expression=exp.Cast(
            this=exp.Literal.number(1_000_000), to=exp.DataType.build("DOUBLE")))
    if isinstance(node, exp.First) and isinstance(node.this, exp.Order):
        return _min_by(node.this.this, [o.this for o in node.this.expressions])
    if isinstance(node, exp.ArgMin) and isinstance(node.expression, exp.Tuple):
        return _min_by(node.this, node.expression.expressions)
    if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Order):
        return _ordered_list(node.this.this, [o.this for o in node.this.expressions])
    if isinstance(node, exp.Lower) and not node.meta.get("simple_case"):
        value = node.this.copy()
        for capital, small in _SPECIAL_LOWER:
            value = exp.Anonymous(this="replace", expressions=[
                value, exp.Literal.string(capital), exp.Literal.string(small)])
        lowered = exp.Lower(this=value)
        lowered.meta["simple_case"] = True
        return lowered
    return node


# the letters whose Java lower case differs from DuckDB's: (capital, DuckDB's lower case)
_SPECIAL_LOWER = (("Σ", "σ"), ("İ", "i"))


def _struct(values: list[exp.Expression]) -> exp.Expression:
    return exp.Anonymous(this="named_struct", expressions=[
        part for i, value in enumerate(values)
        for part in (exp.Literal.string(f"f{i}"), value.copy())])


def _min_by(value: exp.Expression, order: list[exp.Expression]) -> exp.Expression:
    return exp.Anonymous(this="min_by", expressions=[value.copy(), _struct(order)])


def _ordered_list(value: exp.Expression, order: list[exp.Expression]) -> exp.Expression:
    # transform(array_sort(collect_list(struct(order..., value))), s -> s.fN)
    collected = exp.Anonymous(this="collect_list", expressions=[_struct([*order, value])])
    last = f"f{len(order)}"
    return exp.Anonymous(this="transform", expressions=[
        exp.Anonymous(this="array_sort", expressions=[collected]),
        exp.Lambda(this=exp.column(last, table="s"), expressions=[exp.to_identifier("s")])])
