"""The errors of the mappers."""


class MappingError(ValueError):
    """A payload that cannot become an order draft.

    ``path`` points at the bad field in the payload (``line_items[2].quantity``);
    ``str(error)`` is a sentence a user can act on.
    """

    def __init__(self, message, path=""):
        super().__init__(message, path)
        self.message = message
        self.path = path

    def __str__(self):
        return f"{self.path}: {self.message}" if self.path else self.message


class OrderPending(MappingError):
    """The channel has the order but cannot give it whole yet (Amazon ``Pending``:
    no prices, no address): not an error, the payload waits for a later version."""
