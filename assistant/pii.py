"""Masking of personal data in questions before they are stored, logged or sent to a model.

Staff paste names, national identity numbers, phone numbers and e-mail addresses into their
questions. `mask()` replaces what it can recognise reliably with a placeholder naming the kind
and leaves every other character of the text exactly as it was (whitespace included).

Rules and their sources
-----------------------
# fødselsnummer: 11 sifre DDMMÅÅ + individnummer (3) + to kontrollsiffer, modulus 11
  (Skatteetaten, folkeregisteret). k1 has weights 3 7 6 1 8 9 4 5 2 over digits 1-9, k2 has
  weights 5 4 3 2 7 6 5 4 3 2 over digits 1-10; a check digit is 11 - (sum mod 11), where
  remainder 0 gives check digit 0 and remainder 1 means no valid number exists. Both check
  digits must be right, otherwise the 11 digits are left alone (case numbers, account numbers).
# D-nummer: as fødselsnummer, first digit + 4, so the day is 41-71 (Skatteetaten).
# H-nummer: month + 40 (hjelpenummer i helsesektoren, KITH); masked and counted as
  fødselsnummer.
# syntetiske testnummer: month + 80 (Skatteetaten's test data in Tenor, used by municipalities in
  test systems); masked and counted as fødselsnummer or d-nummer by the day.
  The date part is "plausible" when the day is 01-31 (41-71) and the month, after removing
  + 40 or + 80, is 01-12. The day is not checked against the length of the month and the
  two-digit year is not checked at all.
  Written forms: 11 digits in a row, or "DDMMYY NNNNN" with one space, no-break space, dot or
  hyphen between the date part and the personal number (the hyphen is our addition).
# telefon: Norwegian numbers have 8 digits and country code +47 (Nkom, nasjonal nummerplan).
  Accepted: "12345678", "123 45 678", "12 34 56 78", optionally after +47, 0047, (+47) or
  (0047) with or without one space or hyphen ("+47 987 65 432", "+4798765432"). International
  numbers: "+" and 8-15 digits (ITU-T E.164 allows at most 15), single spaces or hyphens
  between digits. The first digit of a Norwegian number is not checked.
# e-post: a local part of at most 64 characters (RFC 5321) from letters, digits and . _ % + -,
  starting with a letter, digit or underscore; "@"; a domain with at least one dot and a
  top-level domain of two or more letters (a practical subset of the RFC 5322 addr-spec).
# extra_patterns: regular expressions configured by a municipality; matches become "[maskert]".

Decisions on ambiguous cases
----------------------------
- Digit runs never match inside something longer: a number is masked only when it is not glued
  to a letter, digit or underscore, and not joined to another digit by "-", "." or ","
  ("1234.56.78903", "3,14159265", "12345678-9" are left alone). Numbers starting with "+" or
  "(" may follow anything. A slash does not join: "22334455/91234567" is two phone numbers, so
  the rare case number with an 8-digit part ("2024/12345678") is masked as a phone number.
- An 8-digit run written without spaces that is a real calendar date, as yyyymmdd or ddmmyyyy
  with a year 1900-2099 ("20250620", "20062025"), is a date, not a phone number, unless a phone
  word (tlf, tel, telefon..., mobil..., mob, ring/ringe/ringer/ringte, sms) stands at most two
  words before it ("tlf. 20250620", "ringte fra 20250620"). Grouped forms ("20 25 06 20") and
  numbers with a +47 prefix are always phone numbers.
- A Norwegian number without prefix is an amount, not a phone number, when "kr", "NOK", "EUR",
  "USD", "SEK", "DKK", "€", "$" or "£" stands right before it, or "kr", "krone(r)", "NOK",
  "EUR", "euro", "USD", "SEK", "DKK", ",-", ".-", "€", "$" or "£" right after it.
- Amounts grouped in thousands ("35 000 000", "12 345 678"), organisation numbers (9 digits),
  dates, years, law ids, section and article references and case numbers do not have the shape
  of any rule above and are never masked.
- An international number takes as many digits as it can (up to 15), so a short number written
  right after it with one space ("+46 70 123 45 67 2025") is masked with it.
- Counts only list kinds that were masked; `masked` is False when the text came back unchanged.

Order: extra patterns first, so a municipality's own pattern (for example a client number
"K-12345678") wins over the phone rule; then e-mail addresses, so "91234567@sms.example.no" is
one address; then identity and phone numbers. An invalid pattern string raises re.error.

Idempotence: placeholders contain no digit and no "@", so no built-in rule matches them, and
the boundary rules are symmetric: when two values touch, either both are masked or the one that
was blocked by its neighbour stays blocked once the neighbour is a placeholder. Matches of extra
patterns that overlap a placeholder are skipped. An extra pattern that looks at its surroundings
(anchors, lookarounds) may still see different text the second time; keeping such patterns
stable is up to whoever configures them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from operator import mul

FODSELSNUMMER = "fødselsnummer"
D_NUMMER = "d-nummer"
TELEFON = "telefon"
E_POST = "e-post"
MASKERT = "maskert"
KINDS = (FODSELSNUMMER, D_NUMMER, TELEFON, E_POST, MASKERT)


@dataclass(frozen=True)
class MaskResult:
    """The masked text and how many values of each kind were replaced."""

    text: str
    counts: dict[str, int]

    @property
    def masked(self) -> bool:
        return bool(self.counts)


_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

_SPACE = "[ \u00a0]"  # one space or no-break space between digit groups
# A digit run starts and ends where it is not glued to a word character and not joined to
# another digit by - . , (so it is never a piece of a longer number).
_START = r"(?<!\w)(?<![0-9][-.,])"
_END = r"(?!\w)(?![-.,][0-9])"

_MAX_LOCAL = 64  # longest local part of an address (RFC 5321)
_EMAIL = (
    rf"(?<![\w.%+-])\w[\w.%+-]{{0,{_MAX_LOCAL - 1}}}"  # local part, never started mid-word
    r"@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?!\w)"  # domain with a top-level domain of letters
)
_FNR = _START + r"[0-9]{6}[ \u00a0.-]?[0-9]{5}" + _END
_NO_BODY = (
    r"(?:[0-9]{8}"
    rf"|[0-9]{{3}}{_SPACE}[0-9]{{2}}{_SPACE}[0-9]{{3}}"
    rf"|[0-9]{{2}}{_SPACE}[0-9]{{2}}{_SPACE}[0-9]{{2}}{_SPACE}[0-9]{{2}})"
)
_NO_PREFIX = r"(?:\+47|\(\+47\)|\(0047\)|" + _START + r"0047)[ \u00a0-]?"
_INTL = r"\+[0-9](?:[ \u00a0-]?[0-9]){7,14}" + _END

_EMAIL_RE = re.compile(_EMAIL)
# The lookahead on the first character lets the regex engine skip most positions quickly.
_NUMBER_RE = re.compile(
    r"(?=[0-9+(])"
    rf"(?:(?P<fnr>{_FNR})"
    rf"|(?P<phone_prefixed>{_NO_PREFIX}{_NO_BODY}{_END})"
    rf"|(?P<phone_intl>{_INTL})"
    rf"|(?P<phone>{_START}{_NO_BODY}{_END}))"
)

_CURRENCY = r"(?:kr|nok|eur|usd|sek|dkk)"
_AMOUNT_BEFORE = re.compile(rf"(?:(?<!\w){_CURRENCY}\.?|[€$£])[ \u00a0]*\Z", re.IGNORECASE)
_AMOUNT_AFTER = re.compile(
    r"[ \u00a0]*(?:(?:kr(?:oner?)?|nok|eur|euro|usd|sek|dkk)(?!\w)|,-|\.-|[€$£])", re.IGNORECASE
)
_PHONE_WORDS = re.compile(
    r"(?<!\w)(?:tlf|tel|telefon\w*|mobil\w*|mob|ring(?:e|er|te)?|sms)"
    r"(?:[\s.:/-]+[^\W\d_]+){0,2}[\s.:/-]*\Z",
    re.IGNORECASE,
)
_AMOUNT_CONTEXT = 12  # characters looked at before a number for a currency
_PHONE_CONTEXT = 60  # characters looked at before a date-like number for a phone word

_PLACEHOLDER = re.compile(r"\[(?:" + "|".join(re.escape(kind) for kind in KINDS) + r")\]")


def _check_digit(digits: Sequence[int], weights: Sequence[int]) -> int | None:
    """The modulus 11 check digit for the first len(weights) digits; None if none exists."""
    remainder = sum(map(mul, digits, weights)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def _identity_kind(raw: str) -> str | None:
    """'fødselsnummer', 'd-nummer' or None when the date part or a check digit is wrong."""
    number = raw if len(raw) == 11 else raw[:6] + raw[7:]
    day, month = int(number[:2]), int(number[2:4])
    if month > 80:  # synthetic test number
        month -= 80
    elif month > 40:  # H-nummer
        month -= 40
    if not 1 <= month <= 12:
        return None
    if 1 <= day <= 31:
        kind = FODSELSNUMMER
    elif 41 <= day <= 71:
        kind = D_NUMMER
    else:
        return None
    digits = list(map(int, number))
    if _check_digit(digits, _K1_WEIGHTS) != digits[9]:
        return None
    if _check_digit(digits, _K2_WEIGHTS) != digits[10]:
        return None
    return kind


def _is_date(year: int, month: int, day: int) -> bool:
    if not 1900 <= year <= 2099:
        return False
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _looks_like_date(digits: str) -> bool:
    """yyyymmdd or ddmmyyyy with a real calendar date."""
    return _is_date(int(digits[:4]), int(digits[4:6]), int(digits[6:])) or _is_date(
        int(digits[4:]), int(digits[2:4]), int(digits[:2])
    )


def _plain_phone_is_phone(match: re.Match[str]) -> bool:
    text, start, end = match.string, match.start(), match.end()
    if _AMOUNT_AFTER.match(text, end) or _AMOUNT_BEFORE.search(
        text, max(0, start - _AMOUNT_CONTEXT), start
    ):
        return False
    value = match.group()
    if value.isdigit() and _looks_like_date(value):
        return _PHONE_WORDS.search(text, max(0, start - _PHONE_CONTEXT), start) is not None
    return True


def _number_kind(match: re.Match[str]) -> str | None:
    group = match.lastgroup
    if group == "fnr":
        return _identity_kind(match.group())
    if group == "phone" and not _plain_phone_is_phone(match):
        return None
    return TELEFON


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _mask_extra(
    text: str, patterns: Sequence[str | re.Pattern[str]], counts: dict[str, int]
) -> str:
    for pattern in patterns:
        compiled = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern)
        protected = [m.span() for m in _PLACEHOLDER.finditer(text)]
        pieces: list[str] = []
        last = 0
        for match in compiled.finditer(text):
            start, end = match.span()
            if start == end or _overlaps(start, end, protected):
                continue
            pieces += (text[last:start], f"[{MASKERT}]")
            last = end
        if pieces:
            pieces.append(text[last:])
            text = "".join(pieces)
            counts[MASKERT] = counts.get(MASKERT, 0) + len(pieces) // 2
    return text


def _mask_emails(text: str, counts: dict[str, int]) -> str:
    """Like _EMAIL_RE.subn, but each search starts near the next "@" instead of at every word."""
    pieces: list[str] = []
    pos = 0
    at = text.find("@")
    while at != -1:
        match = _EMAIL_RE.search(text, max(pos, at - _MAX_LOCAL))
        if match is None:
            break
        pieces += (text[pos : match.start()], f"[{E_POST}]")
        pos = match.end()
        at = text.find("@", pos)
    if not pieces:
        return text
    counts[E_POST] = len(pieces) // 2
    pieces.append(text[pos:])
    return "".join(pieces)


def mask(text: str, extra_patterns: Sequence[str | re.Pattern[str]] = ()) -> MaskResult:
    """Replace personal data in `text` with "[fødselsnummer]", "[d-nummer]", "[telefon]",
    "[e-post]" and, for matches of `extra_patterns`, "[maskert]"; nothing else changes."""
    counts: dict[str, int] = {}
    if extra_patterns:
        text = _mask_extra(text, extra_patterns, counts)

    if "@" in text:
        text = _mask_emails(text, counts)

    def replace(match: re.Match[str]) -> str:
        kind = _number_kind(match)
        if kind is None:
            return match.group()
        counts[kind] = counts.get(kind, 0) + 1
        return f"[{kind}]"

    return MaskResult(text=_NUMBER_RE.sub(replace, text), counts=counts)
