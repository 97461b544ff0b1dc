"""Server-rendered HTML of the passage view. Every value from the index is escaped here."""

from __future__ import annotations

from collections.abc import Collection
from html import escape

from assistant.catalogue import Catalogue
from assistant.web.passages import SectionView, display_name, open_source, safe_link, view_url
from assistant.web.texts import text

# The passage view runs no script at all; a source that smuggles markup in stays inert twice.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def shell(lang: str, title: str, body: str) -> str:
    return (
        f'<!doctype html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        '<link rel="icon" href="data:,">\n<link rel="stylesheet" href="/web/site.css">\n'
        "</head>\n"
        f'<body class="passage-page">\n<a class="skip" href="#main">{text(lang, "skip")}</a>\n'
        '<header class="topbar"><p class="brand"><a href="/">Regelrett</a></p>'
        f'<p class="kind">{text(lang, "kind")}</p></header>\n'
        f'<main id="main">\n{body}\n</main>\n</body>\n</html>\n'
    )


def section_page(section: SectionView, lang: str) -> str:
    def t(key: str) -> str:
        return text(lang, key)

    source = section.source
    name = display_name(source)
    doc_lang = escape(source.language or "nb")
    rows = [(t("document"), escape(source.title or name))]
    if section.heading_path:
        rows.append((t("heading"), escape(section.heading_path)))
    if section.page_start is not None:
        pages = str(section.page_start)
        if section.page_end not in (None, section.page_start):
            pages += f"–{section.page_end}"
        rows.append((t("pages") if "–" in pages else t("page"), escape(pages)))
    status = {
        "in_force": "status_in_force",
        "not_in_force": "status_not_in_force",
        "repealed": "status_repealed",
    }.get(source.status)
    if status:
        rows.append((t("status"), t(status)))
    if source.in_force_from:
        rows.append((t("in_force"), escape(source.in_force_from)))
    link = safe_link(source.url)
    if link:
        rows.append((t("official"), f'<a href="{escape(link)}">{escape(link)}</a>'))
    details = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)

    body = [
        f'<nav aria-label="{t("breadcrumb")}" class="crumbs"><ol>'
        f'<li><a href="{escape(view_url(source.source_id, lang=lang, grant=section.grant))}">'
        f"{escape(name)}</a></li>"
        f'<li aria-current="page">{escape(section.label)}</li></ol></nav>',
        f'<h1><span class="doc">{escape(name)}</span> {escape(section.label)}</h1>',
        f'<dl class="meta">{details}</dl>',
        f'<section aria-labelledby="text-h"><h2 id="text-h" class="sr">{t("text")}</h2>'
        f'<div class="source-text" lang="{doc_lang}">{_paragraphs(section, lang)}</div></section>',
        f'<p class="note">{t("note")}</p>',
        _neighbours(section, lang),
    ]
    return shell(lang, f"{section.label} – {name} – Regelrett", "\n".join(body))


def _paragraphs(section: SectionView, lang: str) -> str:
    """Paragraphs in order; those of the cited chunk inside one marked, anchored block."""
    out: list[str] = []
    open_block = False
    for p in section.paragraphs:
        cited = section.chunk is not None and section.chunk in p.chunks
        if cited and not open_block:
            out.append(
                f'<div class="cited" id="chunk-{escape(section.chunk or "")}" '
                f'role="region" aria-label="{text(lang, "cited")}">'
                f'<p class="cited-label" lang="{escape(lang)}">{text(lang, "cited")}</p>'
            )
            open_block = True
        elif not cited and open_block:
            out.append("</div>")
            open_block = False
        out.append(f"<p>{escape(p.text)}</p>")
    if open_block:
        out.append("</div>")
    return "".join(out)


def _neighbours(section: SectionView, lang: str) -> str:
    source_id = section.source.source_id
    links = []
    for step, key, rel in ((-1, "previous", "prev"), (1, "next", "next")):
        label = section.neighbour(step)
        if label:
            href = escape(view_url(source_id, label, lang, section.grant))
            links.append(
                f'<li><a rel="{rel}" href="{href}">{text(lang, key)}: {escape(label)}</a></li>'
            )
    href = escape(view_url(source_id, lang=lang, grant=section.grant))
    links.append(f'<li><a href="{href}">{text(lang, "whole")}</a></li>')
    label = text(lang, "neighbours")
    return f'<nav aria-label="{label}" class="pager"><ul>{"".join(links)}</ul></nav>'


def document_page(
    cat: Catalogue,
    source_id: str,
    lang: str,
    public: Collection[str] = ("",),
    grant: str | None = None,
) -> str | None:
    """The list of a document's sections, each linking to its passage view."""
    source, _, grant = open_source(cat, source_id, None, public, grant)
    if source is None:
        return None
    name = display_name(source)
    items = "".join(
        f'<li><a href="{escape(view_url(source_id, label, lang, grant))}">{escape(label)}</a></li>'
        for label in source.labels
    )
    link = safe_link(source.url)
    official = (
        f'<p><a href="{escape(link)}">{text(lang, "official")}: {escape(link)}</a></p>'
        if link
        else ""
    )
    body = (
        f"<h1>{escape(name)}</h1>"
        f'<p class="subtitle" lang="{escape(source.language or "nb")}">{escape(source.title)}</p>'
        f"{official}"
        f'<section aria-labelledby="toc-h"><h2 id="toc-h">{text(lang, "sections")}</h2>'
        f'<ol class="toc">{items}</ol></section>'
    )
    return shell(lang, f"{name} – Regelrett", body)


def not_found_page(lang: str, reason: str = "not_found") -> str:
    """The page for a missing source ('not_found'), an index not yet open ('not_ready') or
    sources that are not public ('not_public')."""
    title = text(lang, reason)
    detail = {"not_found": "not_found_text", "not_public": "not_public_text"}.get(reason)
    body = (
        f"<h1>{title}</h1>"
        + (f"<p>{text(lang, detail)}</p>" if detail else "")
        + f'<p><a href="/">{text(lang, "home")}</a></p>'
    )
    return shell(lang, f"{title} – Regelrett", body)
