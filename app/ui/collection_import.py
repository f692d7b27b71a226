"""File ▸ Import ▸ Postman collection…: a Postman v2.0 / v2.1 export becomes a new
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
from app.core.importers import Imported, MalformedImport, parse_postman
from app.core.slugs import slugify, unique_slug
from app.session.collection_import import import_into

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

#: what the file picker offers
POSTMAN_FILTER = "Postman collection (*.json);;All files (*)"


class CollectionImport:
    """Imports for one window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def import_postman(self) -> asyncio.Future[Path | None] | None:
        """Ask for the file and the parent folder, then import in the background;
        the future gives the new collection's folder (None when nothing was imported)."""
        source = self.window.ask_import_file("Import a Postman collection", POSTMAN_FILTER)
        if not source:
            return None
        parent = self.window.ask_collection_parent()
        if not parent:
            return None
        self.window.workspace.state.last_parent_folder = parent
        return self.window.run_in_background(self._import(Path(source), Path(parent)))

    async def _import(self, source: Path, parent: Path) -> Path | None:
        window = self.window
        window.statusBar().showMessage(f"Importing {source.name}…")
        try:
            imported, target = await asyncio.to_thread(self._write, source, parent)
        except MalformedImport as exc:
            window.show_error(
                "Import a Postman collection",
                f"{source.name}: {exc.message} Nothing was imported.",
            )
            return None
        except (CourierError, OSError) as exc:
            text = exc.message if isinstance(exc, CourierError) else str(exc)
            window.show_error("Import a Postman collection", f"{text} Nothing was imported.")
            return None
        await window.open_collection(target)
        lines = imported.report.lines()
        window.statusBar().showMessage(
            f"Imported {imported.report.requests} request(s) into {target}"
            + (": " + "; ".join(lines[1:]) if len(lines) > 1 else "."),
            30000,
        )
        return target

    def _write(self, source: Path, parent: Path) -> tuple[Imported, Path]:
        """In a worker: read, parse, and write a new collection folder under ``parent``."""
        text = source.read_bytes()
        imported = parse_postman(text)
        taken = {p.name for p in parent.iterdir()} if parent.is_dir() else set()
        target = parent / unique_slug(slugify(imported.collection.name or source.stem), taken)
        import_into(self.window.workspace.session, imported, target)
        return imported, target
