"""``verify`` with no background (the shipped calibration set) on PAN 2014's training
corpora: every problem asked as a user would ask it, one at a time.

    python benchmarks/verify_shipped.py                       # the six corpora
    python benchmarks/verify_shipped.py --corpora en_essays,en_novels

For each corpus: how many problems were answered with the shipped calibration (the
others are not English enough for it and get "no answer"), the language share that
decides it, then on the calibrated problems the ROC AUC of the fused probability and of
each verifier's own, c@1 and Brier (as 1 - loss) of the fused answers, the share of
answers the no-answer band left open, and the temperatures of the shapes' fits (median,
and the share at the upper bound). Nothing of PAN is used to fit or calibrate.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

PAN = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pan14-av-train"
CORPORA = ["du_essays", "du_reviews", "en_essays", "en_novels", "gr_articles",
           "sp_articles"]


def run(corpus: str, seed: int) -> dict:
    from sockscope.authorship.calibration import MAX_TEMPERATURE, pan_metrics
    from sockscope.authorship.calibration_set import Shape, covers, language_share
    from sockscope.authorship.pan import fit_on_shipped, load_corpus

    problems = [p for p in load_corpus(PAN / corpus) if p.same is not None]
    shares = [language_share([*p.known, p.unknown]) for p in problems]
    english = [p for p, s in zip(problems, shares, strict=True) if covers(s)]
    row = {"corpus": corpus, "problems": len(problems), "calibrated": len(english),
           "share": float(np.median(shares))}
    if len({p.same for p in english}) < 2:
        return row
    start = time.perf_counter()
    fused_p, answers, singles = [], [], []
    temperatures: dict = {}
    for problem in english:
        shape = Shape.of(problem.known, problem.unknown)
        verifiers, single, fused = fit_on_shipped(shape, seed)
        temperatures[shape] = fused.temperature_
        raw = np.array([[v.score(problem.known, problem.unknown) for v in verifiers]])
        fused_p.append(float(fused.probability(raw)[0]))
        answers.append(float(fused.predict_proba(raw)[0]))
        singles.append([float(m.probability(raw[:, i])[0]) for i, m in enumerate(single)])
    truth = np.array([p.same for p in english])
    metrics = pan_metrics(answers, truth, fused_p)
    from sklearn.metrics import roc_auc_score

    names = [v.name for v in verifiers]
    singles_auc = {n: round(float(roc_auc_score(truth, np.array(singles)[:, i])), 3)
                   for i, n in enumerate(names)}
    row.update(auc=metrics["auc"], c_at_1=metrics["c@1"], brier=metrics["brier"],
               unanswered=float(np.mean(np.array(answers) == 0.5)), shapes=len(temperatures),
               temperature=float(np.median(list(temperatures.values()))),
               at_bound=float(np.mean(np.array(list(temperatures.values()))
                                      >= MAX_TEMPERATURE - 0.01)),
               seconds=time.perf_counter() - start, **singles_auc)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", default=",".join(CORPORA))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    columns = ["corpus", "problems", "calibrated", "share", "auc", "cosine_delta",
               "char_ngrams", "impostors", "compression", "c_at_1", "brier", "unanswered",
               "shapes", "temperature", "at_bound", "seconds"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for corpus in args.corpora.split(","):
        row = run(corpus, args.seed)
        cells = []
        for c in columns:
            value = row.get(c, "")
            cells.append(f"{value:.3f}" if isinstance(value, float) and c != "seconds"
                         else f"{value:.0f}" if isinstance(value, float) else str(value))
        print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
