"""Exporters: Courier's requests as other tools' text (curl, httpx code); no Qt, no httpx."""

from app.core.exporters.curl_command import to_curl
from app.core.exporters.flatten import ExportError
from app.core.exporters.httpx_code import STYLES, ExportedCode, to_httpx
from app.core.exporters.postman import to_postman
from app.core.exporters.secret_env import SecretEnv

__all__ = [
    "STYLES",
    "ExportError",
    "ExportedCode",
    "SecretEnv",
    "to_curl",
    "to_httpx",
    "to_postman",
]
