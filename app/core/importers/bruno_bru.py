"""Bruno ``.bru`` files (parsed by ``bruno_lang``) in Courier's model: request files,
``folder.bru`` / ``collection.bru`` (headers, auth, variables, scripts, docs) and
``environments/*.bru`` (``vars`` and ``vars:secret``, whose values Bruno keeps
outside the file: they arrive empty and the report says so).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.importers import bruno_parts as parts
from app.core.importers.bruno_lang import BruFile, Pair
from app.core.importers.imported import ImportReport
from app.core.importers.urls import fill_path_parameters, split_query
from app.core.model import (
    Auth,
    AuthKind,
    Body,
    BodyKind,
    Collection,
    Environment,
    Folder,
    KeyValue,
    Request,
    Variable,
)

METHODS = ("get", "post", "put", "delete", "patch", "options", "head", "connect", "trace")
_BODY_TAGS = {
    "json": "body:json", "text": "body:text", "xml": "body:xml", "sparql": "body:sparql",
    "formUrlEncoded": "body:form-urlencoded", "multipartForm": "body:multipart-form",
    "graphql": "body:graphql", "file": "body:file",
}  # fmt: skip
_SECTIONS = (
    ("script:pre-request", "pre-request script"),
    ("script:post-response", "post-response script"),
    ("tests", "tests"),
)


@dataclass(slots=True)
class BruRequest:
    """A request file read: the request and Bruno's ``seq`` (its place in the folder)."""

    request: Request
    seq: float


def seq_of(text: str) -> float:
    try:
        return float(text) if text else float("inf")
    except ValueError:
        return float("inf")


def read_request(bru: BruFile, stem: str, where: str, report: ImportReport) -> BruRequest | None:
    """The request of a request file (None, reported, for a kind Courier cannot send)."""
    meta = bru.get("meta")
    name = (meta.value("name") if meta else "") or stem
    kind = (meta.value("type") if meta else "") or "http"
    label = f"{where} ({name})"
    if kind not in ("http", "graphql"):
        report.skip(label, f"a {kind} request (Courier sends HTTP requests)")
        return None
    http = next((b for b in bru.blocks if b.tag in METHODS), None)
    request = Request(name=name, method=(http.tag.upper() if http else "GET"))
    _report_unknown(bru, label, report, frozenset(("settings",)))
    url = http.value("url") if http else ""
    base, from_url = split_query(url)
    query = bru.pairs("params:query") or bru.pairs("query")
    request.params = [KeyValue(p.name, p.value, p.enabled) for p in query] if query else from_url
    path_values = {p.name: p.value for p in bru.pairs("params:path") if p.enabled}
    request.url = fill_path_parameters(base, path_values, label, report)
    request.headers = _rows(bru.pairs("headers"))
    body_mode = _body_mode(bru, http.value("body") if http else "")
    request.body = _body(bru, body_mode, label, report)
    mode = (http.value("auth") if http else "") or "none"  # Bruno's default: none
    request.auth = parts.auth_from(mode, _auth_fields(bru, mode), label, report)
    settings = [(p.name, p.value) for p in bru.pairs("settings")]
    parts.apply_settings(parts.bru_settings(settings), request, label, report)
    sections = _sections(bru)
    for tag, label_text in (
        ("vars:pre-request", "pre-request"),
        ("vars:post-response", "post-response"),
    ):
        rows = bru.pairs(tag)
        if rows:
            code = "\n".join(f"{'' if p.enabled else '~'}{p.name}: {p.value}" for p in rows)
            sections.append((f"{label_text} variables", code))
    assertions = bru.pairs("assert")
    if assertions:
        code = "\n".join(f"{'' if p.enabled else '~'}{p.name}: {p.value}" for p in assertions)
        sections.append(("assertions", code))
    request.notes = parts.compose_notes(bru.text("docs"), sections)
    parts.note_kept(report, label, sections)
    values = [p.value for block in bru.blocks for p in block.pairs]
    parts.note_process_env([*values, request.body.text], label, report)
    _note_unused_bodies(bru, body_mode, label, report)
    return BruRequest(request, seq_of(meta.value("seq") if meta else ""))


