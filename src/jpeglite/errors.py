"""The one exception type for bad JPEG data."""


class JPEGError(ValueError):
    """Raised for malformed, truncated or unsupported JPEG data.

    ``offset`` is the byte offset into the input where decoding failed (or
    ``None`` when no single position is to blame); it is also part of the
    message, so a log line alone tells where to look.
    """

    def __init__(self, message, offset=None):
        self.offset = offset
        self.reason = message
        if offset is not None:
            message = f"{message} (at byte offset {offset})"
        super().__init__(message)


class ConversionWarning(UserWarning):
    """An input was converted and information was lost on the way: an alpha
    channel with transparent pixels dropped, 16-bit samples reduced to 8 bits
    (see ``jpeglite.inputs`` for the rule), or a file written under a name
    whose suffix says another format."""
