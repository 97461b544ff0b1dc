"""Wire-accurate fakes of Slack for the bot's tests, on 127.0.0.1 only: the Web API (and
`response_url`s) as a local HTTP server, the Socket Mode WebSocket server, and helpers that
sign and send requests exactly as Slack does."""
