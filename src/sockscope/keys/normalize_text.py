"""Text normalisation for exact co-text: what copy-paste keeps and edits do not change.

Unicode NFKC, lower case, URLs and @mentions removed, a leading "RT" marker removed,
white space collapsed. Applied in bulk with Arrow's vectorised kernels.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from sockscope.keys.threads import map_slices

URL_PATTERN = r"(?i)\b(?:https?://|www\.)\S+"
MENTION_PATTERN = r"(?:^|\s)@\w+"
RT_PATTERN = r"^rt\s+@\w+:?\s*"
SPACES_PATTERN = r"\s+"
UNEVEN_SPACES_PATTERN = r"[\t\n\f\r]|  "


def normalize_text_array(texts: pa.Array) -> pa.Array:
    """Normalise an Arrow array of strings (nulls stay null), on every core."""
    return map_slices(_normalize, texts)


def _normalize(texts: pa.Array) -> pa.Array:
    out = pc.utf8_normalize(texts, form="NFKC")
    out = pc.utf8_lower(out)
    out = pc.replace_substring_regex(out, RT_PATTERN, "")
    out = pc.replace_substring_regex(out, URL_PATTERN, " ")
    out = pc.replace_substring_regex(out, MENTION_PATTERN, " ")
    return pc.utf8_trim_whitespace(_collapse_spaces(out))


def _collapse_spaces(texts: pa.Array) -> pa.Array:
    """Every run of white space as one space. The replacement changes only texts with a
    run that is not a single space (RE2's \\s is [\\t\\n\\f\\r ]), so only those are
    rewritten: a search is several times cheaper than a replacement on every text."""
    uneven = pc.fill_null(pc.match_substring_regex(texts, UNEVEN_SPACES_PATTERN), False)
    if not pc.any(uneven).as_py():
        return texts
    collapsed = pc.replace_substring_regex(pc.filter(texts, uneven), SPACES_PATTERN, " ")
    return pc.replace_with_mask(texts, uneven, collapsed)


def normalize_text(text: str | None) -> str | None:
    """Normalise one text; see :func:`normalize_text_array`."""
    if text is None:
        return None
    return normalize_text_array(pa.array([text])).to_pylist()[0]
