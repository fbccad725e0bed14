"""The website a URL belongs to, for co-domain: its registered domain (``ural``)."""

from __future__ import annotations

from functools import lru_cache

import ural

from sockscope.keys.normalize_url import URL_CACHE, normalize_url


@lru_cache(maxsize=URL_CACHE)
def url_domain(url: str) -> str | None:
    """The registered domain of a URL (hostname when the suffix is unknown), or None when
    it is not a web URL."""
    canonical = normalize_url(url)
    if canonical is None:
        return None
    full = canonical if "://" in canonical else "https://" + canonical
    return ural.get_domain_name(full) or ural.get_normalized_hostname(full)
