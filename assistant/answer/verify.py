"""The verification gate: a quote is shown only if it stands verbatim in the passage it cites.

Comparison ignores differences in whitespace, in quotation marks (« » “ ” „ " ' ’ ‘) and in
dashes, nothing else: no stemming, no fuzzy matching.
"""

from __future__ import annotations

import re

_QUOTES = str.maketrans({c: '"' for c in "«»“”„‟\"'’‘‚‛`´"})
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"})
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    text = text.translate(_QUOTES).translate(_DASHES).replace("\u00ad", "")
    return _SPACE.sub(" ", text).strip()


def quote_in(quote: str, passage: str) -> bool:
    """True if `quote` (non-trivial) appears verbatim in `passage` after normalisation."""
    q = normalise(quote).strip(' ."')
    if len(q) < 8:
        return False
    return q in normalise(passage)
