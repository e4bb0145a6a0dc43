"""Plain helpers the OMS addons share (no ORM)."""

from urllib.parse import urlsplit


def credentials_may_go_to(url, allow_http=False):
    """True when an API client may send its credentials to ``url``: an https URL
    (plain http only when ``allow_http``, for local simulators) with a host and no
    user name or password of its own."""
    try:
        parts = urlsplit((url or "").strip())
        host = parts.hostname
    except ValueError:
        return False
    schemes = ("https", "http") if allow_http else ("https",)
    return (
        parts.scheme in schemes and bool(host) and parts.username is None and parts.password is None
    )
