"""Account persona signals: one row per account seen, one column per signal.

Everything comes from the canonical tables: the profile (creation date, handle, display
name, bio, image, language) and the account's posts (clients, languages, the hour-of-week
profile, posts per day). A field the data lacks is missing (NULL), never zero evidence:
hashed archive releases have no images, Telegram has no creation dates. ``Persona``
also keeps the arrays the group tests need, aligned with ``account_ids``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import numpy as np
import pyarrow as pa

from sockscope.keys.neardup import near_duplicate_families
from sockscope.persona.handles import handle_template, name_mismatch
from sockscope.persona.schedule import (
    HOURS_OF_WEEK,
    MIN_POSTS,
    TEMPLATES,
    exposure,
    fit_schedules,
    office_fit,
)

ONE_CLIENT_SHARE = 0.9  # an account posting this share from one app, with ONE_CLIENT_POSTS+
ONE_CLIENT_POSTS = 10
# Twitter serves one profile image in several sizes: _normal.jpg, _400x400.jpg, ...
IMAGE_SIZE_SUFFIX = r"_(normal|bigger|mini|400x400|200x200|reasonably_small)(\.\w+)$"


@dataclass
class Persona:
    """The account persona table and the aligned arrays behind the group tests."""

    table: pa.Table  # persona.parquet
    account_ids: list[str]
    index: dict[str, int]
    created_day: np.ndarray  # days since epoch, NaN when unknown
    template: np.ndarray  # handle template number, -1 when none
    client: np.ndarray  # top client number, -1 when unknown
    bio: np.ndarray  # bio family number, -1 when no bio
    image: np.ndarray  # profile image number, -1 when none
    posts: np.ndarray
    hours: np.ndarray  # accounts x 168 post counts (UTC hour of the week)
    seen: np.ndarray  # how often each UTC hour of the week occurs in the data's period
    available: dict[str, bool] = field(default_factory=dict)  # which signals the data allows


def build_persona(con: duckdb.DuckDBPyConnection) -> Persona:
    """Compute the persona of every account seen in ``con``."""
    profiles = con.sql(
        f"""
        WITH seen AS (
            SELECT account_id FROM accounts UNION SELECT DISTINCT account_id FROM posts
        )
        SELECT s.account_id, a.handle, a.display_name, a.description,
               a.created_at, a.lang AS account_lang,
               nullif(regexp_replace(trim(a.profile_image), '{IMAGE_SIZE_SUFFIX}', '\\2'), '')
                   AS image
        FROM seen s LEFT JOIN (SELECT DISTINCT ON (account_id) * FROM accounts
                               ORDER BY account_id, has_profile DESC) a USING (account_id)
        ORDER BY s.account_id
        """
    ).to_arrow_table()
    ids = profiles["account_id"].to_pylist()
    index = {a: i for i, a in enumerate(ids)}
    n = len(ids)
    activity = _activity(con, index, n)
    handles = profiles["handle"].to_pylist()
    templates = [handle_template(h) for h in handles]
    mismatch = [name_mismatch(h, d) for h, d in
                zip(handles, profiles["display_name"].to_pylist(), strict=True)]
    bios = near_duplicate_families(profiles["description"].to_pylist())
    images = profiles["image"].to_pylist()
    bio_shared = _shared_counts(bios)
    image_numbers = _numbers(images)
    image_shared = _shared_counts(image_numbers)
    epoch = datetime(1970, 1, 1)
    created_day = np.array([np.nan if c is None else (c - epoch).total_seconds() / 86_400
                            for c in profiles["created_at"].to_pylist()], dtype=np.float64)
    schedule = _schedules(activity["hours"], activity["posts"])
    first, last = con.execute("SELECT epoch(min(created_at)), epoch(max(created_at)) "
                              "FROM posts").fetchall()[0]
    seen = exposure(first, last) if first is not None else np.zeros(HOURS_OF_WEEK)
    lang_mismatch = [None if a is None or p is None else a.split("-")[0] != p.split("-")[0]
                     for a, p in zip(profiles["account_lang"].to_pylist(),
                                     activity["post_lang"], strict=True)]
    table = pa.table({
        "account_id": ids, "handle": handles,
        "created_at": profiles["created_at"],
        "handle_template": pa.array(templates, pa.string()),
        "name_mismatch": pa.array(mismatch, pa.bool_()),
        "bio_family": pa.array([b if b >= 0 else None for b in bios], pa.int64()),
        "bio_shared_with": pa.array(bio_shared, pa.int64()),
        "image": pa.array(images, pa.string()),
        "image_shared_with": pa.array(image_shared, pa.int64()),
        "top_client": pa.array(activity["top_client"], pa.string()),
        "client_share": pa.array(activity["client_share"], pa.float64()),
        "clients": pa.array(activity["clients"], pa.int64()),
        "account_lang": profiles["account_lang"],
        "post_lang": pa.array(activity["post_lang"], pa.string()),
        "lang_mismatch": pa.array(lang_mismatch, pa.bool_()),
        "posts": pa.array(activity["posts"], pa.int64()),
        "active_days": pa.array(activity["active_days"], pa.int64()),
        "posts_per_day": pa.array(activity["per_day"], pa.float64()),
        "daily_cv": pa.array(activity["daily_cv"], pa.float64()),
        "schedule": pa.array(schedule["kind"], pa.string()),
        "utc_offset": pa.array(schedule["offset"], pa.int64()),
        "schedule_fit": pa.array(schedule["fit"], pa.float64()),
        "hour_of_week": pa.array([row.tolist() for row in activity["hours"]],
                                 pa.list_(pa.int32())),
    })
    table = table.append_column("signals", pa.array(_signals(table), pa.string()))
    template_numbers = _numbers(templates)
    clients = _numbers(activity["top_client"])
    return Persona(
        table=table, account_ids=ids, index=index, created_day=created_day,
        template=np.array(template_numbers, dtype=np.int64),
        client=np.array(clients, dtype=np.int64), bio=np.array(bios, dtype=np.int64),
        image=np.array(image_numbers, dtype=np.int64),
        posts=np.array(activity["posts"], dtype=np.int64), hours=activity["hours"],
        seen=seen,
        available={
            "creation_burst": bool(np.isfinite(created_day).sum() >= 3),
            "handle_template": any(h for h in handles),
            "client_share": any(c is not None for c in activity["top_client"]),
            "bio_reuse": any(b >= 0 for b in bios),
            "image_reuse": any(i is not None for i in images),
            "schedule_fit": bool(activity["posts"].sum() > 0
                                 and not np.isnan(office_fit(seen, seen)[0])),
        })


def _activity(con: duckdb.DuckDBPyConnection, index: dict[str, int], n: int) -> dict:
    """Per account: posts, active days, posts per day and their day-to-day variation,
    the top client and post language, and the hour-of-week counts."""
    rows = con.execute(
        """
        WITH daily AS (
            SELECT account_id, date_trunc('day', created_at) AS day, count(*) AS c
            FROM posts GROUP BY ALL
        ), per_account AS (
            SELECT account_id, sum(c) AS posts, count(*) AS active_days,
                   date_diff('day', min(day), max(day)) + 1 AS span, sum(c * c) AS squares
            FROM daily GROUP BY account_id
        ), client_counts AS (
            SELECT account_id, client, count(*) AS c FROM posts
            WHERE client IS NOT NULL GROUP BY ALL
        ), clients AS (
            SELECT account_id, arg_max(client, (c, client)) AS top, max(c) / sum(c) AS share,
                   count(*) AS kinds
            FROM client_counts GROUP BY account_id
        ), langs AS (
            SELECT account_id, arg_max(lang, (c, lang)) AS lang FROM (
                SELECT account_id, lang, count(*) AS c FROM posts
                WHERE lang IS NOT NULL AND lang NOT IN ('und', 'zxx', 'qme', 'qht')
                GROUP BY ALL) GROUP BY account_id
        )
        SELECT p.account_id, p.posts, p.active_days, p.span, p.squares, c.top, c.share,
               c.kinds, l.lang
        FROM per_account p LEFT JOIN clients c USING (account_id)
        LEFT JOIN langs l USING (account_id)
        """
    ).fetchall()
    out = {"posts": np.zeros(n, dtype=np.int64), "active_days": [None] * n,
           "per_day": [None] * n, "daily_cv": [None] * n, "top_client": [None] * n,
           "client_share": [None] * n, "clients": [None] * n, "post_lang": [None] * n}
    for account, posts, active, span, squares, top, share, kinds, lang in rows:
        i = index[account]
        mean = posts / span
        out["posts"][i] = posts
        out["active_days"][i] = int(active)
        out["per_day"][i] = round(mean, 4)
        out["daily_cv"][i] = round(float(np.sqrt(max(squares / span - mean * mean, 0)) / mean),
                                   4)
        out["top_client"][i], out["post_lang"][i] = top, lang
        out["client_share"][i] = None if share is None else round(float(share), 4)
        out["clients"][i] = None if kinds is None else int(kinds)
    hours = np.zeros((n, HOURS_OF_WEEK), dtype=np.int32)
    cells = con.execute(
        """SELECT account_id, (isodow(created_at) - 1) * 24 + hour(created_at) AS h, count(*)
           FROM posts GROUP BY ALL""").fetchnumpy()
    rows_index = np.array([index[a] for a in cells["account_id"]], dtype=np.int64)
    hours[rows_index, cells["h"].astype(np.int64)] = cells["count_star()"].astype(np.int32)
    out["hours"] = hours
    return out


def _schedules(hours: np.ndarray, posts: np.ndarray) -> dict[str, list]:
    kinds: list[str | None] = [None] * len(posts)
    offsets: list[int | None] = [None] * len(posts)
    fits: list[float | None] = [None] * len(posts)
    enough = np.flatnonzero(posts >= MIN_POSTS)
    if len(enough):
        best, fit, _ = fit_schedules(hours[enough])
        for i, b, f in zip(enough, best, fit, strict=True):
            kinds[i], offsets[i] = TEMPLATES[int(b)]
            fits[i] = round(float(f), 4)
    return {"kind": kinds, "offset": offsets, "fit": fits}


def _numbers(values: list) -> list[int]:
    """A number per distinct non-empty value (in order of first appearance), -1 for none."""
    numbers: dict = {}
    return [-1 if v is None else numbers.setdefault(v, len(numbers)) for v in values]


def _shared_counts(numbers: list[int]) -> list[int | None]:
    """How many other accounts share each account's number (None when it has none)."""
    counts: dict[int, int] = {}
    for number in numbers:
        if number >= 0:
            counts[number] = counts.get(number, 0) + 1
    return [None if n < 0 else counts[n] - 1 for n in numbers]


