"""The same-operator analysis: accounts run by one person, even never at once."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from sockscope.cli import app
from sockscope.operators.analyse import fuse
from sockscope.operators.names import stem, words
from sockscope.operators.nulls import upper_tail
from sockscope.operators.writing import reference_sample
from tests.posts_factory import insert, post

DAY = 86_400


def _world(con, *, patroller_names_sock: bool = True) -> None:
    """Background editors on 400 pages; sock A edits 6 obscure pages for 10 days and
    stops, sock B starts two days later on A's last pages; a patroller reverts each
    sock edit minutes later (naming the sock, as the wiki's summaries do) and edits
    widely; a look-alike pair of strangers shares two busy pages."""
    rng = np.random.default_rng(3)
    rows = []
    pages = [f"https://wiki.example/wiki/P{i}" for i in range(400)]
    for account in range(150):
        for k in range(int(rng.integers(5, 30))):
            page = pages[int(rng.zipf(1.3)) % len(pages)]
            rows.append(post(f"o{account}-{k}", f"org{account:03d}",
                             float(rng.integers(0, 40 * DAY)), urls=[page],
                             text=f"copyedit {k}"))
    obscure = [f"https://wiki.example/wiki/Obscure_{i}" for i in range(6)]
    for k in range(8):
        rows.append(post(f"a{k}", "sockA", 2 * DAY + k * DAY + 3_600.0 * (k % 3),
                         urls=[obscure[k % 6]], text="fixed per sources, see talk"))
    for k in range(6):
        rows.append(post(f"b{k}", "sockB", 12 * DAY + k * DAY + 1_800.0 * k,
                         urls=[obscure[(7 - k) % 6]], text="fixed per sources again"))
    for k, row in enumerate([r for r in rows if r["account_id"] in ("sockA", "sockB")]):
        summary = (f"Undid revision {1000 + k} by {row['account_id']} (talk)"
                   if patroller_names_sock else "rv")
        seconds = (row["created_at"] - rows[0]["created_at"]).total_seconds()
        rows.append(post(f"rv{k}", "patrol1", float(
            (row["created_at"].timestamp() - post("x", "x", 0)["created_at"].timestamp())
            + 600), urls=row["urls"], text=summary))
        del seconds
    for k in range(40):
        rows.append(post(f"p{k}", "patrol1", float(rng.integers(0, 40 * DAY)),
                         urls=[pages[int(rng.integers(0, 400))]], text="rv vandalism"))
    insert(con, rows)
    con.execute("""INSERT INTO accounts (platform, account_id, handle, has_profile)
                   VALUES ('x', 'sockA', 'sockA', true), ('x', 'sockB', 'sockB', true),
                          ('x', 'patrol1', 'patrol1', true)""")


def _found(con) -> dict:
    from sockscope.detect.scratch import Scratch
    from sockscope.detect.traces.co_text import prepare_normalised_texts
    from sockscope.detect.traces.co_url import prepare_url_map
    from sockscope.operators.analyse import find_operators
    from sockscope.persona.accounts import build_persona

    with Scratch(con) as scratch:
        scratch.once("url_map", prepare_url_map)
        scratch.once("norm_texts", prepare_normalised_texts)
        result = find_operators(con, build_persona(con), "url_map", "norm_texts", 0.01, 1)
    return {(r["account_a"], r["account_b"]): r for r in result.pairs.to_pylist()}


def test_a_replacement_account_is_tied_and_the_patroller_is_not(con):
    _world(con)
    found = _found(con)
    assert ("sockA", "sockB") in found
    pair = found[("sockA", "sockB")]
    assert pair["shared_targets"] >= 3 and pair["q_value"] <= 0.01
    assert pair["handover_s"] is not None and pair["handover_s"] > 0
    assert "rare targets shared at different times" in pair["evidence"]
    assert not [p for p in found if "patrol1" in p]


def test_reactions_are_interaction_not_sameness(con):
    """The patroller touched every page the socks touched, minutes after them and
    naming them: those targets are reactions, never shared evidence."""
    from sockscope.detect.scratch import Scratch
    from sockscope.detect.traces.co_url import prepare_url_map
    from sockscope.operators.targets import references, stage_targets, target_evidence

    _world(con, patroller_names_sock=False)  # reverts within minutes, not naming them
    pairs = pa.table({"account_a": ["patrol1", "patrol1"], "account_b": ["sockA", "sockB"]})
    with Scratch(con) as scratch:
        scratch.once("url_map", prepare_url_map)
        total = stage_targets(con, "url_map")
        evidence = target_evidence(con, pairs, references(con, pairs), total)
    assert list(evidence["shared"]) == [0, 0]
    assert min(evidence["reactive"]) >= 5
    assert list(evidence["p"]) == [1.0, 1.0]


def test_a_post_naming_the_other_account_is_interaction(con):
    from sockscope.detect.scratch import Scratch
    from sockscope.detect.traces.co_url import prepare_url_map
    from sockscope.operators.targets import references, stage_targets

    _world(con)
    pairs = pa.table({"account_a": ["patrol1"], "account_b": ["sockA"]})
    with Scratch(con) as scratch:
        scratch.once("url_map", prepare_url_map)
        stage_targets(con, "url_map")
        found = references(con, pairs)
    assert found.num_rows == 8  # one revert summary per edit of sockA
    assert set(found["account_id"].to_pylist()) == {"patrol1"}


def test_fusion_keeps_one_overwhelming_sign_and_abstentions_do_not_count():
    p = fuse(np.array([[1e-20, 0.5, 0.9, np.nan, np.nan, np.nan],
                       [np.nan] * 6,
                       [0.01, 0.01, 0.01, 0.01, 0.01, 0.01],
                       [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]]))
    assert p[0] <= 2 * 3 * 1e-20  # Bonferroni on the strongest kind
    assert p[1] == 1.0  # every kind abstained: no evidence
    assert p[2] < 1e-4  # many moderate signs agree (truncated product)
    assert p[3] == 1.0


@given(st.lists(st.floats(0, 1), min_size=1, max_size=50), st.floats(0, 1))
def test_empirical_p_values_are_valid(null, observed):
    p = upper_tail(np.sort(np.array(null)), np.array([observed]))[0]
    assert 1 / (len(null) + 1) <= p <= 1
    assert p == (1 + sum(v >= observed for v in null)) / (len(null) + 1)


@given(st.text(max_size=40))
def test_name_stems_are_letters_only_and_stable(name):
    folded = stem(name)
    assert folded == stem(folded)
    assert not any(c.isdigit() or c in "_- ." for c in folded)
    assert all(len(w) >= 4 for w in words(name))


def test_name_stems_see_through_digits_case_and_separators():
    assert stem("Kalomi_Rin") == stem("kalomirin2") == stem("kalomi-rin 1987")
    assert stem("𝐊𝐚𝐥𝐨𝐦𝐢_𝑅𝑖𝑛") == stem("kalomirin")  # styled letters are letters
    assert words("KalomiRin_1987") == {"kalomi"}  # "rin" is too short to be a candidate


def test_detect_writes_operator_pairs_and_flags_the_group(sockpuppet_run):
    """End to end through the command line on a simulated world with sockmasters."""
    runner = CliRunner()
    world, result = sockpuppet_run
    header = (result / "operator_pairs.csv").read_text().splitlines()[0].split(",")
    assert header[:6] == ["account_a", "account_b", "operator_group", "score", "p_value",
                          "q_value"]
    assert {"targets_p", "turns_p", "names_p", "writing_p", "traces_p"} <= set(header)
    scored = runner.invoke(app, ["evaluate", "--truth", str(world / "truth.csv"),
                                 "--result", str(result), "--json"])
    metrics = json.loads(scored.output)
    assert metrics["sockpuppet_recall"] >= 0.6
    assert metrics["operator_accounts_not_sockpuppets"] <= 1
    assert metrics["operator_ari"] >= 0.6
    manifest = json.loads((result / "manifest.json").read_text())
    assert manifest["counts"]["operator_groups"] >= 3


def test_the_analysis_has_its_own_switch(con, tmp_path):
    from sockscope import api

    _world(con)
    on = api.detect(connection=con, out=tmp_path / "on")
    assert on.operators is not None and (tmp_path / "on" / "operator_pairs.csv").exists()
    assert "sockA" in on.operators.groups
    flagged = dict(zip(on.accounts["account_id"].to_pylist(),
                       on.accounts["flagged"].to_pylist(), strict=True))
    assert flagged["sockA"] and flagged["sockB"] and not flagged["patrol1"]
    off = api.detect(connection=con, out=tmp_path / "off", operators=False)
    assert off.operators is None and not (tmp_path / "off" / "operator_pairs.csv").exists()


VOCABULARY = [a + b + c for a in ("ka", "lo", "mi", "nu", "pe", "ro", "su", "ti")
              for b in ("ban", "dor", "fel", "gim", "hus", "jok", "lar")
              for c in ("a", "e", "i", "o", "u", "y", "an", "el")][:400]


def _writers(con) -> None:
    """120 accounts writing from one shared vocabulary at random times, and two personas
    of one operator who share no page, name or mark but keep ten pet words."""
    rng = np.random.default_rng(11)
    vocabulary = VOCABULARY
    pets = ["quixotic", "whilst", "amongst", "henceforth", "verily", "forsooth",
            "heretofore", "notwithstanding", "albeit", "thereupon"]
    rows = []
    for account in [f"org{k:03d}" for k in range(120)] + ["personaA", "personaB"]:
        for k in range(30):
            text = " ".join(str(rng.choice(pets)) if account.startswith("persona")
                            and rng.random() < 0.3 else str(rng.choice(vocabulary))
                            for _ in range(10))
            rows.append(post(f"{account}-{k}", account, float(rng.integers(0, 30 * DAY)),
                             text=text))
    insert(con, rows)


def test_personas_keeping_pet_words_are_style_neighbours_with_telling_writing(con):
    from sockscope.detect.traces.co_text import prepare_normalised_texts
    from sockscope.operators.writing import Writing

    _writers(con)
    prepare_normalised_texts(con)
    writing = Writing(con, "norm_texts", 1, set())
    assert ("personaA", "personaB") in writing.neighbours()
    compared = writing.evidence(pa.table({"account_a": ["personaA", "org000"],
                                          "account_b": ["personaB", "org001"]}),
                                np.array([True, True]))
    assert compared["p"][0] < 1e-8  # beyond what 124,750 random pairs could tell
    assert compared["p"][1] > 1e-3


def test_software_summaries_are_nobody_s_writing(con):
    """Patrollers whose posts are half the wiki's revert summaries do not write alike:
    a text that, digits and names aside, five or more accounts post is boilerplate."""
    from sockscope.detect.traces.co_text import prepare_normalised_texts
    from sockscope.operators.writing import Writing

    _writers(con)
    rng = np.random.default_rng(4)
    rows = []
    for k in range(6):
        for n in range(30):
            text = (f"Undid revision {rng.integers(10**8, 10**9)} by org{n:03d} (talk)"
                    if n % 2 else " ".join(rng.choice(VOCABULARY, 10)))
            rows.append(post(f"patrol{k}-{n}", f"patrol{k}", float(n * DAY / 2), text=text))
    insert(con, rows)
    con.execute("INSERT INTO accounts (platform, account_id, handle, has_profile) "
                "SELECT 'x', account_id, account_id, true FROM posts GROUP BY 1, 2")
    prepare_normalised_texts(con)
    writing = Writing(con, "norm_texts", 1, set())
    compared = writing.evidence(pa.table({"account_a": ["patrol0", "patrol2"],
                                          "account_b": ["patrol1", "patrol3"]}),
                                np.array([True, True]))
    assert max(compared["similarity"]) < 0.5  # the summaries' words would make it 0.75
    assert min(compared["p"]) > 0.05


def test_writing_alone_does_not_tie_two_accounts(con):
    """Topic leaks into word profiles, so the same words with nothing else (no target,
    name, mark, rhythm or turn) is not enough to call two accounts one person."""
    _writers(con)
    assert ("personaA", "personaB") not in _found(con)


def test_the_extrapolated_tail_is_empirical_below_and_conservative_beyond():
    from sockscope.operators.nulls import extrapolated_tail

    rng = np.random.default_rng(5)
    null = np.sort(rng.normal(size=100_000))
    probe = np.sort(rng.normal(size=2_000_000))
    p = extrapolated_tail(null, probe)
    assert np.all(np.diff(p) <= 1e-15)  # larger similarities, smaller p-values
    below = probe <= null[-1_001]
    assert np.array_equal(p[below], upper_tail(null, probe[below]))
    for alpha in (1e-3, 1e-4, 1e-5):  # valid: no more small p-values than alpha allows
        assert (p <= alpha).mean() <= 1.2 * alpha
    assert extrapolated_tail(null, np.array([8.0]))[0] < 1e-9  # and it can tell beyond 1/N


@given(st.sets(st.text(min_size=1, max_size=8), min_size=1, max_size=60),
       st.integers(min_value=0, max_value=2**31), st.integers(min_value=1, max_value=30))
def test_the_writing_reference_moves_by_one_account_when_one_account_leaves(
        accounts, seed, size):
    # the writing null's reference accounts are those outside coordinated groups; a
    # group gaining one member must not redraw the whole sample (a draw over the list
    # did, and the null's tail moved with it)
    ordered = sorted(accounts)
    sample = reference_sample(ordered, seed, size)
    assert sample == sorted(sample) and len(sample) == min(size, len(ordered))
    assert set(sample) <= accounts
    assert reference_sample(list(reversed(ordered)), seed, size) == sample
    for gone in ordered[:5]:
        left = reference_sample([a for a in ordered if a != gone], seed, size)
        assert len(set(sample) - set(left)) <= 1
