"""The operations stage: articles matched to posts, byline <-> group links, persona
accounts, and whole operations on a simulated operation world through the CLI."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta

import pyarrow as pa
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from typer.testing import CliRunner

import sockscope
from sockscope.cli import app
from sockscope.operations.links import byline_links
from sockscope.operations.personas import normalize_name, persona_accounts
from sockscope.operations.shares import SHARE_SCHEMA, match_shares

from .posts_factory import BASE, insert, post

runner = CliRunner()


def add_articles(con, rows: list[dict]) -> None:
    table = pa.Table.from_pylist([{"article_id": r["article_id"], "byline": r["byline"],
                                   "outlet": r.get("outlet", "The Ledger"),
                                   "published_at": r.get("published_at", BASE),
                                   "title": r.get("title"), "text": "words " * 50,
                                   "url": r.get("url")} for r in rows])
    con.register("_articles", table)
    con.execute("INSERT INTO articles SELECT * FROM _articles")
    con.unregister("_articles")


@pytest.mark.parametrize(("name", "expected"), [
    ("Linda Lopez", "lindalopez"),
    ("linda_lopez1987", "lindalopez"),
    ("Linda López", "lindalopez"),
    ("LINDA-LOPEZ", "lindalopez"),
    ("  Linda   Lopez  ", "lindalopez"),
    ("@linda.lopez_84", "lindalopez"),
    ("Zoë Ångström", "zoeangstrom"),
    ("𝐋𝐢𝐧𝐝𝐚 𝐋𝐨𝐩𝐞𝐳", "lindalopez"),  # styled letters, as used to dodge name filters
    ("Ｌｉｎｄａ_Ｌｏｐｅｚ", "lindalopez"),
    ("𝐴", "a"),
    ("Линда Лопес", "линдалопес"),
    ("", ""),
    (None, ""),
    ("2024", ""),
])
def test_names_are_compared_without_case_accents_separators_or_trailing_digits(name, expected):
    assert normalize_name(name) == expected, name


@given(st.text(max_size=40))
def test_normalising_a_name_twice_changes_nothing(name):
    once = normalize_name(name)
    assert normalize_name(once) == once


@given(st.text(alphabet=st.characters(categories=["Lu", "Ll"]), min_size=1, max_size=20),
       st.sampled_from([" ", "_", ".", "-", ""]), st.integers(0, 9999))
def test_separators_case_and_trailing_digits_do_not_matter(word, separator, digits):
    # letters whose upper case folds back to them (not Turkish dotless i, say)
    assume(word.upper().casefold() == word.casefold())
    assert normalize_name(f"{word}{separator}{word.upper()}{digits}") == \
        normalize_name(f"{word}{word}")


def test_shares_match_canonical_urls_and_titles_with_their_delay(con):
    add_articles(con, [
        {"article_id": "A1", "byline": "Linda Lopez",
         "url": "https://www.ledger.example/opinion/the-quiet-harbour-1",
         "title": "The Quiet Harbour Keeps Its Secrets Well"},
        {"article_id": "A2", "byline": "Mark Ellison",
         "url": "https://ledger.example/opinion/other-2", "title": "Short title"}])
    insert(con, [
        post("p1", "u1", 600, urls=["http://ledger.example/opinion/the-quiet-harbour-1/"]),
        post("p2", "u2", 900, urls=["https://m.ledger.example/opinion/the-quiet-harbour-1"
                                    "?utm_source=twitter&utm_medium=social"]),
        post("p3", "u3", 1200, text="Must read: the quiet harbour keeps its SECRETS, well!"),
        # a post with a link to something else is matched by its link, not its words
        post("p4", "u4", 1300, text="the quiet harbour keeps its secrets well",
             urls=["https://elsewhere.example/x"]),
        post("p5", "u5", 1400, urls=["https://ledger.example/opinion/other-2"]),
        # the title alone is too short to match text by
        post("p6", "u6", 1500, text="short title"),
        # two days before publication: not a share of this article
        post("p7", "u7", -2 * 86_400, urls=["https://ledger.example/opinion/other-2"]),
    ])
    shares = match_shares(con)
    assert shares.schema == SHARE_SCHEMA
    found = {(r["article_id"], r["post_id"]): r for r in shares.to_pylist()}
    assert set(found) == {("A1", "p1"), ("A1", "p2"), ("A1", "p3"), ("A2", "p5")}
    assert found[("A1", "p3")]["matched_by"] == "title"
    assert found[("A1", "p1")]["matched_by"] == "url"
    assert found[("A1", "p2")]["delay_s"] == 900


def _shares(rows: list[tuple[str, str, str]]) -> pa.Table:
    """(byline, article, account) rows as a share table, a minute apart."""
    return pa.Table.from_pylist([
        {"article_id": article, "byline": byline, "outlet": "o", "published_at": BASE,
         "post_id": f"p{i}", "account_id": account, "platform": "x",
         "shared_at": BASE + timedelta(minutes=i), "delay_s": 60.0 * i, "matched_by": "url"}
        for i, (byline, article, account) in enumerate(rows)], schema=SHARE_SCHEMA)


def test_a_desk_is_linked_to_its_byline_and_camouflage_to_none():
    genuine = [f"G{k}" for k in range(10)]
    rows = []
    # the public: 200 accounts sharing the genuine columns, a few articles each
    for a in range(200):
        for k in range(3):
            byline = genuine[(a + k) % 10]
            rows.append((byline, f"{byline}-{(a * 7 + k) % 5}", f"public{a}"))
    # the desk: 12 accounts pushing all five columns of its invented byline
    for m in range(12):
        for k in range(5):
            rows.append(("Invented", f"inv-{k}", f"desk{m}"))
    # camouflage: 12 accounts sharing a little of every genuine byline
    for m in range(12):
        for byline in genuine:
            rows.append((byline, f"{byline}-{m % 5}", f"camo{m}"))
    membership = {f"desk{m}": "G0001" for m in range(12)}
    membership.update({f"camo{m}": "G0002" for m in range(12)})
    links, tests = byline_links(_shares(rows), membership, fdr=0.01)
    assert tests == 11  # the desk's one byline and the camouflage's ten
    assert [(r["byline"], r["group_id"]) for r in links.to_pylist()] == [("Invented", "G0001")]
    link = links.to_pylist()[0]
    assert link["articles"] == 5 and link["members_sharing"] == 12 and link["shares"] == 60
    assert link["q_value"] < 1e-6 and link["lift"] > 5


def test_persona_accounts_name_the_byline_and_share_its_columns_first(con):
    con.execute("""INSERT INTO accounts (platform, account_id, handle, display_name,
                   created_at, has_profile) VALUES
                   ('x', 'u1', 'linda_lopez84', 'Linda López', '2023-12-01', true),
                   ('x', 'u2', 'reader1', 'A Reader', '2015-01-01', true),
                   ('x', 'u3', 'LindaLopez', 'Someone else', '2019-01-01', true)""")
    shares = _shares([("Linda Lopez", "a1", "u1"), ("Linda Lopez", "a1", "u2"),
                      ("Linda Lopez", "a2", "u1"), ("Linda Lopez", "a2", "u3"),
                      ("Other Writer", "b1", "u2")])
    found = persona_accounts(con, shares, {"u1": "G0001"}).to_pylist()
    assert [(r["account_id"], r["name_match"]) for r in found] == [
        ("u1", "display name and handle"), ("u3", "handle")]
    assert found[0]["first_to_share"] == 2 and found[0]["first_share_rate"] == 1.0
    assert found[0]["group_id"] == "G0001"
    assert found[1]["first_to_share"] == 0


def _csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_one_run_over_posts_and_articles_assembles_the_operation(operation_run):
    world, out, _, output = operation_run
    truth = _csv(world / "bylines_truth.csv")
    invented = {b["byline"] for b in truth if b["kind"] == "invented"}
    operations = _csv(out / "operations.csv")
    assert operations and set(operations[0]["bylines"].split(";")) == invented
    assert "push the columns of 3 bylines" in operations[0]["summary"]
    assert "O001" in output
    links = _csv(out / "byline_links.csv")
    assert {r["byline"] for r in links} == invented
    assert all(float(r["q_value"]) <= 0.01 for r in links)
    personas = {r["account_id"] for r in _csv(out / "persona_accounts.csv")}
    assert {b["account_id"] for b in truth if b["kind"] == "invented"} <= personas
    bylines = {r["byline"]: r for r in _csv(out / "bylines.csv")}
    for name in invented:
        assert bylines[name]["pushed_by"] and bylines[name]["operation_id"] == "O001"
        assert float(bylines[name]["organic_share"]) < 0.5
    # accounts.csv names each account's operation: its group members, persona accounts
    # and amplifiers, flagged or not (an amplifier is in no group)
    of = {r["account_id"]: r for r in _csv(out / "accounts.csv")}
    expected = {a: o["operation_id"] for o in operations for a in o["accounts"].split(";")}
    assert {a for a, r in of.items() if r["operation_id"]} == set(expected)
    assert all(of[a]["operation_id"] == o for a, o in expected.items())
    for operation in operations:
        for amplifier in filter(None, operation["amplifiers"].split(";")):
            assert of[amplifier]["flagged"] == "false" and not of[amplifier]["group_id"]
    desk_group = operations[0]["groups"].split(";")[0]
    pushed = {r["item"] for r in _csv(out / "group_content.csv")
              if r["group_id"] == desk_group and r["kind"] == "byline"}
    assert invented <= pushed
    articles = [r for r in _csv(out / "group_content.csv")
                if r["group_id"] == desk_group and r["kind"] == "article"]
    assert articles and all(r["link"].startswith("https://") for r in articles)
    for file in ("article_shares.parquet", "bylines.html", "byline_pairs.csv", "report.html"):
        assert (out / file).exists(), file
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"] and manifest["operations"]["operations"] == len(operations)


def test_evaluate_scores_the_operation_world(operation_run):
    world, out, _, _ = operation_run
    result = runner.invoke(app, ["evaluate", "--truth", str(world / "truth.csv"),
                                 "--result", str(out), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert metrics["byline_recall"] == 1.0
    assert metrics["false_byline_links"] == 0
    operation = metrics["per_operation"]["OP1"]
    assert operation["persona_accounts_found"] == 3 and operation["all_bylines"]
    assert operation["desk_share"] >= 0.9 and operation["outsiders"] <= 2
    assert metrics["fpr_readers"] <= 0.05
    assert metrics["loyal_columnists_in_operations"] == []
    text = runner.invoke(app, ["evaluate", "--truth", str(world / "truth.csv"),
                               "--result", str(out)]).output
    assert "byline recall" in text and "operation OP1" in text and "of the desk" in text


def test_evaluate_without_the_articles_scores_the_accounts_and_says_why_not_more(
        operation_run, tmp_path):
    world, out, _, _ = operation_run
    (tmp_path / "accounts.csv").write_bytes((out / "accounts.csv").read_bytes())
    result = runner.invoke(app, ["evaluate", "--truth", str(world / "truth.csv"),
                                 "--result", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert metrics["f1"] > 0.9 and "no byline_links.csv" in metrics["operations"]


def test_the_api_runs_bylines_verify_and_operations(operation_run, tmp_path):
    world, _, _, _ = operation_run
    result = sockscope.bylines([world / "articles.csv"], tmp_path / "b")
    assert (tmp_path / "b" / "bylines.csv").exists() and result.bylines.num_rows == 15
    texts = result.articles.to_pylist()
    decision = sockscope.verify(["a b c " * 200], "a b c " * 200)
    # no background: the shipped calibration set; a text against itself is the same
    assert decision.calibration.startswith("shipped:") and decision.decision == "same"
    assert texts
    # the desk's columns are pushed by shared links: that trace alone assembles the
    # operation (the full run is the command line's, in ``operation_run``)
    detection = sockscope.detect([world / "tweets.csv", world / "users.csv",
                                  world / "articles.csv"], operators=False,
                                 traces=["co-url"])
    assert detection.operations is not None and detection.operations.operations.num_rows >= 1
    assert isinstance(detection.operations.shares["shared_at"][0].as_py(), datetime)


def test_the_report_rebuilt_from_the_database_shows_the_same_operations(operation_run,
                                                                       tmp_path):
    _, out, db, _ = operation_run
    result = runner.invoke(app, ["report", "--db", str(db), "--out", str(tmp_path / "again.html")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "again.html").read_bytes() == (out / "report.html").read_bytes()
    assert b"O001" in (tmp_path / "again.html").read_bytes()