def _signals(table: pa.Table) -> list[str]:
    """The noteworthy marks of each account, for the ``signals`` column of accounts.csv."""
    rows = table.select(["created_at", "handle_template", "name_mismatch", "bio_shared_with",
                         "image_shared_with", "top_client", "client_share", "posts",
                         "lang_mismatch", "account_lang", "post_lang", "schedule",
                         "utc_offset", "schedule_fit"]).to_pylist()
    out = []
    for r in rows:
        marks = []
        if r["created_at"] is not None:
            marks.append(f"created={r['created_at']:%Y-%m-%d}")
        if r["handle_template"]:
            marks.append(f"handle_template={r['handle_template']}")
        if r["name_mismatch"]:
            marks.append("name_mismatch")
        if r["bio_shared_with"]:
            marks.append(f"bio_shared_with={r['bio_shared_with']}")
        if r["image_shared_with"]:
            marks.append(f"image_shared_with={r['image_shared_with']}")
        if (r["client_share"] or 0) >= ONE_CLIENT_SHARE and r["posts"] >= ONE_CLIENT_POSTS:
            marks.append(f"one_client={r['top_client']}")
        if r["lang_mismatch"]:
            marks.append(f"lang_mismatch={r['account_lang']}/{r['post_lang']}")
        if r["schedule"]:
            sign = "+" if r["utc_offset"] >= 0 else "-"
            marks.append(f"schedule={r['schedule'].replace(' ', '_')}@UTC{sign}"
                         f"{abs(r['utc_offset']):02d}({r['schedule_fit']:.2f})")
        out.append(";".join(marks))
    return out
