"""Importers: text from other tools turned into Courier's model (no Qt, no httpx)."""

from app.core.importers.curl import CurlImport, looks_like_curl, parse_curl
from app.core.importers.curl_model import request_name, to_request
from app.core.importers.curl_semantics import CurlRequest
from app.core.importers.errors import MalformedImport

__all__ = [
    "CurlImport",
    "CurlRequest",
    "MalformedImport",
    "looks_like_curl",
    "parse_curl",
    "request_name",
    "to_request",
]
