"""The password inside a proxy URL (``http://user:password@proxy:3128``).

A proxy password is a secret like any credential: the collection file keeps the
URL without it (and says ``secret_fields: [proxy]``), the keychain keeps the
password, and displays show it masked.  These helpers split and join the URL's
user-info by hand, keeping every other character as the user typed it (a
percent-encoded password stays encoded), so a round trip never changes a URL.
"""

from __future__ import annotations

MASK = "••••"


def _split(url: str) -> tuple[str, str, str] | None:
    """(scheme://, authority, the rest) or None when ``url`` has no scheme."""
    head, sep, tail = url.partition("://")
    if not sep:
        return None
    end = len(tail)
    for stop in "/?#":
        found = tail.find(stop)
        if found != -1:
            end = min(end, found)
    return head + sep, tail[:end], tail[end:]


def _parts(url: str) -> tuple[str, str, str, str] | None:
    """(scheme://, user, password, @rest) or None when the URL has no password."""
    split = _split(url)
    if split is None:
        return None
    head_sep, authority, after = split
    userinfo, at, host = authority.rpartition("@")
    if not at:
        return None
    user, colon, password = userinfo.partition(":")
    if not colon:
        return None
    return head_sep, user, password, "@" + host + after


def password(url: str | None) -> str:
    """The password part of ``url`` ("" when it has none)."""
    parts = _parts(url or "")
    return parts[2] if parts is not None else ""


def without_password(url: str) -> str:
    """``url`` with its password taken out (the user name stays)."""
    parts = _parts(url)
    if parts is None:
        return url
    scheme, user, _password, rest = parts
    return f"{scheme}{user}{rest}"


def with_password(url: str, secret: str) -> str:
    """``url`` (without a password) with ``secret`` as its password ("" : none)."""
    bare = without_password(url)
    if not secret:
        return bare
    split = _split(bare)
    if split is None:
        return bare
    head_sep, authority, after = split
    user, at, host = authority.rpartition("@")
    if not at:
        user, host = "", authority
    return f"{head_sep}{user}:{secret}@{host}{after}"


def masked(url: str | None, mask: str = MASK) -> str:
    """``url`` for display: its password (if any) replaced by ``mask``."""
    if not url:
        return url or ""
    return with_password(url, mask) if password(url) else url
