"""Prompts are files in prompts/, loaded and checked once at start-up.

Each prompt may use only the placeholders listed for it here; an unknown placeholder, a missing
file or a malformed brace is refused with a clear message before any question is answered.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from assistant.resources import data_folder

PLACEHOLDERS: dict[str, frozenset[str]] = {
    "answer_system": frozenset({"language_name", "no_answer"}),
    "answer_user": frozenset({"sources", "question"}),
}


class PromptError(Exception):
    """A prompt file is missing or uses a placeholder nobody fills in."""


@dataclass(frozen=True)
class Prompts:
    texts: dict[str, str]

    def render(self, name: str, **values: str) -> str:
        return self.texts[name].format(**values)


def _fields(text: str, name: str) -> set[str]:
    try:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError as exc:
        raise PromptError(f"prompt {name!r}: malformed placeholder ({exc})") from exc


def load_prompts(folder: Path | None = None) -> Prompts:
    folder = folder or data_folder("prompts")
    texts: dict[str, str] = {}
    for name, allowed in PLACEHOLDERS.items():
        path = folder / f"{name}.txt"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PromptError(f"prompt file missing or unreadable: {path}") from exc
        unknown = _fields(text, name) - allowed
        if unknown:
            raise PromptError(
                f"prompt {path} uses unknown placeholder(s) {sorted(unknown)}; "
                f"allowed: {sorted(allowed)}"
            )
        texts[name] = text
    return Prompts(texts)
