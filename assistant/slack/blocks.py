"""Answers as Slack Block Kit messages: the answer, numbered citations linking to the passage
view, the AI notice, and the buttons "Nyttig", "Ikke nyttig" and "Spør en jurist".

All answer and source text is mrkdwn-escaped (`mrkdwn.escape`). Slack's limits (Block Kit
reference): a section's text at most 3000 characters, at most 50 blocks in a message, a
button's text at most 75 characters and its value at most 2000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.pii import mask
from assistant.records import Answer, Citation, Passage
from assistant.records import display_name as plain_display_name
from assistant.slack.links import official_url, view_url
from assistant.slack.mrkdwn import escape, link, truncate
from assistant.slack.texts import lang_of, t

SECTION_MAX = 3000
BLOCKS_MAX = 50
TEXT_MAX = 3000  # the notification text beside the blocks

FEEDBACK_UP = "regelrett_feedback_up"
FEEDBACK_DOWN = "regelrett_feedback_down"
ESCALATE = "regelrett_escalate"
ACTIONS_BLOCK = "regelrett_answer"  # block_id "regelrett_answer:<lang>"

Block = dict[str, Any]


@dataclass
class Message:
    """What chat.postMessage (or a response_url) gets: the fallback text and the blocks."""

    text: str
    blocks: list[Block]

    def kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(mrkdwn, SECTION_MAX)}}


def context(*mrkdwn: str) -> Block:
    return {
        "type": "context",
        "elements": [
            {"type": "mrkdwn", "text": truncate(m, SECTION_MAX)} for m in mrkdwn[:10] if m
        ],
    }


def sections(lines: Sequence[str], heading: str = "", sep: str = "\n") -> list[Block]:
    """Lines packed into as few sections as fit (each at most SECTION_MAX characters)."""
    out: list[Block] = []
    current = heading
    for line in lines:
        candidate = f"{current}{sep}{line}" if current else line
        if current and len(candidate) > SECTION_MAX:
            out.append(section(current))
            current = line
        else:
            current = candidate
    if current:
        out.append(section(current))
    return out


def lang_from_block(block_id: str | None) -> str:
    """The answer's language, carried in the actions block's id."""
    _, _, lang = (block_id or "").partition(":")
    return lang_of(lang)


def display_name(citation: Citation, sources: Sequence[Passage]) -> str:
    for p in sources:
        if p.chunk_id == citation.chunk_id:
            return p.display_name
    return plain_display_name(citation.title, citation.abbreviation, citation.version)


def citation_lines(answer: Answer, base: str) -> list[str]:
    """`[n] <passage view|Name § 3-5>, s. 4 · <official|offisiell kilde>`, one per number."""
    lang = answer.language
    lines: list[str] = []
    seen: set[int] = set()
    for c in answer.citations:
        if c.n in seen:
            continue
        seen.add(c.n)
        label = " ".join(x for x in (display_name(c, answer.sources), c.section) if x)
        url = view_url(base, c.source_id, c.section, c.chunk_id, lang)
        parts = [f"*[{c.n}]* {link(url, label)}"]
        if c.page:
            parts[0] += ", " + t(lang, "page", page=c.page)
        if c.authority:
            parts[0] += f" ({escape(c.authority)})"
        official = official_url(c.url)
        if official:
            parts.append(link(official, t(lang, "official")))
        lines.append(" · ".join(parts))
    return lines


def closest_lines(answer: Answer, base: str, n: int = 3) -> list[str]:
    """For a refusal: the closest sources, each linked to its passage."""
    lines: list[str] = []
    seen: set[tuple[str, str]] = set()
    for p in answer.sources:
        key = (p.source_id, p.section)
        if key in seen:
            continue
        seen.add(key)
        label = " ".join(x for x in (p.display_name, p.section) if x)
        url = view_url(base, p.source_id, p.section, p.chunk_id, answer.language)
        lines.append("• " + link(url, label))
        if len(lines) >= n:
            break
    return lines


def actions(answer_id: str, lang: str, refused: bool = False) -> Block:
    def button(action_id: str, key: str, style: str | None = None) -> Block:
        out: Block = {
            "type": "button",
            "action_id": action_id,
            "text": {"type": "plain_text", "text": t(lang, key)[:75], "emoji": True},
            "value": answer_id,
        }
        if style:
            out["style"] = style
        return out

    return {
        "type": "actions",
        "block_id": f"{ACTIONS_BLOCK}:{lang}",
        "elements": [
            button(FEEDBACK_UP, "useful"),
            button(FEEDBACK_DOWN, "not_useful"),
            button(ESCALATE, "escalate", "primary" if refused else None),
        ],
    }


def answer_body(answer: Answer) -> list[Block]:
    """The answer's paragraphs, escaped, in sections."""
    paragraphs = [escape(p.strip()) for p in answer.answer.split("\n\n") if p.strip()]
    return sections(paragraphs, sep="\n\n")


