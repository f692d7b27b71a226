"""``courier import`` and ``courier export``: requests in from curl, Postman, Insomnia,
OpenAPI, HAR, Bruno and Posting, out as curl, httpx code or a Postman collection.

    courier import --format curl|postman|postman-env|insomnia|openapi|har|bruno|posting \
        SOURCE --into DIR
    courier export --format curl|httpx|httpx-client|httpx-async|postman PATH [--env NAME] ...

``import`` reads SOURCE (``-``: standard input), parses every command before it
writes anything (a malformed one imports nothing and says where, line and
column), then writes the requests into DIR (a collection: created when there
is none) through the storage layer, credentials to the keychain, and prints
what was imported and what of it Courier does not honour.

``export`` prints a request file (or, for a collection directory, every
request in it) resolved as ``courier send`` would resolve it: the environment
(``--env``, else the one active in the window) and ``--var`` applied.  The
httpx styles read secrets from environment variables, listed in a comment.
A Postman collection or environment is parsed whole first (a malformed one
says where, by JSON path, and imports nothing), then written in one batch
(``app.core.importers.batch_write``): a new collection appears whole, an
existing one gains one folder.  ``export --format postman`` prints the
collection as Postman v2.1 JSON, secrets left empty.
This module never imports PySide6 or qasync.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.importers import CurlRequest, Imported
    from app.core.inherit import Resolution
    from app.core.model import Collection, Environment, Request
    from app.session import Session

#: curl, then the names of ``app.core.importers.COLLECTION_FORMATS`` (kept here so that
#: parsing arguments imports no importer; a test keeps the two lists equal)
IMPORT_FORMATS = (
    "curl",
    "postman",
    "postman-env",
    "insomnia",
    "openapi",
    "har",
    "bruno",
    "posting",
)
EXPORT_FORMATS = ("curl", "httpx", "httpx-client", "httpx-async", "postman")
COLLECTION_FILE = "collection.yaml"


class TransferUsageError(Exception):
    """Bad arguments, a source that cannot be read, a malformed command: exit status 2."""


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    importer = commands.add_parser(
        "import",
        help="import requests (curl, Postman, Insomnia, OpenAPI, HAR, Bruno, Posting) into "
        "a collection",
        description="Import curl commands (one request each), a Postman collection or "
        "environment, an Insomnia export, an OpenAPI or Swagger description, a HAR file, or a "
        "Bruno or Posting collection folder into a collection.",
    )
    importer.add_argument("--format", required=True, choices=IMPORT_FORMATS)
    importer.add_argument("source", metavar="SOURCE", help="a file, or - for standard input")
    importer.add_argument(
        "--into",
        required=True,
        type=Path,
        metavar="DIR",
        help="the collection to add to (created when DIR holds none)",
    )
    exporter = commands.add_parser(
        "export",
        help="print a request (or a collection's requests) as curl or httpx code, "
        "or a collection as Postman v2.1",
        description="Print a request file, or every request of a collection, as code.",
    )
    exporter.add_argument("--format", required=True, choices=EXPORT_FORMATS)
    exporter.add_argument(
        "path", type=Path, metavar="PATH", help="a *.request.yaml or a collection"
    )
    exporter.add_argument("--env", metavar="NAME", help="resolve with this environment")
    exporter.add_argument(
        "--var", metavar="NAME=VALUE", action="append", default=[], help="set a variable"
    )


# ---------------------------------------------------------------- import


def _read_source(source: str) -> tuple[str, Path]:
    """The text to import and the directory its relative ``@file`` paths start from."""
    if source == "-":
        return sys.stdin.read(), Path.cwd()
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8"), path.resolve().parent
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise TransferUsageError(f"{source}: cannot read it ({reason}).") from exc


def run_import(args: argparse.Namespace) -> int:
    from app.core import secret_slots, storage
    from app.core.importers import MalformedImport, parse_curl, to_request
    from app.session import Session

    if args.format != "curl":
        return _import_collection(args)
    text, base_dir = _read_source(args.source)
    try:
        imported = parse_curl(text, base_dir=base_dir)
    except MalformedImport as exc:
        where = "stdin" if args.source == "-" else args.source
        raise TransferUsageError(
            f"{where}:{exc.line}:{exc.column}: {exc.reason}; nothing was imported."
        ) from exc
    requests = [to_request(item) for item in imported.requests]
    into: Path = args.into
    session = Session()
    if (into / COLLECTION_FILE).is_file():
        collection = session.load_collection(into, settle_identity=False)
    else:
        if into.exists() and not into.is_dir():
            raise TransferUsageError(f"{into} is not a directory.")
        collection = storage.create_collection(into, into.resolve().name)
    keychain_missing = not session.secrets.persistent
    out = sys.stdout
    for item, request in zip(imported.requests, requests, strict=True):
        storage.add_request(collection, None, request)
        if not keychain_missing:
            session.store_secrets(secret_slots.request_slots(collection, request))
        assert request.path is not None
        shown = request.path.resolve().relative_to(into.resolve())
        out.write(f"imported  {request.name}  ->  {shown}\n")
        for line in _import_notes(item):
            out.write(f"          {line}\n")
    out.write(f"{len(requests)} request(s) imported into {into}.\n")
    if keychain_missing and any(r.auth.kind.value not in ("none", "inherit") for r in requests):
        print(
            "courier: note: no working keychain, so the imported credentials were not kept",
            file=sys.stderr,
        )
    return 0


def _import_collection(args: argparse.Namespace) -> int:
    """A collection (or environment) file or folder: parsed whole, then written in one
    batch."""
    from app.core.importers import MalformedImport, collection_format
    from app.session import Session
    from app.session.collection_import import import_into

    chosen = collection_format(args.format)
    try:
        if args.source == "-":
            if chosen.parse is None:
                raise TransferUsageError(f"a {chosen.label} is a folder: name it, not -.")
            imported = chosen.parse(_stdin_bytes())
        else:
            source = Path(args.source)
            if not source.exists():
                raise TransferUsageError(f"{source}: no such file or folder.")
            imported = chosen.read(source)
    except MalformedImport as exc:
        where = "stdin" if args.source == "-" else args.source
        raise TransferUsageError(
            f"{where}: {exc.location}: {exc.reason}; nothing was imported."
        ) from exc
    into: Path = args.into
    if into.exists() and not into.is_dir():
        raise TransferUsageError(f"{into} is not a directory.")
    if chosen.adds_only and not (into / COLLECTION_FILE).is_file():
        imported.collection.name = into.resolve().name
    placed = import_into(Session(), imported, into)
    if placed.folder is not None and placed.folder.path is not None:
        shown = placed.folder.path.resolve().relative_to(into.resolve())
        print(f"imported  {placed.folder.name}  ->  {shown}/")
    elif placed.created:
        print(f"imported  {imported.collection.name}  ->  {into}")
    for line in imported.report.lines():
        print(f"          {line}")
    for environment in imported.environments:
        print(f"environment  {environment.name}")
    print(f"{imported.report.requests} request(s) imported into {into}.")
    if not placed.secrets_kept and _has_secrets(imported):
        print(
            "courier: note: no working keychain, so the imported secrets were not kept",
            file=sys.stderr,
        )
    return 0


def _stdin_bytes() -> bytes:
    """Standard input as bytes (the importer finds the encoding; a replaced stdin in
    tests has no ``buffer``)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is not None:
        return bytes(stream.read())
    return sys.stdin.read().encode("utf-8")


