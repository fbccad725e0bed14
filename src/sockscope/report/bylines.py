"""The byline report: one self-contained page built from a byline analysis.

A similarity map of bylines (shared-writer links, coloured by writer cluster), the
clusters, every byline with its hands, the likeliest shared-writer pairs with the words
that pull each decision most, and the reused passages side by side. Like the
coordination report, all data is embedded as escaped JSON and rendered as text.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import igraph as ig

from sockscope.model.bylines import BylineResult
from sockscope.report import iso_utc, render, seeded_layout

MAX_PAIRS = 2_000
MAX_PASSAGES = 2_000
MAX_TEXT = 400


def _text(value) -> str | None:
    return None if value is None else str(value)[:MAX_TEXT]


def collect_bylines(result: BylineResult, manifest: dict) -> dict:
    bylines = result.bylines.to_pylist()
    for row in bylines:
        for key in ("first_published", "last_published"):
            value = row[key]
            row[key] = None if value is None else iso_utc(
                value if value.tzinfo else value.replace(tzinfo=UTC))
    pairs = sorted(result.pairs.to_pylist(), key=lambda p: (-p.get("same_writer", 0),
                                                            p["byline_a"], p["byline_b"]))
    for pair in pairs[:MAX_PAIRS]:
        pair.update(result.explanations.get((pair["byline_a"], pair["byline_b"]),
                                            {"together": [], "apart": []}))
    # how long the run took differs between reruns; the page must not (manifest.json
    # keeps it)
    manifest = {k: v for k, v in manifest.items() if k not in ("seconds", "timings_s")}
    return {"overview": {"manifest": manifest}, "bylines": bylines,
            "pairs": pairs[:MAX_PAIRS], "pairs_total": len(pairs),
            "passages": _passages_by_article_pair(result),
            "passages_total": result.passages.num_rows, "articles": _articles(result),
            "map": _map(bylines, pairs)}


def _articles(result: BylineResult) -> dict[str, list]:
    """Per byline, its articles as [hand, title, outlet, date, url], by hand then date
    (hand 1 is the byline's largest; a byline of one writer has only hand 1)."""
    articles: dict[str, list] = {}
    for r in result.articles.to_pylist():
        published = r["published_at"]
        articles.setdefault(r["byline"], []).append([
            r.get("hand", 1), _text(r.get("title")) or "", r["outlet"] or "",
            "" if published is None else iso_utc(published)[:10], r.get("url") or ""])
    for rows in articles.values():
        rows.sort(key=lambda a: (a[0] == 0, a[0], a[3], a[1]))
    return articles


def _passages_by_article_pair(result: BylineResult) -> list[dict]:
    """Reused passages grouped per pair of articles (one entry per article pair, its
    passages side by side), the pairs sharing most passages first."""
    titles = {r["article_id"]: r.get("title") or "" for r in result.articles.to_pylist()}
    pairs: dict[tuple, dict] = {}
    for row in result.passages.to_pylist():
        key = (row["byline_a"], row["article_a"], row["byline_b"], row["article_b"])
        entry = pairs.setdefault(key, {
            "byline_a": row["byline_a"], "title_a": _text(titles.get(row["article_a"])),
            "byline_b": row["byline_b"], "title_b": _text(titles.get(row["article_b"])),
            "passages": []})
        entry["passages"].append([_text(row["passage_a"]), _text(row["passage_b"])])
    ranked = sorted(pairs.values(), key=lambda e: (-len(e["passages"]), e["byline_a"],
                                                   e["byline_b"], e["title_a"] or ""))
    kept, shown = [], 0
    for entry in ranked:
        if shown >= MAX_PASSAGES:
            break
        kept.append(entry)
        shown += len(entry["passages"])
    return kept


def _map(bylines: list[dict], pairs: list[dict]) -> dict:
    """Bylines with precomputed positions; links for shared-writer decisions."""
    names = [b["byline"] for b in bylines]
    index = {n: i for i, n in enumerate(names)}
    links = [(index[p["byline_a"]], index[p["byline_b"]], p["same_writer"])
             for p in pairs if p["decision"] == "same" or p.get("shared_passages", 0) > 0]
    graph = ig.Graph(n=len(names), edges=[(a, b) for a, b, _ in links])
    coords = seeded_layout(graph, columns=31)
    return {"nodes": [[n, round(x, 1), round(y, 1)] for n, (x, y) in zip(names, coords,
                                                                           strict=True)],
            "links": [[a, b, round(w, 3)] for a, b, w in links]}


def build_bylines_report(result: BylineResult, manifest: dict, out: Path) -> Path:
    path = Path(out)
    path.write_text(render(collect_bylines(result, manifest), "bylines.html.j2",
                           "bylines.js"), encoding="utf-8")
    return path
