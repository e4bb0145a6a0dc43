"""Data the clients return that is the same for every channel."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RemoteOrder:
    """An order as read from a channel, ready for the inbox.

    ``payload`` is the channel's JSON for the order (for Amazon: the order and its
    items, ``{"Order": ..., "OrderItems": [...]}``), which the matching mapper reads.
    """

    external_id: str
    updated_at: str
    payload: dict
