"""Importers: text from other tools turned into Courier's model (no Qt, no httpx)."""

from app.core.importers.batch_write import write_into_collection, write_new_collection
from app.core.importers.bruno import detect_bruno_folder, parse_bruno_folder
from app.core.importers.curl import CurlImport, looks_like_curl, parse_curl
from app.core.importers.curl_model import request_name, to_request
from app.core.importers.curl_semantics import CurlRequest
from app.core.importers.errors import MalformedImport
from app.core.importers.formats import COLLECTION_FORMATS, CollectionFormat, collection_format
from app.core.importers.har import parse_har
from app.core.importers.imported import Imported, ImportReport
from app.core.importers.insomnia import parse_insomnia
from app.core.importers.openapi import parse_openapi
from app.core.importers.posting import parse_posting, parse_posting_folder
from app.core.importers.postman import parse_postman, parse_postman_environment

__all__ = [
    "COLLECTION_FORMATS",
    "CollectionFormat",
    "CurlImport",
    "CurlRequest",
    "ImportReport",
    "Imported",
    "MalformedImport",
    "collection_format",
    "detect_bruno_folder",
    "looks_like_curl",
    "parse_bruno_folder",
    "parse_curl",
    "parse_har",
    "parse_insomnia",
    "parse_openapi",
    "parse_posting",
    "parse_posting_folder",
    "parse_postman",
    "parse_postman_environment",
    "request_name",
    "to_request",
    "write_into_collection",
    "write_new_collection",
]
