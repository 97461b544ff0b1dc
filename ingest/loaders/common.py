"""Helpers shared by the loaders: decoding, whitespace, dates, errors."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from charset_normalizer import from_bytes


class LoadError(Exception):
    """A file could not be turned into a document. The message is one clear line for a user."""


def decode_text(data: bytes) -> str:
    """Decode bytes of unknown encoding; never raises on non-UTF-8 input."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return data.decode(best.encoding, errors="replace")
    return data.decode("cp1252", errors="replace")


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def clean_inline(text: str) -> str:
    """Collapse runs of spaces (including no-break spaces) and trim; keep the characters."""
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()


def paragraphs(text: str) -> list[str]:
    """Split text at blank lines into cleaned paragraphs, dropping empty ones."""
    parts = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    out = []
    for part in parts:
        lines = [clean_inline(line) for line in part.split("\n")]
        joined = "\n".join(line for line in lines if line)
        if joined:
            out.append(joined)
    return out


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_iso_date(value: object) -> date | None:
    """The first YYYY-MM-DD in a value, or None."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    m = _ISO.search(value)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


# Words only one of the two written Norwegian standards uses (shared words such as "skal",
# "dersom", "mellom" say nothing about which).
# fmt: off
NYNORSK_WORDS = frozenset((
    "ikkje", "eit", "dei", "frå", "kva", "korleis", "òg", "berre", "noko", "nokon", "mykje",
    "eigen", "eiga", "kvar", "medan", "sjølv", "heile", "vert", "lova", "føresegn", "føresegna",
    "føresegnene", "gjeld", "verksemd", "verksemda", "desse", "høve", "innanfor", "utanfor",
    "mogleg", "naudsynt", "vere", "korleis", "kven", "meir", "fleire", "saman", "elles",
))
BOKMAL_WORDS = frozenset((
    "ikke", "et", "de", "fra", "hva", "hvordan", "også", "bare", "noe", "noen", "mye", "egen",
    "hver", "mens", "selv", "hele", "loven", "bestemmelse", "bestemmelsene", "bestemmelser",
    "gjelder", "virksomhet", "virksomheten", "innenfor", "utenfor", "mulig", "nødvendig",
    "disse", "være", "hvem", "mer", "flere", "sammen", "ellers",
))
_ENGLISH_WORDS = frozenset((
    "the", "and", "of", "to", "is", "that", "be", "shall", "with", "by", "this", "which",
    "are", "or", "as", "an", "on", "where", "such", "any", "from", "it", "not", "have", "has",
))
_NORWEGIAN_WORDS = frozenset((
    "og", "av", "til", "som", "skal", "er", "det", "på", "med", "om", "etter", "ved", "eller",
    "kan", "den", "har", "seg", "må", "når", "dersom", "i",
))
# fmt: on


def guess_language(text: str, default: str = "nb") -> str:
    """'nb', 'nn' or 'en' from function-word counts in the first part of a text."""
    words = re.findall(r"[a-zæøåòé]+", text[:60000].lower())
    en = sum(1 for w in words if w in _ENGLISH_WORDS)
    no = sum(1 for w in words if w in _NORWEGIAN_WORDS)
    if en > no:
        return "en"
    nn = sum(1 for w in words if w in NYNORSK_WORDS)
    nb = sum(1 for w in words if w in BOKMAL_WORDS)
    if nn == nb == 0:
        return default
    return "nn" if nn > nb else "nb"
