"""A secret Courier could not read: UNKNOWN, never empty.

When the keychain is locked or absent, a secret named by a collection file
(``secret_fields``, ``secret: true``) has a value Courier does not know.  An
empty string would be wrong twice: a save would take it for "the user cleared
it" and delete the keychain entry and the file's reference, and a send would
go out with an empty credential.  So the model holds a marker instead: a text
that cannot come from a user or a file (it starts with a NUL), that says which
secret it stands for, and that survives copies, editors and ``{{variable}}``
expansion, so a send can tell exactly which unknown secret it would carry
(``labels_in``) and refuse.  Storage never writes it and the keychain never
receives it.
"""

from __future__ import annotations

import re

PREFIX = "\x00courier-unknown-secret:"
_MARK = re.compile("\x00courier-unknown-secret:([^\x00]*)\x00")


def unknown(label: str) -> str:
    """The marker for the secret described by ``label`` (e.g. "secret variable token")."""
    return f"{PREFIX}{label.replace(chr(0), '')}\x00"


def is_unknown(value: str | None) -> bool:
    return value is not None and PREFIX in value


def labels_in(text: str | bytes) -> list[str]:
    """The secrets whose markers ``text`` holds, in order, each once."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return list(dict.fromkeys(_MARK.findall(text)))
