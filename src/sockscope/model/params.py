"""The detection parameters: declared once, validated before any data is read.

Like a scikit-learn estimator's ``__init__``, ``DetectParams`` lists every knob with
its default, its meaning and its constraint. The Python API's keyword arguments are its
fields; the CLI's options take their defaults and help texts from it; the manifest
echoes it whole (``to_dict``) and ``from_dict`` rebuilds it, so a run can be repeated
from its ``manifest.json`` alone.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from sockscope.errors import SockscopeError

NEIGHBOUR_CAP = 50  # later actions on the same key each action is paired with (coaction.py)
ATTACH_ROUNDS = 5  # rounds of the group-attachment test (amplification.py)
MAX_WINDOW = 10 * 365 * 86_400  # a co-action window longer than any collection
# The default set of traces: the behaviours that carry coordination evidence on their
# own. co-domain, co-mention and synchronised activity are weaker and noisier; ask for
# them. (Declared here, not beside the traces, so the command line reads it cheaply.)
DEFAULT_TRACES = ("co-repost", "co-reply", "co-quote", "co-text", "co-text-near", "co-url",
                  "co-hashtag", "hashtag-sequence", "co-template")


def _help(text: str, **extra: Any) -> dict[str, Any]:
    return {"help": text, **extra}


@dataclass(frozen=True)
class DetectParams:
    """Every parameter of a coordination detection run."""

    traces: tuple[str, ...] = field(default=(), metadata=_help(
        "behaviours to test; empty means the default set"))
    windows: dict[str, int] = field(default_factory=dict, metadata=_help(
        "co-action window in seconds per trace, overriding the trace's default"))
    auto_window: bool = field(default=False, metadata=_help(
        "estimate each trace's window from the data (valley of the gap density)"))
    fdr: float = field(default=0.01, metadata=_help(
        "false discovery rate, controlled over all pairs of active accounts"))
    min_shared: int = field(default=2, metadata=_help(
        "fewest shared keys for a pair to be tested"))
    neighbour_cap: int = field(default=NEIGHBOUR_CAP, metadata=_help(
        "later actions on a key each action is paired with (bounds hot keys)"))
    window_free: bool = field(default=True, metadata=_help(
        "also test each co-action trace without a time window, on rare keys"))
    seed: int = field(default=1, metadata=_help("seed for community detection"))
    amplification: bool = field(default=True, metadata=_help(
        "test account-author amplification ties and attach slow-drip teams"))
    attach_rounds: int = field(default=ATTACH_ROUNDS, metadata=_help(
        "rounds of the group-attachment test"))
    min_group_size: int = field(default=3, metadata=_help(
        "smallest community reported as a group"))
    persona: bool = field(default=True, metadata=_help(
        "compute persona signals and use them in verdicts (audiences of targeted data)"))
    operators: bool = field(default=True, metadata=_help(
        "same-operator analysis: pairs of accounts one person runs, even never at once "
        "(operator_pairs.csv)"))

    def __post_init__(self) -> None:
        # normalise containers so equal parameters compare and serialise equally
        object.__setattr__(self, "traces", tuple(self.traces) or tuple(DEFAULT_TRACES))
        object.__setattr__(self, "windows", dict(sorted(dict(self.windows).items())))
        problems = self.problems()
        if problems:
            raise SockscopeError("; ".join(problems))

    def problems(self) -> list[str]:
        """Every constraint the parameters break, in plain words."""
        from sockscope.plugins import TRACES

        found: list[str] = []
        unknown = TRACES.unknown(list(self.traces))
        if unknown:
            found.append(unknown)
        if len(set(self.traces)) != len(self.traces):
            found.append("a trace is listed twice")
        strays = [name for name in self.windows if name not in self.traces]
        if strays:
            found.append(f"a window is given for {', '.join(repr(s) for s in strays)}, which "
                         f"is not among the traces run ({', '.join(self.traces)})")
        for name, seconds in self.windows.items():
            if isinstance(seconds, bool) or not isinstance(seconds, int) or \
                    not 0 <= seconds <= MAX_WINDOW:
                found.append(f"window for {name!r} must be a whole number of seconds from 0 "
                             f"to {MAX_WINDOW:,} (ten years), not {seconds!r}")
        if isinstance(self.fdr, bool) or not isinstance(self.fdr, int | float) \
                or not 0 < self.fdr < 1:
            found.append(f"fdr must be between 0 and 1 (exclusive), not {self.fdr!r}")
        for name, low in (("min_shared", 1), ("neighbour_cap", 1), ("seed", 0),
                          ("attach_rounds", 0), ("min_group_size", 2)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                found.append(f"{name} must be a whole number ≥ {low}, not {value!r}")
        return found

    def window(self, trace: str) -> int:
        """The requested window of ``trace`` in seconds (before any widening)."""
        from sockscope.plugins import TRACES

        return int(self.windows.get(trace, TRACES[trace].window_s))

    def to_dict(self) -> dict[str, Any]:
        """Every parameter, JSON-ready (for the manifest)."""
        return {f.name: (list(v) if isinstance(v := getattr(self, f.name), tuple) else v)
                for f in fields(self)}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> DetectParams:
        """Parameters from ``to_dict`` output (e.g. a manifest's ``parameters``)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise SockscopeError(f"unknown parameter(s) {', '.join(unknown)}; "
                                 f"choose from {', '.join(sorted(known))}")
        return cls(**{k: tuple(v) if k == "traces" else v for k, v in values.items()})


def default(name: str) -> Any:
    """The default value of parameter ``name`` (for CLI options)."""
    for f in fields(DetectParams):
        if f.name == name:
            return f.default_factory() if f.default is MISSING else f.default  # type: ignore[misc]
    raise KeyError(name)


def describe(name: str) -> str:
    """The help text of parameter ``name`` (for CLI options)."""
    return next(f.metadata["help"] for f in fields(DetectParams) if f.name == name)