def _has_secrets(imported: Imported) -> bool:
    from app.core import secret_slots

    slots = secret_slots.all_slots(imported.collection)
    return any(slot.holds_secret() for slot in slots) or any(
        variable.secret and variable.value
        for environment in imported.environments
        for variable in environment.variables
    )


def _import_notes(item: CurlRequest) -> list[str]:
    lines = [f"not honoured: {flag}" for flag in item.not_honoured]
    if item.ignored:
        lines.append("ignored (curl's output only): " + ", ".join(item.ignored))
    lines += [f"note: {note}" for note in item.notes]
    return lines


# ---------------------------------------------------------------- export


def _collection_root(path: Path) -> Path:
    if (path / COLLECTION_FILE).is_file():
        return path
    raise TransferUsageError(f"{path} is neither a request file nor a collection directory.")


async def run_export(args: argparse.Namespace) -> int:
    if args.format == "postman":
        sys.stdout.write(postman_text(args.path))
        return 0
    text, _environment = await export_text(args.path, args.format, args.var, args.env)
    sys.stdout.write(text)
    return 0


def postman_text(path: Path) -> str:
    """The collection at ``path`` (a directory, or the collection of a request file) as
    Postman v2.1 JSON; what it could not carry goes to standard error as notes."""
    import json

    from app.cli import find_collection_root
    from app.core import storage
    from app.core.exporters import to_postman

    root = path if path.is_dir() else find_collection_root(path)
    collection = storage.load_collection(_collection_root(root))
    for problem in collection.problems:
        print(f"courier: skipped {problem.path}: {problem.reason}", file=sys.stderr)
    document, notes = to_postman(collection)
    for note in dict.fromkeys(notes):
        print(f"courier: note: {note}", file=sys.stderr)
    return json.dumps(document, indent="\t", ensure_ascii=False) + "\n"


