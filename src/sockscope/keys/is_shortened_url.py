"""Shortener links (``t.co``, ``bit.ly``…): keys of co-url only when a post has nothing
better, since one shortener link stands for many destinations."""

from __future__ import annotations

import ural


def is_shortened_url(url: str | None) -> bool:
    """Whether ``url`` points at a known URL shortener."""
    return bool(url) and ural.is_shortened_url(url)
