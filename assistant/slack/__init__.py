"""The Slack bot: a thin surface over the core `Assistant.answer()`.

- `app.py`      the Bolt app from settings, a `SlackBot` and a Web API client
- `handlers.py` @mentions (answered in the thread), direct messages, `/regelrett`
- `actions.py`  the buttons: feedback, and "Spør en jurist" (to the legal advisers' channel)
- `blocks.py`   answers as Block Kit (escaped, within Slack's limits)
- `bot.py`      what handlers share: answer(), tenants, feedback, memory, limits
- `state.py`    seen events and posted answers (SQLite in the data dir)
- `dedupe.py`   retried events are answered once
- `ratelimit.py` questions per user and per channel
- `digest.py`   "Nye og endrede kilder" after an ingest
- `http.py`     `mount_slack(app, settings)`: /slack/* in the FastAPI app, signatures checked
- `socket.py`   Socket Mode (`regelrett slack`)
- `manifest.yaml` the Slack app manifest

See docs/slack.md. Nothing here is imported by the core.
"""
