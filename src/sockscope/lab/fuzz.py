"""A mutation fuzzer for ingest: nothing lost, nothing half-written, no tracebacks.

One small valid file per source format (zipped and gzipped too) is mutated in the ways
real files go wrong: truncation, byte flips, NUL bytes, a BOM, CRLF or CR-only line
ends, latin-1/cp1252/UTF-16 encodings, a 10 MB field, deep nesting, empty and
header-only files, duplicate headers and records, wrong JSON types, corrupt or nested
archives, times no post carries (epoch-ms 9e15, infinities, year 0), archives that say
they are encrypted, and zip bombs (which must be refused, never read as nothing). Each
mutant is ingested twice, and judged:

- **traceback**: anything but a ``SockscopeError`` (the one-line error a user can act
  on) escaped;
- **silent loss**: the report does not add up (rows read != kept + skipped, or the
  rows stored != rows kept), or rows read differ from an independent count of the
  file's records made with Python's own csv/json parsers (where those can parse the
  file at all: a file they reject has no independent count);
- **partial strict**: ``--strict`` failed but left a database behind, or changed one
  that existed.

``python benchmarks/fuzz.py`` runs hundreds of mutants; the test suite runs a seeded
subset.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import re
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sockscope.errors import SockscopeError

BIG_FIELD = 10 * 1024 * 1024
FAILURES = ("traceback", "silent loss", "partial strict", "not refused")
DEEP = 20_000


@dataclass(frozen=True)
class Seed:
    """A valid input file, and how the user would ingest it."""

    name: str
    filename: str
    data: bytes
    fmt: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    counter: str = "csv"  # csv | lines | pages | array | telegram: how to count records


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def seeds() -> list[Seed]:
    """One valid file per reader."""
    archive = [["tweetid", "userid", "user_screen_name", "user_display_name",
                "account_creation_date", "tweet_language", "tweet_text", "tweet_time",
                "tweet_client_name", "is_retweet", "retweet_userid", "retweet_tweetid",
                "hashtags", "urls", "user_mentions"]]
    for i in range(12):
        archive.append([str(100 + i), f"u{i % 4}", f"name{i % 4}", f"Nàme {i % 4}",
                        "2019-05-01", "en", f"text number {i}, with a comma\nand a line",
                        f"2020-01-0{1 + i % 9} 10:{i:02d}", "Twitter Web App",
                        "true" if i % 3 == 0 else "false", "u9" if i % 3 == 0 else "",
                        "99" if i % 3 == 0 else "", "['tag', 'été']", "['https://ex.com/a']",
                        "['u2']"])
    users = [["userid", "user_display_name", "user_screen_name", "user_reported_location",
              "user_profile_description", "follower_count", "following_count",
              "account_creation_date", "account_language"]]
    users += [[f"u{i}", f"Nàme {i}", f"name{i}", "Zürich", f"bio {i}", str(i * 10), "5",
               "2019-05-01", "en"] for i in range(8)]
    pages = []
    for page in range(4):
        data = [{"id": str(1000 + page * 3 + k), "author_id": f"a{k}",
                 "created_at": f"2024-03-0{page + 1}T10:0{k}:00.000Z", "text": f"héllo {page} {k}",
                 "entities": {"hashtags": [{"tag": "World"}], "urls": [
                     {"url": "https://t.co/x", "expanded_url": "https://ex.com/a"}],
                     "mentions": [{"username": "bob", "id": "a1"}]},
                 **({"referenced_tweets": [{"type": "retweeted", "id": "1000"}]} if k == 2
                    else {})} for k in range(3)]
        pages.append(json.dumps({"data": data, "includes": {
            "users": [{"id": f"a{k}", "username": f"user{k}", "name": f"Üser {k}"}
                      for k in range(3)], "tweets": [{"id": "1000", "author_id": "a0"}]}},
            ensure_ascii=False))
    twarc_csv = [["id", "conversation_id", "author_id", "created_at", "text", "lang",
                  "author.username", "entities.hashtags", "entities.urls",
                  "referenced_tweets.retweeted.id"]]
    twarc_csv += [[str(500 + i), str(500 + i), f"a{i % 3}", f"2024-03-04T10:0{i}:00.000Z",
                   f"tëxt {i}", "en", f"user{i % 3}", '["#tag"]', '["https://ex.com/b"]',
                   "499" if i % 2 else ""] for i in range(8)]
    v1 = [json.dumps({"id_str": str(2000 + i), "created_at": f"Mon Mar 04 10:0{i}:00 +0000 2024",
                      "full_text": f"tweet {i} ünïcode", "source": "<a href=\"x\">Web</a>",
                      "user": {"id_str": f"v{i % 3}", "screen_name": f"v{i % 3}"},
                      "entities": {"hashtags": [{"text": "Tag"}], "urls": [],
                                   "user_mentions": []}}, ensure_ascii=False)
          for i in range(6)]
    telegram = {"name": "Chännel", "type": "public_channel", "id": 777, "messages": [
        {"id": i, "type": "message", "date": f"2024-03-04T10:0{i}:00",
         "date_unixtime": str(1709546400 + i * 60), "from": "Chännel", "from_id": "channel777",
         "text": [f"post {i} ", {"type": "hashtag", "text": "#tag"}],
         "text_entities": [{"type": "plain", "text": f"post {i} "},
                           {"type": "hashtag", "text": "#tag"}]} for i in range(1, 9)]}
    articles = [["byline", "outlet", "published_at", "title", "text", "url"]]
    articles += [[f"Writer {i % 3}", f"Outlet {i % 2}", f"2024-03-0{i + 1}", f"Títle {i}",
                  f"Body of article {i}, long enough to count.", f"https://o.example/{i}"]
                 for i in range(6)]
    table = [["share", "who", "what", "when"]]
    table += [[f"s{i}", f"w{i % 4}", f"P{i % 3}", str(1_700_000_000 + i * 7)] for i in range(15)]
    return [
        Seed("archive-tweets", "tweets.csv", _csv(archive)),
        Seed("archive-users", "users.csv", _csv(users)),
        Seed("twitter-v2-jsonl", "pages.jsonl", ("\n".join(pages) + "\n").encode(),
             counter="pages"),
        Seed("twarc-csv", "twarc.csv", _csv(twarc_csv)),
        Seed("twitter-v1", "v1.jsonl", ("\n".join(v1) + "\n").encode(), counter="lines"),
        Seed("twitter-v1-array", "v1.json", ("[" + ",\n".join(v1) + "]").encode(),
             counter="array"),
        Seed("telegram", "result.json", json.dumps(telegram, ensure_ascii=False, indent=1)
             .encode(), counter="telegram"),
        Seed("articles", "articles.csv", _csv(articles)),
        Seed("table", "shares.csv", _csv(table), fmt="table",
             mapping={"post_id": "share", "account_id": "who", "repost_of_post": "what",
                      "created_at": "when"}),
    ]


# ---------------------------------------------------------------- mutations

Mutation = Callable[[bytes, random.Random, Seed], tuple[bytes, str]]


def _truncate(data, rng, seed):
    return data[:rng.randrange(1, max(2, len(data)))], seed.filename


def _flip(data, rng, seed):
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out), seed.filename


def _nul(data, rng, seed):
    at = rng.randrange(len(data))
    return data[:at] + b"\x00" + data[at:], seed.filename


def _bom(data, rng, seed):
    return b"\xef\xbb\xbf" + data, seed.filename


def _bom_only(data, rng, seed):
    return b"\xef\xbb\xbf", seed.filename


def _crlf(data, rng, seed):
    return data.replace(b"\n", b"\r\n"), seed.filename


def _cr_only(data, rng, seed):
    return data.replace(b"\n", b"\r"), seed.filename


def _encoding(name: str) -> Mutation:
    def mutate(data, rng, seed):
        return data.decode("utf-8").encode(name, errors="replace"), seed.filename
    mutate.__name__ = f"_{name.replace('-', '')}"
    return mutate


def _big_field(data, rng, seed):
    # a 10 MB run of text without spaces inside the first text-like value
    text = data.decode("utf-8")
    for needle in ('"text": "', '"full_text": "', "text number", "Body of", "tëxt", "post "):
        at = text.find(needle)
        if at >= 0:
            at += len(needle)
            return (text[:at] + "x" * BIG_FIELD + text[at:]).encode("utf-8"), seed.filename
    at = len(data) // 2
    return data[:at] + b"y" * BIG_FIELD + data[at:], seed.filename


def _deep(data, rng, seed):
    text = data.decode("utf-8")
    at = text.find("{")
    if at < 0:
        return b"[" * DEEP + data + b"]" * DEEP, seed.filename
    nested = '"deep": ' + "[" * DEEP + "]" * DEEP + ", "
    return (text[:at + 1] + nested + text[at + 1:]).encode("utf-8"), seed.filename


def _empty(data, rng, seed):
    return b"", seed.filename


def _header_only(data, rng, seed):
    return data.split(b"\n", 1)[0] + b"\n", seed.filename


def _duplicate_header(data, rng, seed):
    first, _, rest = data.partition(b"\n")
    cells = first.split(b",")
    if len(cells) > 1:
        cells[-1] = cells[0]
    return b",".join(cells) + b"\n" + rest, seed.filename


def _doubled(data, rng, seed):
    if seed.counter in ("csv",):
        head, _, rest = data.partition(b"\n")
        return data + rest, seed.filename
    return data + (b"\n" if not data.endswith(b"\n") else b"") + data, seed.filename


WRONG_TYPES = [('"users": [', '"users": "x", "_u": ['),
               ('"referenced_tweets": [', '"referenced_tweets": {"a": 1}, "_r": ['),
               ('"text_entities": [', '"text_entities": "x", "_t": ['),
               ('"entities": {', '"entities": [], "_e": {'),
               ('"hashtags": [', '"hashtags": {}, "_h": ['),
               ('"data": [', '"data": 7, "_d": ['),
               ('"messages": [', '"messages": {"a": 1}, "_m": ['),
               ('"user": {', '"user": "nobody", "_us": {'),
               ('"created_at": "', '"created_at": 5, "_c": "')]


def _wrong_type(data, rng, seed):
    text = data.decode("utf-8")
    options = [(a, b) for a, b in WRONG_TYPES if a in text]
    if not options:
        return data, seed.filename
    old, new = rng.choice(options)
    if rng.random() < 0.5:
        return text.replace(old, new, 1).encode("utf-8"), seed.filename
    return text.replace(old, new).encode("utf-8"), seed.filename


def _zipped(data, rng, seed):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(seed.filename, data)
    return out.getvalue(), seed.filename + ".zip"


def _gzipped(data, rng, seed):
    return gzip.compress(data, mtime=0), seed.filename + ".gz"


def _corrupt_zip(data, rng, seed):
    zipped, name = _zipped(data, rng, seed)
    if rng.random() < 0.5:
        return zipped[:rng.randrange(10, len(zipped))], name
    return _flip(zipped, rng, seed)[0], name


def _corrupt_gzip(data, rng, seed):
    gz, name = _gzipped(data, rng, seed)
    if rng.random() < 0.5:
        return gz[:rng.randrange(10, len(gz))], name
    return _flip(gz, rng, seed)[0], name


def _nested_zip(data, rng, seed):
    inner, _ = _zipped(data, rng, seed)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("inner.zip", inner)
    return out.getvalue(), seed.filename + ".outer.zip"


# times no collection holds: year 287,168 in epoch ms, infinities, year 0 and 9999
EXTREME_TIMES = ["9000000000000000", "Infinity", "-Infinity", "NaN", "0000-01-01 00:00:00",
                 "9999-12-31 23:59:59", "1e308"]
_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?")
_TWITTER_TIME = re.compile(r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d [+-]\d{4} \d{4}")
_DATE = re.compile(r"(?<!\d)\d{4}-\d\d-\d\d(?!\d)")
_EPOCH = re.compile(r"(?<![\w.])1[3-7]\d{8}(?:\d{3})?(?![\w.])")


def _extreme_value(data, rng, seed):
    """One time replaced by a value no real post carries (quoted where JSON needs it)."""
    text = data.decode("utf-8")
    value = rng.choice(EXTREME_TIMES)
    for pattern in (_ISO_TIME, _TWITTER_TIME, _EPOCH, _DATE):
        found = list(pattern.finditer(text))
        if found:
            match = rng.choice(found)
            quoted = text[match.start() - 1:match.start()] == '"'
            new = value if quoted or not seed.filename.endswith((".json", ".jsonl")) \
                else json.dumps(value)
            return (text[:match.start()] + new + text[match.end():]).encode("utf-8"), \
                seed.filename
    return data, seed.filename


def _encrypted_zip(data, rng, seed):
    """A zip whose member says it is encrypted (the flag every unzip tool reads)."""
    zipped, name = _zipped(data, rng, seed)
    out = bytearray(zipped)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = out.find(signature)
        while at >= 0:
            out[at + offset] |= 0x1
            at = out.find(signature, at + 4)
    return bytes(out), name


def _zip_bomb(data, rng, seed):
    """The file followed by a body of NUL bytes that deflates a thousandfold and more:
    an archive to refuse before unpacking, never one to read as nothing."""
    from sockscope.ingest.source import LARGE_MEMBER

    out = io.BytesIO()
    block = bytes(1 << 20)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open(seed.filename, "w", force_zip64=True) as member:
        member.write(data)
        for _ in range(LARGE_MEMBER // len(block) + 1):
            member.write(block)
    return out.getvalue(), seed.filename + ".zip"


MUTATIONS: list[Mutation] = [
    _truncate, _flip, _nul, _bom, _bom_only, _crlf, _cr_only, _encoding("latin-1"),
    _encoding("cp1252"), _encoding("utf-16"), _big_field, _deep, _empty, _header_only,
    _duplicate_header, _doubled, _wrong_type, _zipped, _gzipped, _corrupt_zip,
    _corrupt_gzip, _nested_zip, _extreme_value, _encrypted_zip, _zip_bomb,
]
# mutants that must be refused, not read: reading them at all is the failure
MUST_REFUSE = {"encrypted_zip", "zip_bomb"}


def mutants(count: int, seed: int = 0, only: set[str] | None = None
            ) -> Iterator[tuple[Seed, str, bytes, str]]:
    """``count`` mutants (seed file, mutation name, bytes, file name), deterministic for
    ``seed``: every mutation (or those named in ``only``) over every seed file in turn,
    with fresh randomness."""
    rng = random.Random(seed)
    files = seeds()
    produced = 0
    chosen = [m for m in MUTATIONS if only is None or m.__name__.strip("_") in only]
    while produced < count:
        for mutation in chosen:
            for source in files:
                if produced >= count:
                    return
                data, name = mutation(source.data, rng, source)
                produced += 1
                yield source, mutation.__name__.strip("_"), data, name


# ---------------------------------------------------------------- independent counts

def independent_count(source: Seed, data: bytes, name: str) -> int | None:
    """Records in the file by Python's own parsers, or None where they cannot parse it."""
    try:
        if name.endswith(".gz"):
            data = gzip.decompress(data)
        elif name.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = archive.infolist()
                if len(members) != 1 or members[0].filename.endswith(".zip"):
                    return None
                data = archive.read(members[0])
        text = data.decode("utf-8")
    except Exception:
        return None
    text = text.removeprefix("\ufeff")
    if "\x00" in text or not text.strip():
        return None
    try:
        if source.counter == "csv":
            if "\r" in text.replace("\r\n", "\n"):
                return None  # CR-only line ends: readers differ on what a line is
            rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
            if not rows:
                return None
            return sum(1 for row in rows[1:] if row)
        if source.counter in ("lines", "pages"):
            count = 0
            for line in text.splitlines():
                if not line.strip():
                    continue
                if source.counter == "pages":
                    try:
                        value = json.loads(line)
                    except ValueError:
                        count += 1
                        continue
                    data_value = value.get("data") if isinstance(value, dict) else None
                    count += len(data_value) if isinstance(data_value, list) and data_value \
                        else 1
                else:
                    count += 1
            return count
        value = json.loads(text)
        if source.counter == "array":
            return len(value) if isinstance(value, list) else None
        messages = value.get("messages") if isinstance(value, dict) else None
        return len(messages) if isinstance(messages, list) else None
    except (ValueError, csv.Error, RecursionError):
        return None


