"""Local simulators of the external services the suite talks to.

Each simulator follows the public documentation of its service (paths, auth,
pagination, rate limits, error bodies, webhook signatures), keeps state so that
tests assert on what the service received, and listens on 127.0.0.1 only.
"""
