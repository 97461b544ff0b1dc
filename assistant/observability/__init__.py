"""Metrics (Prometheus), structured logs and the request id carried through both."""
