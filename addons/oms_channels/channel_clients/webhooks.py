"""Webhook signatures: base64 of HMAC-SHA256 of the raw body (Shopify, WooCommerce).

Shopify sends it in ``X-Shopify-Hmac-Sha256``, WooCommerce in
``X-WC-Webhook-Signature``; both sign the body exactly as sent, with the secret
the webhook was created with. Verify on the raw bytes, before parsing anything.
"""

import base64
import hashlib
import hmac

SHOPIFY_SIGNATURE_HEADER = "X-Shopify-Hmac-Sha256"
WOOCOMMERCE_SIGNATURE_HEADER = "X-WC-Webhook-Signature"


def _key(secret):
    return secret.encode() if isinstance(secret, str) else secret


def sign(body, secret):
    """The signature a channel sends for ``body`` (bytes)."""
    digest = hmac.new(_key(secret), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_signature(body, signature, secret):
    """True when ``signature`` is the body's signature; constant-time comparison.

    A missing signature or secret is never valid.
    """
    if not signature or not secret or not isinstance(body, (bytes, bytearray)):
        return False
    if isinstance(signature, str):
        signature = signature.strip().encode()
    return hmac.compare_digest(sign(bytes(body), secret).encode(), signature)


verify_shopify_webhook = verify_signature
verify_woocommerce_webhook = verify_signature
