"""Faults, limits and abuse, through the command line in a child process.

The mutation fuzzer (``sockscope.lab.fuzz``) damages file contents. These cases damage
everything around them: special files given as input, output paths that cannot take a
result, limits set with ``ulimit`` (file size, address space) or ``--memory-limit``,
values no real post has (times at epoch-ms 9e15, ``Infinity``, year 0), mistyped
options and parameters, and control characters that would reach a terminal. Each case
runs ``python -m sockscope`` in its own process group with a time limit, and is judged:

- **hang**: it did not end within ``TIME_LIMIT`` seconds;
- **traceback**: a Python traceback, or an exit code other than 0 (a result), 2 (a
  one-line error) or 130 (an interrupt);
- **no reason**: it failed without saying why on stderr;
- **terminal injection**: an escape or control byte from the data reached the output;
- **clean**: anything else.

``python benchmarks/fuzz.py`` runs them after the mutants; the test suite runs them all.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

TIME_LIMIT = 120
FAILURES = ("hang", "traceback", "no reason", "terminal injection")
_POSTS_HEADER = ["tweetid", "userid", "user_screen_name", "user_display_name", "tweet_text",
                 "tweet_time", "is_retweet", "retweet_tweetid", "retweet_userid"]


@dataclass(frozen=True)
class Case:
    """One fault: ``setup(folder)`` makes its files and returns the command line's
    arguments; ``limits`` are ``ulimit`` options set in the child first."""

    name: str
    kind: str
    setup: Callable[[Path], list[str]]
    limits: str = ""


@dataclass
class Outcome:
    case: str
    kind: str
    outcome: str
    detail: str = ""


def _posts(folder: Path, rows: list[list[str]], name: str = "posts.csv") -> Path:
    """An archive-layout CSV of ``rows`` (tweetid, userid, handle, name, text, time)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_POSTS_HEADER)
    for row in rows:
        writer.writerow([*row, "false", "", ""])
    path = folder / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _normal_posts(count: int = 60) -> list[list[str]]:
    return [[str(1000 + i), f"u{i % 6}", f"user{i % 6}", f"User {i % 6}",
             f"the same words {i % 5}", f"2020-01-0{1 + i % 5} 10:{i % 60:02d}:00"]
            for i in range(count)]


def _articles(folder: Path, bad_date: str) -> Path:
    rows = [["byline", "outlet", "published_at", "title", "text"]]
    for b in range(4):
        for a in range(3):
            rows.append([f"Writer {b}", "The Post", f"2021-05-0{1 + a}",
                         f"Title {b} {a}", " ".join(f"word{(b * 7 + a * i) % 40}"
                                                     for i in range(300))])
    rows[1][2] = bad_date
    path = folder / "articles.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _fifo(folder: Path) -> list[str]:
    fifo = folder / "pipe.csv"
    os.mkfifo(fifo)
    return ["ingest", str(fifo), "--db", str(folder / "run.duckdb")]


def _device(folder: Path) -> list[str]:
    link = folder / "zero.csv"
    link.symlink_to("/dev/zero")
    return ["detect", str(link), "--out", str(folder / "r")]


def _out_is_file(folder: Path) -> list[str]:
    (folder / "taken").write_text("not a folder\n")
    return ["detect", str(_posts(folder, _normal_posts())), "--out", str(folder / "taken")]


def _out_holds_other_files(folder: Path) -> list[str]:
    (folder / "r").mkdir()
    (folder / "r" / "thesis.docx").write_text("mine\n")
    return ["detect", str(_posts(folder, _normal_posts())), "--out", str(folder / "r")]


def _out_is_root(folder: Path) -> list[str]:
    return ["detect", str(_posts(folder, _normal_posts())), "--out", "/"]


def _detected(folder: Path, posts: Path) -> Path:
    """A run database with a detection result for ``posts`` (made before the case runs)."""
    db = folder / "run.duckdb"
    subprocess.run([sys.executable, "-m", "sockscope", "detect", str(posts), "--db", str(db),
                    "--out", str(folder / "r"), "--quiet"],
                   check=True, capture_output=True, timeout=TIME_LIMIT)
    return db


def _report_out_is_folder(folder: Path) -> list[str]:
    db = _detected(folder, _posts(folder, _normal_posts()))
    return ["report", "--db", str(db), "--out", str(folder / "r")]


def _file_size_limit(folder: Path) -> list[str]:
    return ["detect", str(_posts(folder, _normal_posts(400))), "--out", str(folder / "r")]


def _memory_limit(folder: Path) -> list[str]:
    return ["detect", str(_posts(folder, _normal_posts(400))), "--out", str(folder / "r"),
            "--memory-limit", "30MB"]


def _bad_memory_limit(folder: Path) -> list[str]:
    return ["detect", str(_posts(folder, _normal_posts())), "--out", str(folder / "r"),
            "--memory-limit", "lots"]


