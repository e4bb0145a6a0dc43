"""The errors of the EDI formats: each names where in the interchange it is."""


class EdiError(Exception):
    """An interchange that cannot be read or accepted.

    ``tag`` and ``position`` name the segment (its tag and its 1-based index in
    the interchange), ``element`` the 1-based element in it (0: the segment as a
    whole); ``set_control`` and ``set_position`` the transaction set / message
    it is in (its control number, the segment's 1-based index in it, the header
    being 1) when it is in one; ``code`` the acknowledgement's error code."""

    def __init__(
        self,
        message,
        *,
        tag="",
        position=0,
        element=0,
        code="",
        set_control="",
        set_position=0,
        value="",
        level="set",
    ):
        super().__init__(message)
        self.message = message
        self.tag = tag
        self.position = position
        self.element = element
        self.code = code
        self.set_control = set_control
        self.set_position = set_position
        self.value = value
        # "interchange", "group" or "set": what the acknowledgement rejects.
        self.level = level

    def where(self):
        """Where the error is, for a person: segment, position, element."""
        if not self.tag:
            return "the interchange"
        text = f"segment {self.tag} at position {self.position}"
        if self.element:
            text += f", element {self.element:02d}"
        if self.set_control:
            text += f" (message {self.set_control}, segment {self.set_position} of it)"
        return text

    def __str__(self):
        return f"{self.where()}: {self.message}"


class UnknownProduct(EdiError):
    """A line names no product known to the channel."""


class UnknownPartner(EdiError):
    """The interchange is not from (or not to) the channel's trading partner."""
