"""Canonical URLs for co-url: tracking parameters stripped, scheme and ``www``
dropped, query sorted, known redirections inferred offline (``ural``)."""

from __future__ import annotations

from functools import lru_cache

import ural

URL_CACHE = 1 << 18  # distinct URLs remembered per process


@lru_cache(maxsize=URL_CACHE)
def normalize_url(url: str) -> str | None:
    """The canonical form of ``url``, or None when it is not a web URL."""
    if not url:
        return None
    text = url.strip()
    if not ural.is_url(text, require_protocol=False, tld_aware=False):
        return None
    try:
        return ural.normalize_url(text)
    except Exception:  # ural raises on some malformed URLs; they are not evidence
        return None
