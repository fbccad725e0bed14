"""Canonical URLs for co-url: tracking parameters stripped, scheme and ``www``
dropped, query sorted, known redirections inferred offline (``ural``). Shortener
links (``t.co``, ``bit.ly``…) are kept as keys only when a post has nothing better."""

from __future__ import annotations

from functools import lru_cache

import ural


@lru_cache(maxsize=1 << 18)
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


@lru_cache(maxsize=1 << 18)
def url_domain(url: str) -> str | None:
    """The registered domain of a URL (hostname when the suffix is unknown)."""
    canonical = normalize_url(url)
    if canonical is None:
        return None
    full = canonical if "://" in canonical else "https://" + canonical
    return ural.get_domain_name(full) or ural.get_normalized_hostname(full)


def is_shortened(url: str) -> bool:
    return bool(url) and ural.is_shortened_url(url)
