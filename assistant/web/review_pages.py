"""Server-rendered HTML of the review page for legal advisers (nb). No script; every value
from the audit log is escaped here; forms post to the same origin only."""

from __future__ import annotations

from html import escape
from typing import Any

from assistant.audit.review import QueueItem

REVIEW_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def shell(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="nb">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)} – Regelrett</title>\n"
        '<link rel="icon" href="data:,">\n<link rel="stylesheet" href="/web/site.css">\n'
        "</head>\n"
        '<body class="passage-page review-page">\n'
        '<a class="skip" href="#main">Hopp til innholdet</a>\n'
        '<header class="topbar"><p class="brand"><a href="/review">Regelrett</a></p>'
        '<p class="kind">Kvalitetssikring</p></header>\n'
        f'<main id="main">\n<h1>{escape(title)}</h1>\n{body}\n</main>\n</body>\n</html>\n'
    )


def login_page(message: str = "") -> str:
    note = f'<p role="alert">{escape(message)}</p>' if message else ""
    return shell(
        "Logg inn",
        note + '<form method="post" action="/review/login">'
        '<p><label for="key">API-nøkkel med tilgangen «review»</label><br>'
        '<input id="key" name="key" type="password" autocomplete="off" required></p>'
        '<p><button type="submit">Logg inn</button></p></form>',
    )


def _filters(tenant: str | None, since: str, until: str, fixed: bool = False) -> str:
    # a municipality's reviewer sees that municipality only: the tenant is shown, not asked
    which = (
        f"<p>Kommune: <strong>{escape(tenant or 'nasjonal')}</strong></p><p>"
        if fixed
        else '<p><label for="tenant">Kommune (tenant)</label> '
        f'<input id="tenant" name="tenant" value="{escape(tenant or "")}"> '
    )
    return (
        '<form method="get" action="/review" class="filters" aria-label="Filter">'
        + which
        + '<label for="since">Fra dato</label> '
        f'<input id="since" name="since" type="date" value="{escape(since)}"> '
        '<label for="until">Til dato</label> '
        f'<input id="until" name="until" type="date" value="{escape(until)}"> '
        '<button type="submit">Vis</button></p></form>'
    )


def _flag(item: QueueItem) -> str:
    marks = []
    if item.escalations:
        marks.append(f"sendt til jurist ({len(item.escalations)})")
    if item.negative:
        marks.append(f"negativ tilbakemelding ({item.negative})")
    if item.reviews:
        marks.append(f"vurdert: {item.reviews[-1]['verdict']}")
    return escape(", ".join(marks)) or "–"


def queue_page(
    items: list[QueueItem],
    verified: list[dict[str, Any]],
    tenant: str | None,
    since: str,
    until: str,
    fixed: bool = False,
) -> str:
    # explicit table roles: on narrow screens the rows are laid out as blocks (site.css),
    # which would otherwise drop the table semantics in some browsers
    rows = "".join(
        '<tr role="row">'
        f'<td role="cell" class="when" data-label="Tid">'
        f"{escape(i.row['created'][:16].replace('T', ' '))}</td>"
        f'<td role="cell" data-label="Kommune">{escape(i.row["tenant"] or "nasjonal")}</td>'
        f'<td role="cell" data-label="Kanal">{escape(i.row["surface"])}</td>'
        f'<td role="cell" data-label="Spørsmål">'
        f'<a href="/review/answers/{escape(i.row["id"])}">{escape(i.row["question"][:160])}'
        "</a></td>"
        f'<td role="cell" data-label="Merknad">{_flag(i)}</td></tr>'
        for i in items
    )
    table = (
        '<div class="table-scroll"><table class="queue" role="table">'
        "<caption>Svar, de med negativ tilbakemelding eller sendt til jurist først</caption>"
        '<thead role="rowgroup"><tr role="row">'
        '<th scope="col" role="columnheader">Tid (UTC)</th>'
        '<th scope="col" role="columnheader">Kommune</th>'
        '<th scope="col" role="columnheader">Kanal</th>'
        '<th scope="col" role="columnheader">Spørsmål</th>'
        '<th scope="col" role="columnheader">Merknad</th>'
        f'</tr></thead><tbody role="rowgroup">{rows}</tbody></table></div>'
        if items
        else "<p>Ingen svar i perioden.</p>"
    )
    withdrawn = [v for v in verified if v["status"] == "withdrawn"]
    active = [v for v in verified if v["status"] == "active"]
    return shell(
        "Svar til vurdering",
        _filters(tenant, since, until, fixed)
        + table
        + "<h2>Trukket tilbake – til ny vurdering</h2>"
        + _verified_list(withdrawn, "Ingen kvalitetssikrede svar er trukket tilbake.")
        + "<h2>Kvalitetssikrede svar</h2>"
        + _verified_list(active, "Ingen ennå."),
    )


