"""Extension points: a package adds a trace, a reader check and a writer through entry
points, without touching sockscope's code."""

from __future__ import annotations

import sys
import textwrap

import pytest

from sockscope import api
from sockscope.errors import SockscopeError
from sockscope.plugins import READERS, TRACES, WRITERS
from sockscope.store.database import connect

from .posts_factory import insert, post

PLUGIN = textwrap.dedent('''
    """An example third-party plugin: co-media, accounts posting the same image."""
    from sockscope.detect.traces.base import Trace


    def _actions(scratch):
        return """
            SELECT account_id, epoch(created_at) AS t, m AS key, post_id
            FROM (SELECT account_id, created_at, post_id, unnest(media) AS m FROM posts
                  WHERE len(media) > 0)
        """


    CO_MEDIA = Trace("co-media", 60, "posted the same images", _actions, "images")


    def write_media_keys(detection, out, context):
        keys = sorted({row["key"] for row in detection.evidence.to_pylist()
                       if row["behaviour"] == "co-media"})
        (out / "media_keys.txt").write_text("\\n".join(keys) + "\\n")
''')


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """Install the example plugin as a distribution on sys.path (entry points and all)."""
    (tmp_path / "sockscope_media_plugin.py").write_text(PLUGIN)
    dist = tmp_path / "sockscope_media_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: sockscope-media-plugin\n"
                                   "Version: 0.1\n")
    (dist / "entry_points.txt").write_text(
        "[sockscope.traces]\nco-media = sockscope_media_plugin:CO_MEDIA\n\n"
        "[sockscope.writers]\nmedia-keys = sockscope_media_plugin:write_media_keys\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for registry in (TRACES, WRITERS):
        registry.reload()
    yield tmp_path
    monkeypatch.delitem(sys.modules, "sockscope_media_plugin", raising=False)
    monkeypatch.undo()
    for registry in (TRACES, WRITERS):
        registry.reload()


def _team_sharing_images() -> list[dict]:
    rows = []
    for k in range(10):
        for i in range(4):
            rows.append(post(f"m{k}-{i}", f"team{i}", k * 3_600 + i * 4, text=f"look {k} {i}",
                             media=[f"img-{k}.jpg"]))
    for j in range(200):
        rows.append(post(f"o{j}", f"user{j % 50}", j * 173, text=f"my photo {j}",
                         media=[f"own-{j}.jpg"]))
    return rows


def test_a_plugin_trace_and_writer_join_a_run(plugin, tmp_path):
    assert "co-media" in TRACES and "media-keys" in WRITERS
    con = connect()
    insert(con, _team_sharing_images())
    detection = api.detect(out=tmp_path / "r", connection=con, traces=["co-media"])
    assert set(detection.membership) == {"team0", "team1", "team2", "team3"}
    assert detection.groups[0].summary.startswith("4 accounts posted the same images (")
    assert (tmp_path / "r" / "media_keys.txt").read_text().split() == [
        f"img-{k}.jpg" for k in range(10)]


def test_without_the_plugin_its_trace_is_unknown():
    with pytest.raises(SockscopeError, match="unknown trace 'co-media'; choose from co-repost"):
        api.detect(connection=connect(), traces=["co-media"])


def test_a_plugin_may_not_replace_a_builtin(tmp_path, monkeypatch):
    (tmp_path / "evil_plugin.py").write_text("TRACE = None\n")
    dist = tmp_path / "evil_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: evil-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[sockscope.traces]\nco-repost = evil_plugin:TRACE\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    TRACES.reload()
    try:
        with pytest.raises(SockscopeError, match="may not replace the built-in trace 'co-repost'"):
            TRACES.names()
    finally:
        monkeypatch.undo()
        TRACES.reload()
    assert "co-repost" in TRACES


def test_builtin_readers_are_registered_in_sniffing_order():
    assert READERS.names()[:2] == ["archive-tweets", "archive-users"]
    assert READERS["table"].sniff is None  # chosen only with --map or --format
