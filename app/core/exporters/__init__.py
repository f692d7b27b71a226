"""Exporters: Courier's requests as other tools' text (curl, httpx code, Postman) and the
history as HAR; no Qt, no httpx."""

from app.core.exporters.curl_command import to_curl
from app.core.exporters.flatten import ExportError
from app.core.exporters.har import har_log, write_har
from app.core.exporters.httpx_code import STYLES, ExportedCode, to_httpx
from app.core.exporters.postman import to_postman
from app.core.exporters.secret_env import SecretEnv

__all__ = [
    "STYLES",
    "ExportError",
    "ExportedCode",
    "SecretEnv",
    "har_log",
    "to_curl",
    "to_httpx",
    "to_postman",
    "write_har",
]
