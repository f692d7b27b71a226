"""Which values of an export are secrets, and the environment variable each is read from.

Generated code never holds a secret: a secret variable's value is read from an
environment variable named after it (``{{api token}}`` -> ``API_TOKEN``), a
credential typed into an auth form from one named after its field
(``PASSWORD``, ``TOKEN``...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.core.model import CREDENTIAL_FIELDS, Auth, Collection, Environment, Folder
from app.core.resolved import ResolvedAuth

_REFERENCE = re.compile(r"\{\{([^{}\r\n]+)\}\}")
#: the environment variable a credential typed into an auth form is read from
FIELD_ENV = {
    "password": "PASSWORD",
    "token": "TOKEN",
    "key_value": "API_KEY",
    "client_secret": "CLIENT_SECRET",
    "secret_key": "AWS_SECRET_ACCESS_KEY",
    "session_token": "AWS_SESSION_TOKEN",
}


def env_name(variable: str) -> str:
    """``api token`` -> ``API_TOKEN``: a name a shell accepts."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", variable).strip("_").upper()
    return name if name and not name[0].isdigit() else f"V_{name}"


class SecretEnv:
    """Secret value -> environment variable name, built up over one export."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def add_variables(
        self,
        collection: Collection | None,
        chain: tuple[Folder, ...],
        environment: Environment | None,
    ) -> None:
        layers = [collection.variables] if collection is not None else []
        if environment is not None:
            layers.append(environment.variables)
        layers.extend(folder.variables for folder in chain)
        for layer in layers:
            for var in layer:
                if var.enabled and var.secret and var.value and var.name.strip():
                    self._name(var.value, env_name(var.name))

    def add_auth(self, auth: ResolvedAuth | None) -> None:
        if auth is None:
            return
        for field in CREDENTIAL_FIELDS:
            value = getattr(auth, field)
            if value and value not in self.names:
                self._name(value, FIELD_ENV[field])

    def add_references(self, typed: Auth, resolved: ResolvedAuth | None) -> None:
        """Credentials typed as exactly ``{{name}}`` are read from ``NAME``."""
        if resolved is None:
            return
        for field in CREDENTIAL_FIELDS:
            value = getattr(resolved, field)
            reference = _REFERENCE.fullmatch(getattr(typed, field).strip())
            if value and reference is not None:
                self._name(value, env_name(reference.group(1).strip()))

    def add_values(self, values: Iterable[str]) -> None:
        """Secret values whose origin is unknown (``ResolvedRequest.secrets``)."""
        for value in values:
            if value and value not in self.names:
                self._name(value, "SECRET")

    def _name(self, value: str, wanted: str) -> None:
        if value in self.names:
            return
        taken = set(self.names.values())
        name, counter = wanted, 2
        while name in taken:
            name, counter = f"{wanted}_{counter}", counter + 1
        self.names[value] = name

    def split(self, text: str) -> list[tuple[str, bool]]:
        """``text`` cut into (literal, False) and (environment variable name, True) pieces."""
        if not self.names or not text:
            return [(text, False)]
        values = sorted(self.names, key=len, reverse=True)
        pattern = re.compile("|".join(re.escape(v) for v in values))
        pieces: list[tuple[str, bool]] = []
        position = 0
        for match in pattern.finditer(text):
            if match.start() > position:
                pieces.append((text[position : match.start()], False))
            pieces.append((self.names[match.group()], True))
            position = match.end()
        if position < len(text):
            pieces.append((text[position:], False))
        return pieces
