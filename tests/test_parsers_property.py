"""Property tests for the SQL list-string and time parsers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sockscope.store.database import connect

printable = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")).filter(
        str.isprintable), min_size=0, max_size=20)


@pytest.fixture(scope="module")
def db():
    connection = connect()
    yield connection
    connection.close()


@settings(max_examples=200, deadline=None)
@given(st.lists(printable, max_size=6))
def test_python_list_repr_round_trips(db, items):
    # the archive writes list columns with Python's repr of a list of strings
    assert db.execute("SELECT ss_parse_list(?)", [repr(items)]).fetchone()[0] == items


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="abcdefghij0123456789_", min_size=1, max_size=10),
                max_size=6))
def test_bare_comma_lists(db, items):
    assert db.execute("SELECT ss_parse_list(?)", ["[" + ", ".join(items) + "]"]).fetchone()[0] \
        == items


@pytest.mark.parametrize("text", [None, "", "  ", "[]", "[ ]"])
def test_empty_lists(db, text):
    assert db.execute("SELECT ss_parse_list(?)", [text]).fetchone()[0] == []


moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2035, 12, 31))
offsets = st.integers(min_value=-14 * 4, max_value=14 * 4).map(lambda q: timedelta(minutes=15 * q))


def _utc(moment: datetime, offset: timedelta) -> datetime:
    return moment.replace(tzinfo=timezone(offset)).astimezone(UTC).replace(tzinfo=None)


@settings(max_examples=150, deadline=None)
@given(moments, offsets)
def test_iso_with_offset_is_converted_to_utc(db, moment, offset):
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    text = moment.replace(tzinfo=timezone(offset)).isoformat(timespec="milliseconds")
    assert db.execute("SELECT ss_parse_time(?)", [text]).fetchone()[0] == _utc(moment, offset)


@settings(max_examples=100, deadline=None)
@given(moments)
def test_naive_and_z_times_are_utc(db, moment):
    moment = moment.replace(microsecond=0)
    for text in (moment.strftime("%Y-%m-%d %H:%M:%S"), moment.strftime("%Y-%m-%dT%H:%M:%SZ")):
        assert db.execute("SELECT ss_parse_time(?), ss_time_precision(?)",
                          [text, text]).fetchone() == (moment, 1)


@settings(max_examples=100, deadline=None)
@given(moments)
def test_minute_resolution_archive_times(db, moment):
    moment = moment.replace(second=0, microsecond=0)
    text = moment.strftime("%Y-%m-%d %H:%M")
    assert db.execute("SELECT ss_parse_time(?), ss_time_precision(?)",
                      [text, text]).fetchone() == (moment, 60)


@settings(max_examples=100, deadline=None)
@given(moments, offsets)
def test_api_v1_times(db, moment, offset):
    moment = moment.replace(microsecond=0)
    local = moment.replace(tzinfo=timezone(offset))
    text = local.strftime("%a %b %d %H:%M:%S %z %Y")
    assert db.execute("SELECT ss_parse_time(?)", [text]).fetchone()[0] == _utc(moment, offset)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=2_000_000_000))
def test_epoch_seconds_and_milliseconds(db, seconds):
    expected = datetime(1970, 1, 1) + timedelta(seconds=seconds)
    assert db.execute("SELECT ss_parse_time(?)", [str(seconds)]).fetchone()[0] == expected
    assert db.execute("SELECT ss_parse_time(?)", [f"{seconds}.0"]).fetchone()[0] == expected
    if seconds >= 100_000_000:  # epoch ms are told apart from seconds by magnitude
        assert db.execute("SELECT ss_parse_time(?)", [str(seconds * 1000)]).fetchone()[0] \
            == expected


@pytest.mark.parametrize("text", ["garbage", "2020-13-45 10:00", "31/02/2020 25:99", "12:00"])
def test_unparseable_times_are_null(db, text):
    assert db.execute("SELECT ss_parse_time(?)", [text]).fetchone()[0] is None
