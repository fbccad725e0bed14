"""URL keys in worker processes (ural is pure Python, so threads would not help).

``python .../url_worker.py KIND`` reads a JSON list of URLs on stdin and writes the JSON
list of their keys. A fresh interpreter, not a fork: the parent runs DuckDB threads that
may hold locks, and it may be a user's script without a ``__main__`` guard, which
multiprocessing's spawn would import again. The worker loads only the key modules it
needs (not the whole package, which would cost a second per worker)."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path

KINDS = ("canonical", "domain", "shortened")
# with fewer distinct URLs, starting the workers costs more than it saves
PARALLEL_URLS = 20_000


def key_function(kind: str) -> Callable[[str], object]:
    """The function computing one kind of URL key."""
    if kind == "canonical":
        from sockscope.keys.normalize_url import normalize_url
        return normalize_url
    if kind == "domain":
        from sockscope.keys.url_domain import url_domain
        return url_domain
    if kind == "shortened":
        from sockscope.keys.is_shortened_url import is_shortened_url
        return is_shortened_url
    raise ValueError(f"unknown URL key {kind!r}; one of {', '.join(KINDS)}")


def url_keys(kind: str, urls: list[str]) -> list:
    """``[key_function(kind)(u) for u in urls]``, in one worker process per core when
    there are many URLs (the same values either way)."""
    from sockscope.keys.threads import cores, map_threads

    workers = cores()
    if workers < 2 or len(urls) < PARALLEL_URLS:
        function = key_function(kind)
        return [function(u) for u in urls]
    step = -(-len(urls) // workers)
    parts = [urls[i:i + step] for i in range(0, len(urls), step)]
    return [key for part in map_threads(lambda p: _in_worker(kind, p), parts) for key in part]


def _in_worker(kind: str, urls: list[str]) -> list:
    try:
        done = subprocess.run([sys.executable, __file__, kind],
                              input=json.dumps(urls).encode(), capture_output=True, check=False)
    except OSError:  # no interpreter to start (an embedded Python)
        done = None
    if done is None or done.returncode != 0:  # compute here instead: the same values
        function = key_function(kind)
        return [function(u) for u in urls]
    return json.loads(done.stdout)


def _load_key_modules_only() -> None:
    """Make ``sockscope.keys.*`` importable without running the packages'
    ``__init__`` (which loads DuckDB, Arrow and every stage)."""
    keys = Path(__file__).resolve().parent
    for name, folder in (("sockscope", keys.parent.parent), ("sockscope.detect", keys.parent),
                         ("sockscope.keys", keys)):
        package = types.ModuleType(name)
        package.__path__ = [str(folder)]
        sys.modules[name] = package


if __name__ == "__main__":
    _load_key_modules_only()
    compute = key_function(sys.argv[1])
    json.dump([compute(u) for u in json.load(sys.stdin)], sys.stdout)
