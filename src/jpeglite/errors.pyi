class JPEGError(ValueError):
    offset: int | None
    reason: str
    def __init__(self, message: str, offset: int | None = None) -> None: ...