def verified_blocks(answer: Answer) -> list[Block]:
    """A legal adviser's reviewed answer to the same question, shown first."""
    v = answer.verified
    if v is None:
        return []
    cites = [escape(f"[{c.n}] {c.title} {c.section}".rstrip()) for c in v.citations][:8]
    return [
        section(
            f":white_check_mark: *{escape(v.label)}* ({escape(v.reviewer)}, {v.reviewed})\n"
            + escape(truncate(v.answer, 2500))
        ),
        *([context(*cites)] if cites else []),
    ]


def render_answer(answer: Answer, base: str, question: str | None = None) -> Message:
    """The answer message. `question`: shown above the answer (for the slash command, whose
    text Slack does not show)."""
    lang = answer.language
    head: list[Block] = []
    if question:
        head.append(context(f"*{t(lang, 'question')}:* {escape(truncate(question, 500))}"))
    if answer.verified is not None:
        head += verified_blocks(answer)
    if answer.refused:
        head.append(section(f":information_source: *{t(lang, 'refused')}*"))
    body = answer_body(answer)
    warnings = [f":warning: {escape(w)}" for w in answer.warnings]
    notes = [context(*warnings)] if warnings else []
    if answer.refused:
        refs = sections(closest_lines(answer, base), f"*{t(lang, 'closest')}*")
    else:
        refs = sections(citation_lines(answer, base), f"*{t(lang, 'sources')}*")
    tail = [context(t(lang, "notice")), actions(answer.id, lang, answer.refused)]
    room = BLOCKS_MAX - len(head) - len(notes) - len(tail) - 1  # 1: the divider
    if len(body) + len(refs) > room:
        keep = min(len(refs), room // 2)
        body, refs = body[: room - keep], refs[:keep]
    blocks = [*head, *body, *notes]
    if refs:
        blocks += [{"type": "divider"}, *refs]
    blocks += tail
    label = f"{t(lang, 'refused')}: " if answer.refused else ""
    return Message(text=truncate(label + answer.answer, TEXT_MAX), blocks=blocks)


def notice_message(text: str) -> Message:
    """A short message from the bot (help, limits, errors)."""
    return Message(text=text, blocks=[section(escape(text))])


def render_escalation(
    answer: Answer,
    base: str,
    user: str,
    channel: str,
    permalink: str | None,
) -> Message:
    """The post in the legal advisers' channel: who asked where, the question, the answer and
    its citations. Personal data is masked in the question and the answer."""
    lang = answer.language
    where = (
        t(lang, "escalation_from_dm", user=user)
        if channel.startswith("D")
        else t(lang, "escalation_from", user=user, channel=channel)
    )
    if permalink:
        where += " · " + link(permalink, t(lang, "escalation_thread"))
    question = escape(mask(answer.question).text)
    said = escape(mask(answer.answer).text)
    if answer.refused:
        said = f"_{t(lang, 'escalation_refused')}_\n{said}"
    blocks = [
        section(f"*{t(lang, 'escalation_title')}*\n{where}"),
        section(f"*{t(lang, 'question')}:*\n{question}"),
        section(f"*{t(lang, 'escalation_answer')}:*\n{said}"),
    ]
    if answer.refused:
        blocks += sections(closest_lines(answer, base), f"*{t(lang, 'closest')}*")
    else:
        blocks += sections(citation_lines(answer, base), f"*{t(lang, 'sources')}*")
    blocks.append(context(f"id {answer.id} · {answer.mode} · {answer.config_hash}"))
    text = f"{t(lang, 'escalation_title')}: {mask(answer.question).text}"
    return Message(text=truncate(text, TEXT_MAX), blocks=blocks[:BLOCKS_MAX])


def mark_escalated(blocks: Sequence[Block], user: str, lang: str) -> list[Block]:
    """The answer message after "Spør en jurist": that button gone, a line saying who sent it."""
    out: list[Block] = []
    for block in blocks:
        if block.get("type") == "actions" and str(block.get("block_id", "")).startswith(
            ACTIONS_BLOCK
        ):
            kept = [e for e in block.get("elements", []) if e.get("action_id") != ESCALATE]
            out.append({**block, "elements": kept})
            out.append(context(t(lang, "escalated_mark", user=user)))
        else:
            out.append(block)
    return out
