"""Webhook signatures of the carriers.

EasyPost signs each event with the webhook's secret: the header
``X-Hmac-Signature`` is ``hmac-sha256-hex=<hex>`` of HMAC-SHA256 over the raw
body, the secret being NFKD-normalised first (as EasyPost's own libraries do).
Verify on the raw bytes, before parsing anything.
"""

import hashlib
import hmac
import unicodedata

EASYPOST_SIGNATURE_HEADER = "X-Hmac-Signature"
_PREFIX = "hmac-sha256-hex="


def easypost_signature(body, secret):
    """The ``X-Hmac-Signature`` value EasyPost sends for ``body`` (bytes)."""
    key = unicodedata.normalize("NFKD", secret).encode()
    return _PREFIX + hmac.new(key, bytes(body), hashlib.sha256).hexdigest()


def verify_easypost_signature(body, signature, secret):
    """True when ``signature`` is EasyPost's signature of ``body``; constant time.

    A missing body, signature or secret is never valid.
    """
    if not signature or not secret or not isinstance(body, (bytes, bytearray)):
        return False
    expected = easypost_signature(body, secret).encode()
    return hmac.compare_digest(expected, signature.strip().encode())