# ---------------------------------------------------------------- judging

@dataclass
class Verdict:
    seed: str
    mutation: str
    outcome: str  # ingested | refused | traceback | silent loss | partial strict
    detail: str = ""
    counted: bool = False  # rows read were checked against an independent count


def judge(source: Seed, mutation: str, data: bytes, name: str, workdir: Path) -> Verdict:
    """Ingest one mutant plainly and with --strict, and say what happened."""
    from sockscope import api
    from sockscope.store.database import connect

    path = workdir / name
    path.write_bytes(data)
    kwargs = {"fmt": source.fmt, "mapping": source.mapping or None}
    verdict = Verdict(source.name, mutation, "ingested")
    con = connect()
    try:
        result = api.ingest([path], connection=con, **kwargs)
        problem = _bookkeeping(con, result.reports, source, data, name)
        if problem:
            verdict = Verdict(source.name, mutation, "silent loss", problem)
        verdict.counted = independent_count(source, data, name) is not None
    except SockscopeError as exc:
        verdict = Verdict(source.name, mutation, "refused", str(exc)[:200])
    except Exception as exc:  # noqa: BLE001 - that is what the fuzzer looks for
        return Verdict(source.name, mutation, "traceback", f"{type(exc).__name__}: {exc}"[:300])
    finally:
        con.close()
    if verdict.outcome in FAILURES:
        return verdict
    if mutation in MUST_REFUSE and verdict.outcome != "refused":
        return Verdict(source.name, mutation, "not refused",
                       "a hostile archive was unpacked and read")
    return _strict(path, kwargs, workdir) or verdict