def _verified_list(rows: list[dict[str, Any]], empty: str) -> str:
    if not rows:
        return f"<p>{escape(empty)}</p>"
    items = "".join(
        f'<li><a href="/review/answers/{escape(v["answer_id"])}">{escape(v["question"][:160])}'
        f"</a> – {escape(v['reviewer'])}, {escape(v['created'][:10])}"
        + (f" ({escape(v['withdrawn_reason'])})" if v.get("withdrawn_reason") else "")
        + "</li>"
        for v in rows
    )
    return f"<ul>{items}</ul>"


def answer_page(item: QueueItem, saved: str = "") -> str:
    row = item.row
    aid = escape(row["id"])
    cites = "".join(
        f"<li>[{escape(str(c.get('n')))}] {escape(c.get('title') or '')} "
        f"{escape(c.get('section') or '')}: «{escape(c.get('quote') or '')}»"
        f"{'' if c.get('verified') else ' (ikke verifisert)'}</li>"
        for c in row["citations"] or []
    )
    feedback = "".join(
        f"<li>{escape(f['created'][:16])}: {escape(f['rating'])}"
        f"{' – ' + escape(f['comment']) if f.get('comment') else ''}</li>"
        for f in item.feedback
    )
    reviews = "".join(
        f"<li>{escape(r['created'][:10])} {escape(r['reviewer'])}: {escape(r['verdict'])}"
        f"{' – ' + escape(r['correction']) if r.get('correction') else ''}</li>"
        for r in item.reviews
    )
    correction = item.reviews[-1].get("correction") or "" if item.reviews else ""
    status = f'<p role="status">{escape(saved)}</p>' if saved else ""
    return shell(
        "Vurder svaret",
        status
        + f"<h2>Spørsmål</h2><p>{escape(row['question'])}</p>"
        + f"<h2>Svar</h2><p>{escape(row['answer'])}</p>"
        + (f"<h2>Kilder</h2><ol>{cites}</ol>" if cites else "")
        + "<h2>Detaljer</h2><dl>"
        + f"<dt>Tid (UTC)</dt><dd>{escape(row['created'])}</dd>"
        + f"<dt>Kommune</dt><dd>{escape(row['tenant'] or 'nasjonal')}</dd>"
        + f"<dt>Kanal</dt><dd>{escape(row['surface'])}</dd>"
        + f"<dt>Modus</dt><dd>{escape(row['mode'])}</dd>"
        + f"<dt>Konfigurasjon</dt><dd>{escape(row['config_hash'])}</dd>"
        + f"<dt>Sendt til jurist</dt><dd>{len(item.escalations)} gang(er)</dd></dl>"
        + (f"<h2>Tilbakemeldinger</h2><ul>{feedback}</ul>" if feedback else "")
        + (f"<h2>Tidligere vurderinger</h2><ul>{reviews}</ul>" if reviews else "")
        + f'<form method="post" action="/review/answers/{aid}/verdict">'
        "<fieldset><legend>Er svaret riktig?</legend>"
        '<p><input type="radio" id="v-correct" name="verdict" value="correct" required>'
        '<label for="v-correct">Riktig</label> '
        '<input type="radio" id="v-incorrect" name="verdict" value="incorrect">'
        '<label for="v-incorrect">Feil</label></p>'
        '<p><label for="correction">Retting eller merknad</label><br>'
        '<textarea id="correction" name="correction" rows="6" cols="70"></textarea></p>'
        '<p><button type="submit">Lagre vurderingen</button></p></fieldset></form>'
        + f'<form method="post" action="/review/answers/{aid}/promote">'
        "<fieldset><legend>Gjør til kvalitetssikret svar</legend>"
        '<p><label for="text">Svartekst (tom: svaret slik det er)</label><br>'
        f'<textarea id="text" name="text" rows="6" cols="70">{escape(correction)}</textarea></p>'
        '<p><button type="submit">Kvalitetssikre</button></p></fieldset></form>',
    )
