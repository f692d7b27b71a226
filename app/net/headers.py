"""Header checks before anything is sent, and masking for display.

A header that HTTP cannot carry (a name that is not a token, a value with a
line break, a NUL or another control character, or a character outside
ASCII) is refused before sending, naming the header and the problem, never
echoing its value, which may be a secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.core.errors import InvalidHeader, Phase

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")

#: headers that carry credentials whatever their value came from
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})
#: auth schemes whose parameters are not secret are still shown masked after the scheme
MASKED = "••••••••"


def _problem(value: str) -> str | None:
    for position, char in enumerate(value, start=1):
        code = ord(char)
        if char in "\r\n":
            return f"a line break at character {position}"
        if code == 0:
            return f"a NUL character at character {position}"
        if (code < 0x20 and char != "\t") or code == 0x7F:
            return f"a control character (U+{code:04X}) at character {position}"
        if code > 0x7E:
            return (
                f"a character outside ASCII at character {position}; percent-encode it "
                "or encode the value (e.g. Base64)"
            )
    return None


def check_header(name: str, value: str, where: str = "") -> None:
    """Raise ``InvalidHeader`` if ``name: value`` cannot be sent."""
    place = f" ({where})" if where else ""
    if not _TOKEN.match(name):
        shown = name if name.isprintable() and len(name) <= 60 else "(unprintable)"
        raise InvalidHeader(
            f"The header name “{shown}”{place} cannot be sent: names may hold only letters, "
            "digits and !#$%&'*+-.^_`|~ (no spaces or colons).",
            phase=Phase.PREPARE,
        )
    problem = _problem(value)
    if problem is not None:
        raise InvalidHeader(
            f"The value of the header “{name}”{place} cannot be sent: it contains {problem}.",
            phase=Phase.PREPARE,
        )


def check_headers(headers: Iterable[tuple[str, str]], where: str = "") -> None:
    for name, value in headers:
        check_header(name, value, where)


def mask_value(name: str, value: str) -> str:
    """``value`` as shown to the user: credentials keep their scheme only."""
    lowered = name.lower()
    if lowered in ("authorization", "proxy-authorization"):
        scheme, _, rest = value.partition(" ")
        return f"{scheme} {MASKED}" if rest else MASKED
    return MASKED
