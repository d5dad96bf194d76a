"""The one exception type for bad JPEG data, and the warnings of a decode."""


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


class CorruptDataWarning(UserWarning):
    """``decode`` recovered from damaged data as libjpeg does, where libjpeg
    prints "Corrupt JPEG data" or "Premature end of JPEG file": entropy-coded
    data that ran into a marker early (the rest of its restart interval left
    as zeros), an invalid arithmetic code (likewise), restart markers missing
    or out of order (resynchronised), a cut-off tail after a complete image.
    The message says which and where (byte offset); ``decode(...,
    strict=True)`` raises ``JPEGError`` instead."""


class ConversionWarning(UserWarning):
    """An input was converted and information was lost on the way: an alpha
    channel with transparent pixels dropped, 16-bit samples reduced to 8 bits
    (see ``jpeglite.inputs`` for the rule), or a file written under a name
    whose suffix says another format."""