def apply_settings(
    bru: BruFile, into: Collection | Folder, where: str, report: ImportReport
) -> None:
    """``collection.bru`` / ``folder.bru``: headers, auth, variables, scripts and docs."""
    _report_unknown(bru, where, report)
    into.headers = _rows(bru.pairs("headers"))
    auth_block = bru.get("auth")
    if auth_block is not None:
        mode = auth_block.value("mode")
        auth = parts.auth_from(mode, _auth_fields(bru, mode), where, report)
        if isinstance(into, Collection) and auth.kind is AuthKind.INHERIT:
            auth = Auth(kind=AuthKind.NONE)  # nothing above a collection to inherit from
        into.auth = auth
    # a leading "@" marks a Bruno "local" variable: a variable all the same
    into.variables = [
        Variable(p.name.removeprefix("@"), p.value, p.enabled)
        for p in bru.pairs("vars:pre-request")
    ]
    sections = _sections(bru)
    responses = bru.pairs("vars:post-response")
    if responses:
        code = "\n".join(f"{p.name}: {p.value}" for p in responses)
        sections.append(("post-response variables", code))
    into.notes = parts.compose_notes(bru.text("docs"), sections)
    parts.note_kept(report, where, sections)
    query = bru.pairs("query")
    if query:
        report.skip(where, "query parameters for every request (Courier has none at this level)")


def read_environment(bru: BruFile, name: str, where: str, report: ImportReport) -> Environment:
    variables = [Variable(p.name, p.value, p.enabled) for p in bru.pairs("vars")]
    secrets = [p for block in bru.blocks if block.tag == "vars:secret" for p in block.items]
    for secret in secrets:
        variables.append(Variable(secret.name, "", secret.enabled, secret=True))
    if secrets:
        names = ", ".join(s.name for s in secrets)
        report.note(
            where,
            f"secret variable(s) {names} imported empty (Bruno keeps their values outside "
            "the file): set them in Courier, which keeps them in the keychain",
        )
    _report_unknown(bru, where, report)
    return Environment(name, variables)


def _rows(pairs: list[Pair]) -> list[KeyValue]:
    return [KeyValue(p.name, p.value, p.enabled) for p in pairs]


def _auth_fields(bru: BruFile, mode: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for pair in bru.pairs(f"auth:{mode}"):
        fields.setdefault(pair.name, pair.value)
    return fields


def _sections(bru: BruFile) -> list[tuple[str, str]]:
    return [(label, bru.text(tag)) for tag, label in _SECTIONS if bru.text(tag).strip()]


def _report_unknown(
    bru: BruFile, where: str, report: ImportReport, handled: frozenset[str] = frozenset()
) -> None:
    """Blocks read but not used here (Bruno's grammar allows more than a file uses)."""
    for block in bru.blocks:
        if block.unknown or (block.tag == "settings" and block.tag not in handled):
            report.skip(where, f"the {block.tag!r} block (line {block.line})")


def _body_mode(bru: BruFile, given: str) -> str:
    """The body mode: the method block's ``body:``; an old plain ``body {}`` block
    means JSON (as Bruno's parser says); else none."""
    if given:
        return given
    return "json" if bru.get("body") is not None else "none"


def _note_unused_bodies(bru: BruFile, mode: str, where: str, report: ImportReport) -> None:
    """Bruno keeps the text of every body mode tried; only the chosen one is sent."""
    chosen = {_BODY_TAGS.get(mode, ""), "body:graphql:vars" if mode == "graphql" else ""}
    unused = [b.tag for b in bru.blocks if b.tag.startswith("body") and b.tag not in chosen]
    if mode in ("json", "text", "xml", "sparql") and bru.get(_BODY_TAGS[mode]) is None:
        unused = [tag for tag in unused if tag != "body"]
    if unused:
        report.note(where, f"{', '.join(unused)} not imported: the request sends its {mode} body")


def _body(bru: BruFile, mode: str, where: str, report: ImportReport) -> Body:
    mode = mode or "none"
    if mode == "none":
        return Body()
    if mode in ("json", "text", "xml", "sparql"):
        text = bru.text(_BODY_TAGS[mode]) if bru.get(_BODY_TAGS[mode]) else bru.text("body")
        return parts.raw_body(mode, text)
    if mode == "formUrlEncoded":
        return Body(BodyKind.FORM, form=_rows(bru.pairs("body:form-urlencoded")))
    if mode == "multipartForm":
        rows = [(p.name, p.value, p.enabled, "") for p in bru.pairs("body:multipart-form")]
        return Body(BodyKind.MULTIPART, parts=parts.multipart_parts(rows))
    if mode == "graphql":
        query, variables = bru.text("body:graphql"), bru.text("body:graphql:vars")
        return parts.graphql_body(query, variables, where, report)
    if mode == "file":
        # ``file: @file(path) @contentType(type)``; ``~file`` lines are the unselected ones
        pairs = bru.pairs("body:file")
        chosen = next((p for p in pairs if p.enabled), pairs[0] if pairs else None)
        if chosen is not None:
            _text, files, content_type = parts.bru_value(chosen.value)
            path = files[0] if files else chosen.value
            return Body(BodyKind.FILE, path=path, content_type=content_type)
        report.note(where, "a file body without a file: choose the file in Courier")
        return Body(BodyKind.FILE)
    report.skip(where, f"a body in the mode {mode!r}, which Courier does not know")
    return Body()
