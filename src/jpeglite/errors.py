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
