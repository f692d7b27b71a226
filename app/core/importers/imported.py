"""What a collection importer gives back: Courier's model plus a report.

Every collection format (Postman, and next Insomnia, OpenAPI, HAR, Bruno,
Posting) parses its input into an ``Imported``: a model ``Collection`` tree
without paths (folders, requests, collection and folder headers, auth,
variables, base URL, notes), the environments that came with it, and an
``ImportReport`` saying what was imported and what was not, and why.
``app.core.importers.batch_write`` then puts it on disk in one batch.

Secrets stay in the model as values (an auth password, a secret variable's
value); the writer hands them to the keychain and never writes them to files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.model import Collection, Environment, Folder


@dataclass(slots=True)
class ImportReport:
    """What an import did, for the person who ran it (one line per item)."""

    #: the format read, as a person names it ("Postman collection v2.1")
    source: str = ""
    requests: int = 0
    folders: int = 0
    environments: int = 0
    #: things kept differently from the source (a GraphQL body became JSON)
    notes: list[str] = field(default_factory=list)
    #: things not imported, each with where and why ("item[2] (Login): oauth1 auth ...")
    not_imported: list[str] = field(default_factory=list)

    def note(self, where: str, text: str) -> None:
        self.notes.append(f"{where}: {text}" if where else text)

    def skip(self, where: str, text: str) -> None:
        self.not_imported.append(f"{where}: {text}" if where else text)

    def lines(self) -> list[str]:
        """The report as lines of text (what ``courier import`` prints)."""
        counts = [f"{self.requests} request(s)", f"{self.folders} folder(s)"]
        if self.environments:
            counts.append(f"{self.environments} environment(s)")
        head = f"read {self.source}: " if self.source else ""
        out = [head + ", ".join(counts)]
        out += [f"note: {line}" for line in self.notes]
        out += [f"not imported: {line}" for line in self.not_imported]
        return out


@dataclass(slots=True)
class Imported:
    """A parsed import: nothing is on disk yet, nothing is in the keychain yet."""

    collection: Collection
    environments: list[Environment] = field(default_factory=list)
    report: ImportReport = field(default_factory=ImportReport)

    def count(self) -> None:
        """Fill the report's request and folder counts from the model."""
        self.report.requests = sum(1 for _ in self.collection.iter_requests())
        self.report.folders = _count_folders(self.collection.folders)
        self.report.environments = len(self.environments)


def _count_folders(folders: list[Folder]) -> int:
    return sum(1 + _count_folders(folder.folders) for folder in folders)
