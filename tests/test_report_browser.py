"""The report in a real browser: Playwright driving Debian's Chromium.

Skipped only when no browser is available, unless SOCKSCOPE_REQUIRE_BROWSER is set
(CI sets it, so there the tests must run)."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

from sockscope import api
from sockscope.store.database import connect

from .posts_factory import insert, post

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
PAYLOADS = ["<script>window.__pwned=1</script>", "\"><img src=x onerror=\"window.__pwned=1\">",
            "</script><script>window.__pwned=1</script>", "javascript:window.__pwned=1",
            "<svg onload=\"window.__pwned=1\">", "'><iframe src=javascript:window.__pwned=1>"]

playwright = pytest.importorskip("playwright.sync_api") if os.environ.get(
    "SOCKSCOPE_REQUIRE_BROWSER") is None else __import__("playwright.sync_api").sync_api
needs_browser = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("SOCKSCOPE_REQUIRE_BROWSER"),
    reason="no Chromium")


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def simulated_run(small_simulated_run):
    """The small simulated world's detection (conftest): (result folder, Detection)."""
    return small_simulated_run[1], small_simulated_run[3]


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def open_report(browser, path: Path):
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri())
    page.wait_for_function("() => window.sockscopeReport && window.sockscopeReport.ready")
    return page, errors


@needs_browser
def test_report_of_a_simulated_world(browser, simulated_run):
    report = simulated_run[0] / "report.html"
    assert report.stat().st_size < 20_000_000
    page, errors = open_report(browser, report)
    groups = page.locator("#group-table tbody tr")
    assert groups.count() >= 3
    assert page.locator("#network canvas").count() >= 1  # the network rendered
    assert page.evaluate("document.querySelectorAll('#behaviour-filter input').length") >= 1
    groups.first.click()
    page.wait_for_selector("#group-body:not([hidden])")
    assert page.locator("#evidence-table tbody tr").count() >= 1
    assert page.locator("#timeline canvas").count() >= 1
    assert page.locator("#heatmap td").count() == 7 * 24
    first_text = page.locator("#evidence-table tbody tr td").nth(1).text_content()
    page.fill("#evidence-search", first_text.lstrip("@"))
    assert page.locator("#evidence-table tbody tr").count() >= 1
    page.click("#evidence-table th[data-col='6']")  # sort by time gap
    # the group's persona panel: a table of signals with p-values against random groups
    assert page.locator("#signals table tr").count() >= 2
    assert "creation_burst" in page.locator("#signals").text_content()
    # an account's dossier: persona marks and strongest ties
    member = page.evaluate("Object.keys(window.sockscopeReport.data.accounts)[0]")
    page.evaluate(f"window.sockscopeShowAccount({member!r})")
    detail = page.locator("#account-detail").text_content()
    assert f"Account {member}" in detail and "Persona marks:" in detail
    assert "Strongest ties:" in detail and page.locator("#account-detail table tr").count() >= 2
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)
    assert errors == []


@needs_browser
def test_injection_payloads_render_as_text(browser, tmp_path):
    con = connect(tmp_path / "evil.duckdb")
    rows = []
    team = [f"evil{i}" for i in range(8)]
    for k in range(12):  # the team reposts the same posts within seconds, twelve times
        source = f"S{k}"
        rows.append(post(source, "src", k * 3_600, text=PAYLOADS[k % len(PAYLOADS)] * 2,
                         urls=[PAYLOADS[3]]))
        for i, account in enumerate(team):
            rows.append(post(f"{source}-{account}", account, k * 3_600 + 5 + i, kind="repost",
                             repost_of_post=source, repost_of_account="src",
                             text=PAYLOADS[i % len(PAYLOADS)]))
            rows.append(post(f"{source}-{account}-link", account, k * 3_600 + 30 + i,
                             text=PAYLOADS[(i + k) % len(PAYLOADS)] + f" take {k}",
                             urls=[f"javascript:window.__pwned={k}", "https://ok.example/a"]))
    for j in range(300):  # background, so the null model has something to compare with
        rows.append(post(f"bg{j}", f"bg{j % 60}", j * 97, kind="repost",
                         repost_of_post=f"B{j % 40}", repost_of_account=f"other{j % 7}"))
    insert(con, rows)
    con.executemany("INSERT INTO accounts (platform, account_id, handle, display_name, "
                    "has_profile) VALUES ('x', ?, ?, ?, true)",
                    [(a, PAYLOADS[i % len(PAYLOADS)], PAYLOADS[-1]) for i, a in enumerate(team)])
    detection = api.detect(connection=con, out=tmp_path / "r")
    assert detection.groups, "the payload team should form a group"
    page, errors = open_report(browser, tmp_path / "r" / "report.html")
    page.locator("#group-table tbody tr").first.click()
    page.wait_for_selector("#group-body:not([hidden])")
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    body = page.evaluate("document.body.innerText")
    assert "@<script>window.__pwned=1</script>" in body  # shown as text, not run
    links = page.evaluate("Array.from(document.querySelectorAll('a[target=_blank]'))"
                          ".map(a => [a.href, a.rel])")
    assert all(href.startswith(("http://", "https://")) for href, _ in links)
    assert all(rel == "noopener noreferrer" for _, rel in links)
    assert page.evaluate("document.querySelectorAll('img, iframe, svg[onload]').length") == 0
    assert errors == []


