"""File ▸ Import ▸ <format>… (every ``COLLECTION_FORMATS`` entry that makes a new
collection: Postman, Insomnia, OpenAPI, HAR, Bruno, Posting): the export becomes a new
collection folder, then opens in the sidebar.

Reading, parsing, writing (one batch) and the keychain run in a worker; the window
asks where (injected prompts, so tests answer them) and shows the report.  Nothing is
written when the file cannot be read: the message says where it went wrong.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.errors import CourierError
from app.core.importers import (
    COLLECTION_FORMATS,
    CollectionFormat,
    Imported,
    MalformedImport,
    collection_format,
)
from app.core.slugs import slugify, unique_slug
from app.session.collection_import import import_into

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


def new_collection_formats() -> list[CollectionFormat]:
    """The formats File ▸ Import offers (an environment file adds to a collection)."""
    return [chosen for chosen in COLLECTION_FORMATS if not chosen.adds_only]


class CollectionImport:
    """Imports for one window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def import_postman(self) -> asyncio.Future[Path | None] | None:
        return self.import_format("postman")

    def import_format(self, name: str) -> asyncio.Future[Path | None] | None:
        """Ask for the file (or folder) and the parent folder, then import in the
        background; the future gives the new collection's folder (None when nothing was
        imported)."""
        chosen = collection_format(name)
        title = chosen.import_title
        if chosen.parse_folder is not None:  # a folder tool: its collection is a folder
            source = self.window.ask_import_folder(title)
        else:
            source = self.window.ask_import_file(title, f"{chosen.file_filter};;All files (*)")
        if not source:
            return None
        parent = self.window.ask_collection_parent()
        if not parent:
            return None
        self.window.workspace.state.last_parent_folder = parent
        return self.window.run_in_background(self._import(chosen, Path(source), Path(parent)))

    async def _import(self, chosen: CollectionFormat, source: Path, parent: Path) -> Path | None:
        window = self.window
        title = chosen.import_title
        window.statusBar().showMessage(f"Importing {source.name}…")
        try:
            imported, target = await asyncio.to_thread(self._write, chosen, source, parent)
        except MalformedImport as exc:
            window.show_error(title, f"{source.name}: {exc.message} Nothing was imported.")
            return None
        except (CourierError, OSError) as exc:
            text = exc.message if isinstance(exc, CourierError) else str(exc)
            window.show_error(title, f"{text} Nothing was imported.")
            return None
        await window.open_collection(target)
        lines = imported.report.lines()
        window.statusBar().showMessage(
            f"Imported {imported.report.requests} request(s) into {target}"
            + (": " + "; ".join(lines[1:]) if len(lines) > 1 else "."),
            30000,
        )
        return target

    def _write(self, chosen: CollectionFormat, source: Path, parent: Path) -> tuple[Imported, Path]:
        """In a worker: read, parse, and write a new collection folder under ``parent``."""
        imported = chosen.read(source)
        taken = {p.name for p in parent.iterdir()} if parent.is_dir() else set()
        target = parent / unique_slug(slugify(imported.collection.name or source.stem), taken)
        import_into(self.window.workspace.session, imported, target)
        return imported, target
