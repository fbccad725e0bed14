"""Score a result directory (``accounts.csv`` of the output contract) against truth.

Positives are campaign accounts. Flagged fans (an authentic community that reposts
its idol fast) and flagged local outlets (real news accounts posting headlines on their
own schedules) count as false positives and get their own rates. A campaign is
recovered when some reported group has Jaccard similarity >= 0.5 with it. The
adjusted Rand index compares groups with campaigns over the accounts that are in a
campaign or in a reported group (everyone else is a singleton on both sides and would
only inflate the index).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

from sockscope.errors import SockscopeError


def _read(path: Path, required: set[str]) -> list[dict[str, str]]:
    if not path.exists():
        raise SockscopeError(f"{path}: no such file")
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = required - set(reader.fieldnames or [])
            if missing:
                raise SockscopeError(f"{path}, line 1: missing columns "
                                     f"{', '.join(sorted(missing))}")
            return list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise SockscopeError(f"{path}: not a CSV table of UTF-8 text ({exc})") from None


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def evaluate(truth_path: str | Path, result_dir: str | Path) -> dict[str, object]:
    truth_rows = _read(Path(truth_path), {"account_id", "label", "campaign", "strategy"})
    result_rows = _read(Path(result_dir) / "accounts.csv", {"account_id", "flagged", "group_id"})
    sockpuppet_scores = _sockpuppets(truth_rows, result_rows)
    # sockpuppets are scored on their own (same-operator pairs), not as campaigns
    truth_rows = [r for r in truth_rows if r["label"] != "sockpuppet"]
    truth = {r["account_id"]: r for r in truth_rows}
    flagged = {r["account_id"] for r in result_rows if r["flagged"].lower() == "true"}
    group_of = {r["account_id"]: r["group_id"] for r in result_rows if r["group_id"]}
    positives = {a for a, r in truth.items() if r["label"] == "campaign"}
    organic = {a for a, r in truth.items() if r["label"] == "organic"}
    fans = {a for a, r in truth.items() if r["label"] == "fan"}
    outlets = {a for a, r in truth.items() if r["label"] == "outlet"}
    readers = {a for a, r in truth.items() if r["label"] == "reader"}
    tp = len(flagged & positives)
    precision = _ratio(tp, len(flagged & set(truth)))
    recall = _ratio(tp, len(positives))
    f1 = _ratio(2 * precision * recall, precision + recall)
    campaigns: dict[str, set[str]] = defaultdict(set)
    strategies: dict[str, set[str]] = defaultdict(set)
    for account, row in truth.items():
        if row["campaign"]:
            campaigns[row["campaign"]].add(account)
            for strategy in row["strategy"].split("+"):
                strategies[strategy].add(account)
    groups: dict[str, set[str]] = defaultdict(set)
    for account, group in group_of.items():
        groups[group].add(account)
    per_campaign = {}
    recovered = 0
    for name, members in sorted(campaigns.items()):
        best = max((len(members & g) / len(members | g) for g in groups.values()), default=0.0)
        per_campaign[name] = {"size": len(members), "strategy": truth[next(iter(members))][
            "strategy"], "recall": _ratio(len(members & flagged), len(members)),
            "best_jaccard": round(best, 4), "recovered": best >= 0.5}
        recovered += best >= 0.5
    scope = sorted(positives | set(group_of))
    ari = adjusted_rand_score(
        [truth[a]["campaign"] or f"none:{a}" if a in truth else f"none:{a}" for a in scope],
        [group_of.get(a) or f"none:{a}" for a in scope]) if scope else 0.0
    return {
        "accounts": len(truth), "campaign_accounts": len(positives), "flagged": len(flagged),
        "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
        "fpr_organic": round(_ratio(len(flagged & organic), len(organic)), 6),
        "fpr_fans": round(_ratio(len(flagged & fans), len(fans)), 4),
        "fpr_outlets": round(_ratio(len(flagged & outlets), len(outlets)), 4),
        **({"fpr_readers": round(_ratio(len(flagged & readers), len(readers)), 4)}
           if readers else {}),
        "campaigns": len(campaigns), "campaigns_recovered": recovered,
        "ari": round(float(ari), 4),
        "recall_per_strategy": {s: round(_ratio(len(m & flagged), len(m)), 4)
                                for s, m in sorted(strategies.items())},
        "per_campaign": per_campaign,
        **sockpuppet_scores,
        **_operations(Path(truth_path).with_name("bylines_truth.csv"), Path(result_dir),
                      campaigns),
    }


def _sockpuppets(truth_rows: list[dict[str, str]], result_rows: list[dict[str, str]]
                 ) -> dict[str, object]:
    """With sockpuppets in the truth (``simulate --sockpuppets``): their recall (flagged
    in any way), the patrollers flagged, and the adjusted Rand index of operator groups
    against the true sockmasters, over the sockpuppets and the accounts in operator
    groups."""
    socks = {r["account_id"]: r["campaign"] for r in truth_rows if r["label"] == "sockpuppet"}
    if not socks:
        return {}
    patrollers = {r["account_id"] for r in truth_rows if r["label"] == "patroller"}
    organic = {r["account_id"] for r in truth_rows if r["label"] == "organic"}
    flagged = {r["account_id"] for r in result_rows if r["flagged"].lower() == "true"}
    operator_of = {r["account_id"]: r["operator_group"] for r in result_rows
                   if r.get("operator_group")}
    scope = sorted(set(socks) | set(operator_of))
    ari = adjusted_rand_score([socks.get(a) or f"none:{a}" for a in scope],
                              [operator_of.get(a) or f"none:{a}" for a in scope])
    per_strategy: dict[str, list[str]] = defaultdict(list)
    for r in truth_rows:
        if r["label"] == "sockpuppet":
            per_strategy[r["strategy"]].append(r["account_id"])
    return {
        "sockpuppets": len(socks),
        "sockpuppet_recall": round(_ratio(len(flagged & set(socks)), len(socks)), 4),
        "sockpuppet_recall_per_strategy": {
            s: round(_ratio(len(flagged & set(m)), len(m)), 4)
            for s, m in sorted(per_strategy.items())},
        "fpr_patrollers": round(_ratio(len(flagged & patrollers), len(patrollers)), 4),
        "operator_ari": round(float(ari), 4),
        "operator_groups": len(set(operator_of.values())),
        "operator_accounts_not_sockpuppets": len(set(operator_of) - set(socks)),
        # the same-operator analysis' own false positives (flags from groups aside)
        "patrollers_in_operator_groups": len(set(operator_of) & patrollers),
        "organic_in_operator_groups": len(set(operator_of) & organic),
        "fpr_organic_operators": round(_ratio(len(set(operator_of) & organic),
                                              len(organic)), 6),
    }


def _operations(truth_path: Path, result: Path, campaigns: dict[str, set[str]]
                ) -> dict[str, object]:
    """With ``bylines_truth.csv`` beside the truth (``simulate --operation``) and the
    operations files in the result: the byline and operation scores."""
    if not truth_path.exists():
        return {}
    bylines = _read(truth_path, {"byline", "kind", "operation", "account_id"})
    if not (result / "byline_links.csv").exists():  # a run on the posts alone
        return {"operations": "not scored: the result has no byline_links.csv (detect was "
                              "not given the articles)"}
    links = _read(result / "byline_links.csv", {"byline", "group_id", "q_value"})
    personas = _read(result / "persona_accounts.csv", {"byline", "account_id"})
    operations = _read(result / "operations.csv", {"operation_id", "bylines", "accounts",
                                                   "persona_accounts"})
    members: dict[str, set[str]] = defaultdict(set)
    for row in _read(result / "accounts.csv", {"account_id", "group_id"}):
        if row["group_id"]:
            members[row["group_id"]].add(row["account_id"])
    per_operation = {}
    for name in sorted({b["operation"] for b in bylines if b["operation"]}):
        desk = campaigns.get(name, set())
        invented = [b for b in bylines if b["operation"] == name]
        # a byline is recalled when linked at q <= 0.01 to a group mostly of the desk
        recalled = [b for b in invented if any(
            link["byline"] == b["byline"] and float(link["q_value"]) <= 0.01
            and len(members[link["group_id"]] & desk) * 2 > len(members[link["group_id"]])
            for link in links)]
        best = max(operations, default=None, key=lambda o: (
            len(set(o["accounts"].split(";")) & desk), o["operation_id"]))
        held = set(best["accounts"].split(";")) if best else set()
        held_bylines = set(best["bylines"].split(";")) if best else set()
        found_personas = [b for b in invented if b["account_id"] in {
            p["account_id"] for p in personas if p["byline"] == b["byline"]}
            and any(b["account_id"] in o["persona_accounts"].split(";")
                    and b["byline"] in o["bylines"].split(";") for o in operations)]
        per_operation[name] = {
            "bylines": len(invented), "bylines_linked": len(recalled),
            "persona_accounts_found": len(found_personas),
            "operation": best["operation_id"] if best else None,
            "desk_share": round(_ratio(len(held & desk), len(desk)), 4),
            "outsiders": len(held - desk),  # the operation's accounts not of the desk
            "all_bylines": all(b["byline"] in held_bylines for b in invented)}
    genuine = {b["byline"] for b in bylines if b["kind"] == "genuine"}
    in_operations = {b for o in operations for b in o["bylines"].split(";")}
    readers_of = {b["byline"] for b in bylines if b.get("loyal_readers")}
    return {
        "byline_recall": round(_ratio(sum(o["bylines_linked"] for o in per_operation.values()),
                                      sum(o["bylines"] for o in per_operation.values())), 4),
        "false_byline_links": sum(link["byline"] in genuine for link in links),
        "genuine_bylines_in_operations": sorted(genuine & in_operations),
        "loyal_columnists_in_operations": sorted(readers_of & in_operations),
        "per_operation": per_operation,
    }
