"""The shape of a text: where its links, hashtags, mentions, numbers and punctuation
sit, with the words themselves left out.

Feed accounts post headlines through one template (``#tag Title https://…``): their
words differ, their shape does not. ``#ChicagoNews Mayor Opens Bridge https://x.example``
has the shape ``# w U``; ``BREAKING: Storm Hits Coast https://y.example`` has
``w : w U``. Runs of words collapse into one ``w``, so headlines of any length share a
shape. Written as one SQL expression so it runs inside the engine on every post.
"""

from __future__ import annotations

# (pattern, replacement), applied in order; every token ends up space-separated. White
# space is spelled out: RE2 (DuckDB) and Java (Spark) differ on \s (Java adds \x0B)
_STEPS = [
    # a link becomes an arrow, not a letter: the word step must not take it
    (r"https?://[^\t\n\f\r ]+|www\.[^\t\n\f\r ]+", " ↗ "),
    (r"@\w+", " @ "),
    (r"#\w+", " # "),
    (r"\d+([.,:]\d+)*", " 9 "),
    (r"[\pL\pM'’]+", " w "),
    (r"[\t\n\f\r ]+", " "),
]


def text_shape_sql(column: str) -> str:
    """A SQL expression giving the shape of the text in ``column``."""
    expression = column
    for pattern, replacement in _STEPS:
        quoted = pattern.replace("'", "''")
        expression = f"regexp_replace({expression}, '{quoted}', '{replacement}', 'g')"
    # a run of words ("w w w") is one w; links are written U
    return f"replace(regexp_replace(trim({expression}), 'w( w)+', 'w', 'g'), '↗', 'U')"