def _extreme_time(value: str) -> Callable[[Path], list[str]]:
    def setup(folder: Path) -> list[str]:
        rows = _normal_posts()
        rows[3][5] = value
        return ["detect", str(_posts(folder, rows)), "--out", str(folder / "r")]
    return setup


def _extreme_article_date(value: str) -> Callable[[Path], list[str]]:
    def setup(folder: Path) -> list[str]:
        return ["bylines", str(_articles(folder, value)), "--out", str(folder / "b")]
    return setup


def _huge_window(folder: Path) -> list[str]:
    return ["detect", str(_posts(folder, _normal_posts())), "--out", str(folder / "r"),
            "--window", "co-repost=100000000000000000000"]


def _parameters_list(folder: Path) -> list[str]:
    (folder / "manifest.json").write_text(json.dumps({"parameters": [1, 2, 3]}))
    return ["detect", str(_posts(folder, _normal_posts())), "--out", str(folder / "r"),
            "--parameters", str(folder / "manifest.json")]


def _binary_truth(folder: Path) -> list[str]:
    (folder / "r").mkdir()
    (folder / "r" / "accounts.csv").write_text("account_id,flagged,group_id\n")
    (folder / "truth.csv").write_bytes(bytes(range(256)) * 8)
    return ["evaluate", "--truth", str(folder / "truth.csv"), "--result", str(folder / "r")]


def _escape_in_handle(folder: Path) -> list[str]:
    rows = _normal_posts()
    for row in rows:
        if row[1] == "u1":
            row[2] = "evil\x1b]0;owned\x07\x1b[2J"
            row[3] = "Name\x1b[8mhidden\x9b31m"
    return ["account", "u1", "--db", str(_detected(folder, _posts(folder, rows)))]


CASES: list[Case] = [
    Case("fifo as input", "special file", _fifo),
    Case("/dev/zero as input", "special file", _device),
    Case("--out names a file", "output path", _out_is_file),
    Case("--out holds other files", "output path", _out_holds_other_files),
    Case("--out /", "output path", _out_is_root),
    Case("report --out names a folder", "output path", _report_out_is_folder),
    Case("ulimit -f 16 (16 KB files)", "resource limit", _file_size_limit, "-f 16"),
    Case("--memory-limit 30MB", "resource limit", _memory_limit),
    Case("--memory-limit lots", "resource limit", _bad_memory_limit),
    Case("post at epoch-ms 9e15", "extreme value", _extreme_time("9000000000000000")),
    Case("post at Infinity", "extreme value", _extreme_time("Infinity")),
    Case("post at -Infinity", "extreme value", _extreme_time("-Infinity")),
    Case("post in year 0", "extreme value", _extreme_time("0000-01-01 00:00:00")),
    Case("article dated 0000-01-01", "extreme value", _extreme_article_date("0000-01-01")),
    Case("article at epoch-ms 9e15", "extreme value",
         _extreme_article_date("9000000000000000")),
    Case("--window of 1e20 s", "option abuse", _huge_window),
    Case("--parameters holding a list", "option abuse", _parameters_list),
    Case("binary truth file", "option abuse", _binary_truth),
    Case("escape sequences in a handle", "terminal", _escape_in_handle),
]


def judge(case: Case, folder: Path) -> Outcome:
    """Run one case in ``folder`` (made empty by the caller)."""
    try:
        arguments = case.setup(folder)
    except (OSError, subprocess.SubprocessError) as exc:
        return Outcome(case.name, case.kind, "clean", f"cannot be set up here: {exc}")
    command = [sys.executable, "-m", "sockscope", *arguments]
    if case.limits:
        command = ["bash", "-c", f"ulimit {case.limits} && exec \"$@\"", "bash", *command]
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True,
                             env={**os.environ, "COLUMNS": "200"})
    try:
        out, err = child.communicate(timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        return Outcome(case.name, case.kind, "hang", f"still running after {TIME_LIMIT} s")
    stderr = err.decode("utf-8", "replace")
    last = stderr.strip().splitlines()[-1:] or [""]
    if "Traceback (most recent call last)" in stderr or child.returncode not in (0, 2, 130):
        return Outcome(case.name, case.kind, "traceback",
                       f"exit {child.returncode}: {last[0][:200]}")
    if child.returncode and not stderr.strip():
        return Outcome(case.name, case.kind, "no reason", f"exit {child.returncode}")
    if any(byte in out + err for byte in (b"\x1b", b"\x07", b"\x9b", b"\xc2\x9b")):
        return Outcome(case.name, case.kind, "terminal injection",
                       "an escape or control byte reached the output")
    # the error as said (a long line may wrap on the console)
    said = " ".join(stderr[stderr.rfind("error:"):].split())[:300] if child.returncode \
        else "a result"
    return Outcome(case.name, case.kind, "clean", f"exit {child.returncode}: {said}")


def judge_all(workdir: Path) -> Iterator[Outcome]:
    for number, case in enumerate(CASES):
        folder = workdir / f"case{number:02d}"
        folder.mkdir(parents=True)
        yield judge(case, folder)
