"""Which unknown secrets a resolved request would carry.

An unknown secret (``app.core.unknown_secret``) is a marker that survives
``{{variable}}`` expansion, so looking for markers in what would be sent names
exactly the secrets this send needs and the keychain did not give, however
they got there (a header, the URL, the body, a credential, the proxy URL,
through another variable).  ``ResolvedRequest.secrets`` is left out: it lists
every secret value in scope, used or not, only to mask them.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote_plus

from app.core.resolved import AUTH_FROM_CLIENT
from app.core.unknown_secret import PREFIX, labels_in

if TYPE_CHECKING:
    from app.core.inherit import Resolution

_NOT_SENT = frozenset({"secrets"})
#: a marker in a query string or a form body is percent-encoded there
_QUOTED = "%00courier-unknown-secret"


def unknown_in(resolution: Resolution) -> list[str]:
    """The labels of the unknown secrets in ``resolution`` (empty: it may be sent)."""
    found: list[str] = []
    profile, request = resolution.profile, resolution.request
    if request.auth_mode == AUTH_FROM_CLIENT:
        _walk(profile.auth, found)  # else the client's auth is not what this request uses
    for name in ("base_url", "headers", "transport"):
        _walk(getattr(profile, name), found)
    _walk(request, found)
    return list(dict.fromkeys(found))


def _walk(value: object, found: list[str]) -> None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        if PREFIX in value:
            found.extend(labels_in(value))
        if _QUOTED in value:
            found.extend(labels_in(unquote_plus(value)))
    elif isinstance(value, tuple | list | frozenset | set):
        for item in value:
            _walk(item, found)
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            if f.name not in _NOT_SENT:
                _walk(getattr(value, f.name), found)
