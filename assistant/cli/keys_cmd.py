"""`regelrett keys`: create, list and revoke API keys (stored hashed; a key is shown once)."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from assistant.api.keys import KeyInputError, KeyStore, KeyStoreUnavailable
from assistant.cli.common import console, fail, load_settings

app = typer.Typer(help="API keys for the HTTP service.", no_args_is_help=True)


def _store() -> KeyStore:
    settings = load_settings()
    return KeyStore.for_settings(settings)  # the shared database when REGELRETT_DATABASE_URL


@app.command("create")
def create(
    name: str = typer.Argument(..., help="A name to recognise the key by (unique while active)."),
    scope: list[str] = typer.Option(
        ["ask"], "--scope", help="ask, admin and/or review (the /review page); repeatable."
    ),
    widget: bool = typer.Option(
        False, "--widget", help="A public key for the web widget: scope ask, bound to --origin."
    ),
    origin: list[str] = typer.Option(
        [], "--origin", help="Web origin a widget key may be used from (repeatable)."
    ),
    tenant: str = typer.Option(
        "",
        "--tenant",
        help="The municipality the key belongs to: it sees the national layer and this "
        "tenant's sources only. Default: none (the national layer only).",
    ),
) -> None:
    """Create a key and print it once: only its hash is stored."""
    store = _store()
    try:
        plaintext, key = store.create(
            name, scope, kind="widget" if widget else "server", origins=origin, tenant=tenant
        )
    except (KeyInputError, KeyStoreUnavailable) as exc:
        fail(str(exc))
    finally:
        store.close()
    console.print(
        f"created {key.kind} key [bold]{key.name}[/] (id {key.id}, scopes {' '.join(key.scopes)}"
        + (f", origins {' '.join(key.origins)}" if key.origins else "")
        + (f", tenant {key.tenant}" if key.tenant else "")
        + "). It is shown only this once:",
        highlight=False,
    )
    typer.echo(plaintext)


@app.command("list")
def list_keys(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    all_keys: bool = typer.Option(False, "--all", help="Include revoked keys."),
) -> None:
    """The keys: name, id, kind, scopes, origins, created, revoked (never the key itself)."""
    store = _store()
    try:
        keys = store.list(include_revoked=all_keys)
    except KeyStoreUnavailable as exc:
        fail(str(exc))
    finally:
        store.close()
    if as_json:
        rows = [
            {
                "id": k.id,
                "name": k.name,
                "hint": k.hint,
                "kind": k.kind,
                "scopes": list(k.scopes),
                "origins": list(k.origins),
                "tenant": k.tenant,
                "created": k.created,
                "revoked": k.revoked,
            }
            for k in keys
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    if not keys:
        console.print("No keys. Create one with `regelrett keys create NAME --scope ask`.")
        return
    table = Table(
        "name", "id", "starts with", "kind", "scopes", "origins", "tenant", "created", "revoked"
    )
    for k in keys:
        table.add_row(
            k.name,
            k.id,
            k.hint + "…",
            k.kind,
            " ".join(k.scopes),
            " ".join(k.origins),
            k.tenant,
            k.created,
            k.revoked or "",
        )
    console.print(table)


@app.command("revoke")
def revoke(name_or_id: str = typer.Argument(..., help="The key's name or id.")) -> None:
    """Revoke a key; a running server refuses it within a couple of seconds."""
    store = _store()
    try:
        revoked = store.revoke(name_or_id)
    except (KeyInputError, KeyStoreUnavailable) as exc:
        fail(str(exc))
    finally:
        store.close()
    for k in revoked:
        console.print(f"revoked {k.name} (id {k.id})", highlight=False)
