"""Traces (behaviours), one module each.

Adding a built-in behaviour is one file with a ``TRACE`` and one entry below; other
packages add theirs through the ``sockscope.traces`` entry point (``sockscope.plugins``).
"""

from __future__ import annotations

from sockscope.detect.traces import (
    co_domain,
    co_hashtag,
    co_mention,
    co_quote,
    co_reply,
    co_repost,
    co_template,
    co_text,
    co_text_near,
    co_text_semantic,
    co_url,
    hashtag_sequence,
    synchronised,
)
from sockscope.detect.traces.base import Trace
from sockscope.model.params import DEFAULT_TRACES

BUILTIN_TRACES: list[Trace] = [
    module.TRACE
    for module in (co_repost, co_reply, co_quote, co_mention, co_text, co_text_near,
                   co_text_semantic, co_url, co_domain, co_hashtag, hashtag_sequence,
                   co_template, synchronised)
]
# what sockscope.plugins.TRACES registers
BUILTIN = [(trace.name, trace) for trace in BUILTIN_TRACES]

__all__ = ["BUILTIN", "BUILTIN_TRACES", "DEFAULT_TRACES", "Trace"]
