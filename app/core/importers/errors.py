"""The error an import raises: Courier's error type, saying where the input went wrong."""

from __future__ import annotations

from app.core.errors import CourierError


class MalformedImport(CourierError):
    """Input that cannot be imported; nothing of it was imported.

    ``line`` and ``column`` (1-based) point at the character where it went wrong,
    so a person can find it in what they pasted.  A document read as JSON that
    parses but has the wrong shape has no line: ``where`` then names the place by
    its JSON path (``item[3].request.url``) and ``line`` / ``column`` are 0.
    """

    title = "Cannot import"

    def __init__(
        self,
        message: str,
        *,
        line: int = 0,
        column: int = 0,
        where: str = "",
        detail: str = "",
    ) -> None:
        if line:
            shown = f"{message} (line {line}, column {column})"
        elif where:
            shown = f"{where}: {message}"
        else:
            shown = message
        super().__init__(shown, detail=detail)
        self.reason = message
        self.line = line
        self.column = column
        self.where = where

    @property
    def location(self) -> str:
        """Where it went wrong, for a message: ``3:14`` or a JSON path (or "")."""
        if self.line:
            return f"{self.line}:{self.column}"
        return self.where