@needs_browser
def test_byline_report_renders_and_resists_injection(browser, tmp_path):
    import csv

    from typer.testing import CliRunner

    from sockscope.cli import app

    from .test_authorship import _writer

    writers = [_writer(300 + s, s) for s in range(5)]
    names = [f"Writer {i} {PAYLOADS[i % len(PAYLOADS)]}" for i in range(6)]
    with open(tmp_path / "articles.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["byline", "outlet", "published_at", "title", "text"])
        for b, name in enumerate(names):
            for k in range(6):
                text = writers[b % 5](300)
                if k == 0 and b in (0, 5):  # writer 0 is behind bylines 0 and 5
                    text += (f" {PAYLOADS[0]} the tender was rigged from the very start and "
                             "everyone knew.")
                out.writerow([name, PAYLOADS[1], f"2024-03-{k + 1:02d}", "t", text])
    result = CliRunner().invoke(app, ["bylines", str(tmp_path / "articles.csv"), "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((tmp_path / "out" / "report.html").resolve().as_uri())
    page.wait_for_function("() => window.sockscopeBylines && window.sockscopeBylines.ready")
    assert page.locator("#byline-table tbody tr").count() == len(names)
    assert page.locator("#pair-table tbody tr").count() >= 1
    assert page.locator("#passage-table tbody tr").count() >= 1
    assert page.locator("#network canvas").count() >= 1
    assert names[1] in page.locator("#byline-table").text_content()  # shown as text
    page.evaluate(f"window.sockscopeBylines.showByline({names[0]!r})")
    detail = page.locator("#byline-detail").text_content()
    assert names[0] in detail
    assert "hand 1" in detail and "t — " in detail and "2024-03-01" in detail  # its articles
    # one row per pair of articles, holding all the passages they share
    shown = page.evaluate("window.sockscopeBylines.data.passages.map(p => p.passages.length)")
    assert page.locator("#passage-table tbody tr").count() == len(shown)
    assert sum(shown) == page.evaluate("window.sockscopeBylines.data.passages_total")
    page.fill("#byline-search", "writer 3")
    assert page.locator("#byline-table tbody tr").count() == 1
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img, iframe, svg[onload]").count() == 0
    assert errors == []


@needs_browser
def test_report_gives_a_reporter_what_to_act_on(browser, simulated_run, tmp_path):
    """Member list, exports, post links, a node click that keeps its panel in view, the
    legend and the time-zone policy, on a simulated world."""
    out, detection = simulated_run
    page, errors = open_report(browser, out / "report.html")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.locator("#zone-label").text_content() == "All times are UTC."
    legend = page.locator("#network-legend .legend-item")
    assert legend.count() >= len(detection.groups)
    assert detection.groups[0].group_id in legend.first.text_content()
    group = detection.groups[0]
    page.evaluate(f"window.sockscopeReport.showGroup({group.group_id!r})")
    assert page.locator("#member-table tbody tr").count() == len(group.members)
    assert page.locator("#content-table tbody tr").count() >= 1
    assert "accounts" in page.locator("#key-table tbody tr").first.text_content()
    links = page.evaluate("Array.from(document.querySelectorAll('#evidence-table a'))"
                          ".map(a => a.href)")
    assert links and all(h.startswith("https://x.com/i/web/status/") for h in links)
    # the members export: every member, ids as written, one header
    with page.expect_download() as waiting:
        page.click("#group-downloads button[data-export='members']")
    path = tmp_path / "members.csv"
    waiting.value.save_as(path)
    rows = read_csv(path)
    assert {r["account_id"] for r in rows} == set(group.members)
    assert {r["group_id"] for r in rows} == {group.group_id}
    with page.expect_download() as waiting:
        page.click("#group-downloads button[data-export='pairs']")
    waiting.value.save_as(tmp_path / "pairs.csv")
    pairs = read_csv(tmp_path / "pairs.csv")
    assert pairs and all(p["post_url_a"].startswith("https://x.com/") for p in pairs)
    # a node click: the account panel opens in view, the page does not jump away
    page.evaluate("document.getElementById('network').scrollIntoView()")
    before = page.evaluate("window.scrollY")
    node = page.evaluate("""(() => { const cy = window.sockscopeReport.network();
        const n = cy.nodes()[0]; const p = n.renderedPosition();
        const box = document.getElementById('network').getBoundingClientRect();
        return [n.data('account'), box.left + p.x, box.top + p.y]; })()""")
    page.mouse.move(node[1], node[2])
    page.mouse.click(node[1], node[2])
    page.wait_for_timeout(200)
    shown = page.locator("#account-detail h4").text_content()
    assert shown.startswith("Account ")  # the node under the pointer (neighbours may overlap)
    assert shown.split()[1] in page.evaluate("window.sockscopeReport.data.account_ids")
    box = page.locator("#account-detail").bounding_box()
    assert box["y"] < 900 and box["y"] + min(box["height"], 200) > 0  # in view
    assert abs(page.evaluate("window.scrollY") - before) < 600
    assert page.evaluate("document.getElementById('tooltip').hidden")
    # the time zone: UTC by default, the browser's on request, said on the page
    first_time = page.locator("#key-table tbody tr td").nth(3).text_content()
    assert first_time.endswith("Z")
    page.select_option("#time-zone", "local")
    assert page.locator("#zone-label").text_content().startswith("All times are UTC")
    assert page.evaluate("window.sockscopeReport.zone()") == "local"
    assert page.locator("#method-table tbody tr").count() >= 3
    assert "within 10 s" in page.locator("#method-table").text_content()
    assert errors == []


@needs_browser
def test_report_shows_the_operation_map_and_its_story(browser, operation_run):
    _, out, _, _ = operation_run
    operations = read_csv(out / "operations.csv")
    page, errors = open_report(browser, out / "report.html")
    rows = page.locator("#operation-table tbody tr")
    assert rows.count() == len(operations)
    assert operations[0]["summary"] in page.locator("#operation-title").text_content()
    assert page.locator("#operation-map canvas").count() >= 1
    kinds = page.evaluate("window.sockscopeReport.data.operations[0].story.events"
                          ".map(function (e) { return e[2]; })")
    # the story: the account presenting as the byline first, then the group's pushes
    assert kinds[0] == "persona" and "group" in kinds
    assert page.locator(".story-dot").count() == len(kinds)
    assert page.locator(".story-persona").count() >= 1
    assert page.locator("#link-table tbody tr").count() >= 1
    for byline in operations[0]["bylines"].split(";"):
        assert byline in page.locator("#operation-table").text_content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#operations").screenshot(path=str(ARTIFACTS / "operations.png"))
    assert errors == []


@needs_browser
def test_report_shows_same_operator_pairs_with_their_spans(browser, sockpuppet_run):
    _, out = sockpuppet_run
    pairs = read_csv(out / "operator_pairs.csv")
    assert len(pairs) >= 1
    page, errors = open_report(browser, out / "report.html")
    rows = page.locator("#operator-table tbody tr")
    assert rows.count() == min(len(pairs), 500)
    assert page.locator("#operator-table .span-fill").count() == 2 * rows.count()
    first = pairs[0]
    text = rows.first.text_content()
    assert first["account_a"] in text and first["account_b"] in text
    assert first["evidence"] in text
    assert errors == []
