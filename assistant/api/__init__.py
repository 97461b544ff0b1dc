"""The HTTP API: routes by resource, API keys, rate limits and problem responses.

`assistant.server.create_app(settings)` puts it together; see docs/api.md.
"""
