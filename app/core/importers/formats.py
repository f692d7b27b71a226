"""The collection formats Courier imports, in one table the command line and the
window share: ``courier import --format NAME`` and File ▸ Import ▸ LABEL….

A format parses a file's bytes (``parse``) or, for tools that keep a collection
as a folder of files (Bruno, Posting), a directory (``parse_folder``).  Either
gives an ``Imported`` whole or raises ``MalformedImport``: nothing half-way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.core.importers.bruno import detect_bruno_folder, parse_bruno_folder
from app.core.importers.errors import MalformedImport
from app.core.importers.har import parse_har
from app.core.importers.imported import Imported
from app.core.importers.insomnia import parse_insomnia
from app.core.importers.openapi import parse_openapi
from app.core.importers.posting import (
    detect_posting_folder,
    parse_posting,
    parse_posting_folder,
)
from app.core.importers.postman import parse_postman, parse_postman_environment

ParseText = Callable[[str | bytes], Imported]
ParseFolder = Callable[[Path], Imported]


@dataclass(frozen=True, slots=True)
class CollectionFormat:
    #: ``--format`` on the command line, and the command's id (``import.NAME``)
    name: str
    #: how a person names it ("Postman collection")
    label: str
    #: the file picker's filter ("Postman collection (*.json)")
    file_filter: str
    parse: ParseText | None = None
    parse_folder: ParseFolder | None = None
    #: only adds to an existing collection (an environment file)
    adds_only: bool = False
    #: for folder formats: is the folder at this path one of this tool's collections?
    #: (cheap: a marker file, never a full parse) — used to open it in place
    detect_folder: Callable[[Path], bool] | None = None

    @property
    def import_title(self) -> str:
        """ "Import a Postman collection", "Import an OpenAPI or Swagger description"."""
        article = "an" if self.label[:1].upper() in "AEIOU" else "a"
        return f"Import {article} {self.label}"

    def read(self, source: Path) -> Imported:
        """Parse the file or folder at ``source`` (blocking: run it in a worker)."""
        if source.is_dir():
            if self.parse_folder is None:
                raise MalformedImport(f"{source} is a folder; a {self.label} is one file")
            return self.parse_folder(source)
        if self.parse is None:
            raise MalformedImport(f"a {self.label} is a folder; {source} is a file")
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise MalformedImport(f"cannot read {source}: {exc.strerror or exc}") from exc
        return self.parse(data)


#: in the order File ▸ Import lists them
COLLECTION_FORMATS: tuple[CollectionFormat, ...] = (
    CollectionFormat(
        "postman", "Postman collection", "Postman collection (*.json)", parse=parse_postman
    ),
    CollectionFormat(
        "postman-env",
        "Postman environment",
        "Postman environment (*.json)",
        parse=parse_postman_environment,
        adds_only=True,
    ),
    CollectionFormat(
        "insomnia",
        "Insomnia export",
        "Insomnia export (*.json *.yaml *.yml)",
        parse=parse_insomnia,
    ),
    CollectionFormat(
        "openapi",
        "OpenAPI or Swagger description",
        "OpenAPI / Swagger description (*.json *.yaml *.yml)",
        parse=parse_openapi,
    ),
    CollectionFormat("har", "HAR file", "HAR file (*.har *.json)", parse=parse_har),
    CollectionFormat(
        "bruno",
        "Bruno collection",
        "Bruno collection (folder with bruno.json or opencollection.yml)",
        parse_folder=parse_bruno_folder,
        detect_folder=detect_bruno_folder,
    ),
    CollectionFormat(
        "posting",
        "Posting collection",
        "Posting collection (folder of *.posting.yaml files)",
        parse=parse_posting,
        parse_folder=parse_posting_folder,
        detect_folder=detect_posting_folder,
    ),
)


def folder_format(path: Path) -> CollectionFormat | None:
    """The foreign tool whose collection the folder ``path`` holds (None: none of them)."""
    for candidate in COLLECTION_FORMATS:
        if candidate.detect_folder is not None and candidate.detect_folder(path):
            return candidate
    return None


def collection_format(name: str) -> CollectionFormat:
    """The format called ``name`` (KeyError when there is none)."""
    for candidate in COLLECTION_FORMATS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
