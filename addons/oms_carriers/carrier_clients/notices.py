"""What a tracking event means for the customer, in plain Python.

Carriers report a delivery exception with their own words and codes; the customer
needs to know which of a few situations it is, because each asks something else of
them (be home, correct the address, pay the duties, contact the shop)."""

EXCEPTION_KINDS = ("failed_attempt", "address", "customs", "returned", "other")

# Words the carriers use (EasyPost, UPS, FedEx, Swiss Post, our drivers), lower case.
_KEYWORDS = (
    ("returned", ("return to sender", "returned to sender", "returning to sender", "rts")),
    ("customs", ("customs", "duties", "duty", "import clearance", "clearance delay")),
    (
        "address",
        ("address", "incorrect street", "undeliverable as addressed", "recipient moved"),
    ),
    (
        "failed_attempt",
        (
            "attempt",
            "not home",
            "no one",
            "nobody",
            "missed",
            "business closed",
            "notice left",
            "not available",
            "absent",
        ),
    ),
)


def exception_kind(status, carrier_status="", description=""):
    """Which kind of delivery problem an event is (one of ``EXCEPTION_KINDS``), or
    None when it is no problem (``status`` neither exception nor returned)."""
    if status == "returned":
        return "returned"
    if status != "exception":
        return None
    words = f" {carrier_status or ''} {description or ''} ".lower()
    for kind, keywords in _KEYWORDS:
        if any(keyword in words for keyword in keywords):
            return kind
    return "other"
