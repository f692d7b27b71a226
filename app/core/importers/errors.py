"""The error an import raises: Courier's error type, saying where the input went wrong."""

from __future__ import annotations

from app.core.errors import CourierError


class MalformedImport(CourierError):
    """Input that cannot be imported; nothing of it was imported.

    ``line`` and ``column`` (1-based) point at the character where it went wrong,
    so a person can find it in what they pasted.
    """

    title = "Cannot import"

    def __init__(self, message: str, *, line: int, column: int, detail: str = "") -> None:
        super().__init__(f"{message} (line {line}, column {column})", detail=detail)
        self.reason = message
        self.line = line
        self.column = column
