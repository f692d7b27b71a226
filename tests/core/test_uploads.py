"""Upload bodies resolve to paths relative to the request file and sensible types."""

from __future__ import annotations

import os
from pathlib import Path

from app.core.inherit import resolve
from app.core.model import Body, BodyKind, Collection, FormPart, PartKind, Request
from app.core.uploads import guess_content_type, upload_path


def test_paths_resolve_against_the_request_file_then_the_collection() -> None:
    assert upload_path("fx/a.bin", Path("/c/api")) == "/c/api/fx/a.bin"
    assert upload_path("/abs/a.bin", Path("/c/api")) == "/abs/a.bin"
    assert upload_path("~/a.bin", Path("/c")) == os.path.expanduser("~/a.bin")
    assert upload_path("a.bin", None) == "a.bin"
    body = Body(BodyKind.FILE, path="a.csv")
    saved = Request("r", "POST", "http://h/", body=body, path=Path("/c/api/r.request.yaml"))
    upload = resolve(saved, None).request.upload
    assert upload is not None
    assert upload.path == "/c/api/a.csv"
    unsaved = Request("r", "POST", "http://h/", body=body)
    upload = resolve(unsaved, Collection("c", path=Path("/c"))).request.upload
    assert upload is not None
    assert upload.path == "/c/a.csv"


def test_content_types_and_skipped_parts() -> None:
    assert guess_content_type("x/report.PDF") == "application/pdf"
    assert guess_content_type("data.unknown-ext") == "application/octet-stream"
    body = Body(
        BodyKind.MULTIPART,
        parts=[
            FormPart("off", "x", enabled=False),
            FormPart("{{n}}", "v"),
            FormPart("f", "/p/photo.jpg", PartKind.FILE),
        ],
    )
    request = resolve(Request("r", "POST", "http://h/", body=body), None).request
    assert request.content is None
    assert request.upload is not None
    parts = request.upload.parts
    assert [p.name for p in parts] == ["{{n}}", "f"]
    assert (parts[1].content_type, parts[1].file_name, parts[1].is_file) == (
        "image/jpeg",
        "photo.jpg",
        True,
    )
    assert parts[0].file_name is None
    assert not parts[0].is_file
    content_type = dict(request.headers)["Content-Type"]
    assert content_type == f"multipart/form-data; boundary={request.upload.boundary}"
