"""Text handling for the lexical side and for sentence picking: tokens, stop words, stemming,
Norwegian compound splitting, and the language of a question."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_NORWEGIAN

# Words that carry no meaning for retrieval in municipal questions, beyond the Snowball lists
# (question words, fillers, modal verbs in both written standards).
_EXTRA_NO = {
    "hva",
    "kva",
    "hvordan",
    "korleis",
    "hvorfor",
    "kvifor",
    "hvilke",
    "hvilken",
    "hvilket",
    "kva for",
    "kven",
    "hvem",
    "når",
    "kor",
    "hvor",
    "kan",
    "kunne",
    "må",
    "måtte",
    "skal",
    "skulle",
    "bør",
    "burde",
    "vil",
    "ville",
    "får",
    "fått",
    "gjelder",
    "gjeld",
    "egentlig",
    "eigentleg",
    "også",
    "òg",
    "vi",
    "oss",
    "våre",
    "vår",
    "vårt",
    "dere",
    "de",
    "eg",
    "jeg",
    "meg",
    "du",
    "noen",
    "nokon",
    "noe",
    "noko",
    "slik",
    "sånn",
    "likevel",
    "fortsatt",
    "enda",
    "ennå",
    "allerede",
    "alt",
    "helt",
    "heilt",
    "bare",
    "berre",
    "mer",
    "meir",
    "mest",
    "etter",
    "før",
    "nå",
    "no",
    "da",
    "så",
    "ja",
    "nei",
    "ok",
    "hei",
    "takk",
    "trenger",
    "treng",
    "lurer",
    "spørsmål",
    "finnes",
    "fins",
    "står",
    "stå",
    "si",
    "sier",
    "seier",
    "blir",
    "vert",
    "være",
    "vere",
    "er",
    "var",
    "har",
    "hadde",
    "ha",
    "gjøre",
    "gjere",
    "gjør",
    "gjer",
}
_EXTRA_EN = {"can", "could", "must", "may", "might", "would", "should", "do", "does", "did",
             "we", "our", "us", "what", "how", "when", "which", "who", "whom", "whether", "need",
             "needs", "still", "already", "also", "any", "some", "there", "here"}  # fmt: skip

STOP_NO = frozenset(STOPWORDS_NORWEGIAN) | _EXTRA_NO
STOP_EN = frozenset(STOPWORDS_EN) | _EXTRA_EN

_TOKEN = re.compile(r"[0-9]+(?:-[0-9]+)*(?:\s?[a-z]\b)?|[a-zæøåäöüéèàòóôç]+", re.IGNORECASE)


def words(text: str) -> list[str]:
    """Lower-case word and number tokens ("§ 3-5" gives "3-5"; "KI-system" gives "ki", "system")."""
    return [m.group(0).lower().replace(" ", "") for m in _TOKEN.finditer(text)]


_CAPS = re.compile(r"\b[A-ZÆØÅ]{2,6}\b")
_WORD = re.compile(r"\b[^\W\d_]{2,}\b")


def _acronyms(text: str) -> set[str]:
    """Words written in capitals inside running text ("IT", "US", "KOR"), lower-cased: an
    acronym that spells a stop word ("the US provider", "the IT department", nynorsk "kor")
    is content there. Lines mostly in capitals (headings) count for nothing."""
    found: set[str] = set()
    for line in text.splitlines():
        caps = _CAPS.findall(line)
        if not caps:
            continue
        shouted = [w for w in _WORD.findall(line) if w.isupper()]
        if len(shouted) * 2 < len(_WORD.findall(line)):
            found.update(c.lower() for c in caps)
    return found


@lru_cache(maxsize=4)
def _stemmer(lang: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english" if lang == "en" else "norwegian")


def stem_lang(lang: str) -> str:
    """The stemmer family for a document language: 'en' or 'no'."""
    return "en" if lang == "en" else "no"


class Vocabulary:
    """Known words of the corpus, for splitting Norwegian compounds into parts that occur on
    their own ("innsynskrav" -> "innsyn" + "krav", so it meets "krav om innsyn")."""

    MIN_PART = 3
    MIN_WORD = 7

    def __init__(self, known: Iterable[str] = ()) -> None:
        self.known = {w for w in known if len(w) >= self.MIN_PART and not w.isdigit()}
        self._cache: dict[str, tuple[str, ...]] = {}

    def split(self, word: str) -> tuple[str, ...]:
        """The two parts of a compound, or () when no split into known words exists."""
        if len(word) < self.MIN_WORD or word.isdigit():
            return ()
        if word in self._cache:
            return self._cache[word]
        best: tuple[str, ...] = ()
        best_score = 0
        for i in range(self.MIN_PART, len(word) - self.MIN_PART + 1):
            left, right = word[:i], word[i:]
            if right not in self.known:
                continue
            candidates = [left]
            if left.endswith(("s", "e")) and len(left) > self.MIN_PART:
                candidates.append(left[:-1])  # linking -s- / -e-: "innsyns|krav"
            for cand in candidates:
                if cand in self.known and min(len(cand), len(right)) > best_score:
                    best, best_score = (cand, right), min(len(cand), len(right))
        self._cache[word] = best
        return best


def analyse(text: str, lang: str, vocab: Vocabulary | None = None) -> list[str]:
    """Stemmed tokens without stop words, with the parts of Norwegian compounds added."""
    family = stem_lang(lang)
    stop = STOP_EN if family == "en" else STOP_NO
    kept = _acronyms(text) & stop
    out: list[str] = []
    for word in words(text):
        if (word in stop and word not in kept) or (len(word) < 2 and not word.isdigit()):
            continue
        out.append(word)
        if family == "no" and vocab is not None:
            out.extend(vocab.split(word))
    stemmer = _stemmer(family)
    return [w if w[0].isdigit() else stemmer.stemWord(w) for w in out]


_NN = frozenset(
    [
        "ikkje",
        "eg",
        "kva",
        "korleis",
        "kvifor",
        "kven",
        "kor",
        "mykje",
        "berre",
        "noko",
        "nokon",
        "frå",
        "òg",
        "vere",
        "vore",
        "dei",
        "eit",
        "heimel",
        "verksemd",
        "gjeld",
        "høve",
        "sjølv",
        "meir",
        "fleire",
        "kommunen?",
        "dykk",
        "dykkar",
    ]
)
_NB = frozenset(
    [
        "ikke",
        "jeg",
        "hva",
        "hvordan",
        "hvorfor",
        "hvem",
        "hvor",
        "mye",
        "bare",
        "noe",
        "noen",
        "fra",
        "også",
        "være",
        "vært",
        "de",
        "et",
        "hjemmel",
        "virksomhet",
        "gjelder",
        "selv",
        "mer",
        "flere",
        "dere",
        "deres",
    ]
)
_EN = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "is",
        "that",
        "be",
        "shall",
        "with",
        "by",
        "this",
        "which",
        "are",
        "or",
        "as",
        "an",
        "on",
        "where",
        "such",
        "any",
        "from",
        "it",
        "not",
        "have",
        "has",
        "what",
        "how",
        "can",
        "we",
        "our",
        "does",
        "do",
        "must",
        "when",
        "who",
    ]
)


_ASKING = re.compile(r"[^.?!]*\?")


def asking_sentences(question: str) -> list[str]:
    """The sentences of a question that end in a question mark (its setting is the rest)."""
    return _ASKING.findall(question)


def question_language(text: str) -> str:
    """'nb', 'nn' or 'en' for a short question (defaults to bokmål)."""
    tokens = re.findall(r"[a-zæøåòé]+", text.lower())
    en = sum(t in _EN for t in tokens)
    nn = sum(t in _NN for t in tokens)
    nb = sum(t in _NB for t in tokens)
    if en > nn + nb and en >= 2:
        return "en"
    if nn > nb:
        return "nn"
    if en > 0 and nn == nb == 0 and not re.search(r"[æøå]", text.lower()):
        return "en"
    return "nb"