async def export_text(
    path: Path, style: str, var: list[str], env: str | None
) -> tuple[str, dict[str, str]]:
    """The export of a request file or of every request of a collection, and the
    environment variables the code reads (name -> value: what a run needs)."""
    session, collection, requests, environment = _load_for_export(path, var, env)
    try:
        if not requests:
            raise TransferUsageError(f"{path} holds no request.")
        return await _export(session, collection, requests, environment, style)
    finally:
        await session.aclose()


def _load_for_export(
    path: Path, var: list[str], env: str | None
) -> tuple[Session, Collection, list[Request], Environment | None]:
    from app.cli import load_request, parse_vars

    if path.is_dir():
        from app.session import Session

        session = Session()
        session.overrides = parse_vars(var)
        collection = session.load_collection(_collection_root(path), settle_identity=False)
        for problem in collection.problems:
            print(f"courier: skipped {problem.path}: {problem.reason}", file=sys.stderr)
        requests = [request for _chain, request in collection.iter_requests()]
        environment = session.environment_named(collection, env) if env else None
    else:
        target = load_request(path, var, env)
        session, collection = target.session, target.collection
        requests, environment = [target.stored], target.environment
    return session, collection, requests, environment


async def _export(
    session: Session,
    collection: Collection,
    requests: list[Request],
    environment: Environment | None,
    style: str,
) -> tuple[str, dict[str, str]]:
    from app.core.exporters import SecretEnv, flatten, to_curl, to_httpx
    from app.core.inherit import effective_auth

    active = environment if environment is not None else session.active_environment(collection)
    items: list[tuple[str, Resolution]] = []
    secrets = SecretEnv()
    for request in requests:
        resolution = await session.prepare(request, collection, request, active)
        if resolution.unresolved:
            names = ", ".join("{{" + n + "}}" for n in resolution.unresolved)
            print(f"courier: warning: {request.name}: {names} not defined", file=sys.stderr)
        chain = collection.folder_chain(request) or ()
        secrets.add_variables(collection, chain, active)
        typed, _source = effective_auth(request, chain, collection)
        secrets.add_references(typed, flatten.effective_auth(resolution))
        items.append((request.name, resolution))
    if style == "curl":
        return "\n".join(f"# {name}\n{to_curl(resolution)}" for name, resolution in items), {}
    code = to_httpx(items, style, secrets)
    if code.environment:
        names = " ".join(sorted(code.environment))
        return f"# reads secrets from the environment: {names}\n{code.text}", code.environment
    return code.text, {}
