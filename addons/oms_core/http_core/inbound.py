"""The other way: what the OMS's webhook routes (channels, carriers, the drivers'
app) check before they read a body, the same for each.

A webhook is an unauthenticated POST (``auth="none"``, no CSRF token, no
session kept), bounded by ``max_content_length``; it names its sender in the
URL. Nothing of the body is read before that sender is known and the length it
declares is within the limit.
"""

# The keywords of ``odoo.http.route`` every webhook route takes, with its own path
# and ``max_content_length`` (Odoo parses a form body before the controller: the
# route's limit bounds that too).
WEBHOOK_ROUTE = {
    "type": "http",
    "auth": "none",
    "methods": ["POST"],
    "csrf": False,
    "save_session": False,
}


def refusal(known, length, limit, sender="sender", length_required=True):
    """``(status, message)`` a webhook is refused with before its body is read,
    or None: 404 when its ``sender`` (named in the URL) is not ``known``, 411
    when it declares no length and one is required, 413 when the length it
    declares is over ``limit``."""
    if not known:
        return 404, f"unknown {sender}"
    if length is None and length_required:
        return 411, "length required"
    if (length or 0) > limit:
        return 413, "payload too large"
    return None
