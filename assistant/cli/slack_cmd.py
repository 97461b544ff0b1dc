"""`regelrett slack`: the Slack bot in Socket Mode (no inbound traffic needed); `--manifest`
prints the Slack app manifest. HTTP mode needs no command: `regelrett serve` answers Slack at
/slack/* when the bot token and signing secret are set (docs/slack.md)."""

from __future__ import annotations

import threading

import typer

from assistant.cli.common import console, fail, load_settings


def slack(
    manifest: bool = typer.Option(
        False, "--manifest", help="Print the Slack app manifest (YAML) and exit."
    ),
    url: str | None = typer.Option(
        None,
        "--url",
        help="With --manifest: this service's public https address, for HTTP mode (Request "
        "URLs under /slack/); without it, the manifest is for Socket Mode.",
    ),
) -> None:
    """Run the Slack bot over Socket Mode until Ctrl-C."""
    if manifest:
        from assistant.slack.manifest import manifest_text

        print(manifest_text(url), end="")
        return
    settings = load_settings()
    s = settings.slack
    missing = [
        env
        for env, value in (
            ("REGELRETT_SLACK_BOT_TOKEN", s.bot_token),
            ("REGELRETT_SLACK_APP_TOKEN", s.app_token),
        )
        if not value
    ]
    if missing:
        fail(f"Socket Mode needs {' and '.join(missing)} (see docs/slack.md)")

    from slack_sdk.errors import SlackApiError

    from assistant.embeddings import EmbedderError
    from assistant.slack.app import web_client
    from assistant.slack.links import base_url
    from assistant.slack.socket import run_socket_mode
    from assistant.store import StoreError

    client = web_client(settings)
    try:
        me = client.auth_test()
    except SlackApiError as exc:
        fail(f"Slack refused the bot token: {exc.response.get('error')}")
    except OSError as exc:
        fail(f"cannot reach Slack: {exc}")
    console.print(
        f"Regelrett on Slack as @{me.get('user')} in {me.get('team')} (Socket Mode); Ctrl-C stops",
        highlight=False,
    )
    if not s.advisers_channel:
        console.print(
            "[yellow]REGELRETT_SLACK_ADVISERS_CHANNEL is unset: 'Spør en jurist' "
            "will say that no channel is set up[/]"
        )
    if not s.public_base_url:
        console.print(
            f"[yellow]REGELRETT_SLACK_PUBLIC_BASE_URL is unset: source links go to "
            f"{base_url(settings)}[/]",
            highlight=False,
        )
    stop = threading.Event()
    try:
        run_socket_mode(settings, stop, client)
    except KeyboardInterrupt:
        stop.set()
    except (StoreError, EmbedderError, ValueError) as exc:
        fail(str(exc))
