"""The collection variables an OpenAPI import defines (``baseUrl``, path parameters,
credentials of security schemes), each name once, in the order first met."""

from __future__ import annotations

from app.core.model import Variable


class CollectionVariables:
    """Variables by name; a second definition of a name gives back the first."""

    def __init__(self) -> None:
        self.rows: list[Variable] = []
        self._by_name: dict[str, Variable] = {}

    def get(self, name: str) -> Variable | None:
        return self._by_name.get(name)

    def define(self, name: str, value: str = "", *, secret: bool = False) -> Variable:
        known = self._by_name.get(name)
        if known is None:
            known = self._by_name[name] = Variable(name, value, secret=secret)
            self.rows.append(known)
        return known