def _bookkeeping(con, reports, source: Seed, data: bytes, name: str) -> str | None:
    stored = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
              for t in ("posts", "articles")}
    stored["accounts"] = con.execute(
        "SELECT count(*) FROM accounts WHERE has_profile").fetchall()[0][0]
    kept: Counter[str] = Counter()
    read = 0
    for report in reports:
        skipped = sum(s.count for s in report.skips)
        if report.rows_read != report.rows_kept + report.rows_skipped \
                or skipped != report.rows_skipped:
            return (f"{report.display}: read {report.rows_read} != kept {report.rows_kept} + "
                    f"skipped {report.rows_skipped} (reasons add to {skipped})")
        kept[report.target] += report.rows_kept
        read += report.rows_read
    for target, rows in kept.items():
        if target in ("posts", "articles") and stored[target] != rows:
            return f"{target}: {rows} kept but {stored[target]} stored"
        if target == "accounts" and stored["accounts"] < rows:
            return f"accounts: {rows} kept but {stored['accounts']} profiles stored"
    expected = independent_count(source, data, name)
    if expected is not None and expected != read:
        return f"read {read} records, the file holds {expected}"
    return None


def _strict(path: Path, kwargs: dict, workdir: Path) -> Verdict | None:
    from sockscope import api
    from sockscope.store.database import remove_database

    db = workdir / "strict.duckdb"
    remove_database(db)
    try:
        result = api.ingest([path], db, strict=True, **kwargs)
        result.connection.close()
        return None
    except SockscopeError:
        pass
    except Exception as exc:  # noqa: BLE001
        return Verdict("", "", "traceback", f"--strict: {type(exc).__name__}: {exc}"[:300])
    if db.exists():
        return Verdict("", "", "partial strict", "a failed --strict ingest left a database")
    return None


def judge_all(count: int, seed: int = 0, only: set[str] | None = None) -> Iterator[Verdict]:
    """The verdict on each of ``count`` mutants, in order."""
    with tempfile.TemporaryDirectory(prefix="sockscope-fuzz-") as tmp:
        for number, (source, mutation, data, name) in enumerate(mutants(count, seed, only)):
            workdir = Path(tmp) / str(number)
            workdir.mkdir()
            verdict = judge(source, mutation, data, name, workdir)
            if not verdict.seed:
                verdict.seed, verdict.mutation = source.name, mutation
            for leftover in workdir.iterdir():
                leftover.unlink()
            workdir.rmdir()
            yield verdict


def run(count: int, seed: int = 0, only: set[str] | None = None
        ) -> tuple[Counter[str], list[Verdict]]:
    """Judge ``count`` mutants; returns outcome totals and the verdicts that are failures."""
    totals: Counter[str] = Counter()
    failures: list[Verdict] = []
    for verdict in judge_all(count, seed, only):
        totals[verdict.outcome] += 1
        if verdict.outcome in FAILURES:
            failures.append(verdict)
    return totals, failures
