"""File and multipart bodies, resolved: where their files are and what they are called.

Paths are kept in collection files as typed.  A relative path is relative to the
folder of the request's file (so a collection in git carries its fixtures), or
of the collection when the request was never saved; ``~`` is the home folder.
Nothing here touches the disk: the engine opens the files when it sends.
"""

from __future__ import annotations

import mimetypes
import os
import secrets
from collections.abc import Callable
from pathlib import Path, PurePath

from app.core.model import Body, BodyKind, FormPart, PartKind
from app.core.resolved import Upload, UploadPart

OCTET_STREAM = "application/octet-stream"
MULTIPART_CONTENT_TYPE = "multipart/form-data"

_types: mimetypes.MimeTypes | None = None


def guess_content_type(path: str) -> str:
    """The type a file's extension suggests, else ``application/octet-stream``.

    Python's built-in table only (no system files are read), so the guess is
    the same on every machine and costs no disk access.
    """
    global _types
    if _types is None:
        _types = mimetypes.MimeTypes()
    guessed, _encoding = _types.guess_type(PurePath(path).name, strict=False)
    return guessed or OCTET_STREAM


def upload_path(typed: str, base: Path | None) -> str:
    """``typed`` (variables already substituted) as the path to open."""
    expanded = os.path.expanduser(typed.strip())
    if expanded and base is not None and not os.path.isabs(expanded):
        return os.path.join(base, expanded)
    return expanded


def new_boundary() -> str:
    """A multipart boundary no file is likely to contain (128 random bits)."""
    return f"courier-{secrets.token_hex(16)}"


def resolve_upload(
    body: Body, render: Callable[[str], str], base: Path | None
) -> tuple[Upload, str] | None:
    """A FILE or MULTIPART body as an ``Upload`` and its default Content-Type
    (None for other kinds)."""
    if body.kind is BodyKind.FILE:
        path = upload_path(render(body.path), base)
        content_type = render(body.content_type).strip() or guess_content_type(path)
        return Upload(path=path), content_type
    if body.kind is BodyKind.MULTIPART:
        parts = tuple(_part(p, render, base) for p in body.parts if p.enabled)
        boundary = new_boundary()
        return (
            Upload(parts=parts, boundary=boundary),
            f"{MULTIPART_CONTENT_TYPE}; boundary={boundary}",
        )
    return None


def _part(part: FormPart, render: Callable[[str], str], base: Path | None) -> UploadPart:
    name = render(part.name)
    file_name = render(part.file_name) or None
    content_type = render(part.content_type).strip()
    if part.kind is PartKind.TEXT:
        return UploadPart(
            name, text=render(part.value), content_type=content_type, file_name=file_name
        )
    path = upload_path(render(part.value), base)
    return UploadPart(
        name,
        path=path,
        is_file=True,
        content_type=content_type or guess_content_type(path),
        file_name=file_name if file_name is not None else PurePath(path).name,
    )
