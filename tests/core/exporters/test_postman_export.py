"""A collection exported as Postman v2.1: Postman → Courier → Postman gives back the
same collection (normalised as Postman reads it: ids, saved responses and unsupported
auth aside), Courier → Postman → Courier the same requests, and no secret leaves."""

from __future__ import annotations

import copy
import json
import re
import string
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.exporters import to_postman
from app.core.importers import parse_postman
from app.core.importers.postman import LANGUAGE_TYPES, SCHEMA_V21
from app.core.model import (
    OAUTH2_GRANTS,
    Auth,
    AuthKind,
    Body,
    BodyKind,
    Collection,
    Folder,
    FormPart,
    KeyValue,
    PartKind,
    Request,
    Settings,
    Variable,
)

FIXTURES = Path(__file__).resolve().parents[1] / "importers" / "fixtures" / "postman"
SHOP = FIXTURES / "shop.postman_collection.json"

#: auth fields Courier keeps, per Postman auth type; the secret ones are exported empty
KEPT = {
    "basic": {"username", "password"},
    "digest": {"username", "password"},
    "bearer": {"token"},
    "apikey": {"key", "value", "in"},
    "awsv4": {"accessKey", "secretKey", "sessionToken", "region", "service"},
    "oauth2": {"grant_type", "accessTokenUrl", "authUrl", "clientId", "clientSecret", "scope",
               "username", "password"},
}  # fmt: skip
SECRET = {"password", "token", "value", "secretKey", "sessionToken", "clientSecret"}
REFERENCE = re.compile(r"\{\{[^{}]+\}\}")


def norm_auth(auth: Any, *, top: bool) -> Any:
    if not auth or auth.get("type") == "inherit" or (top and auth.get("type") == "noauth"):
        return None
    kind = auth["type"]
    if kind not in KEPT:
        return {"type": "noauth"}  # reported as not imported; the request sends no auth
    raw = auth.get(kind) or []
    fields = raw if isinstance(raw, dict) else {row["key"]: row.get("value") for row in raw}
    kept = {}
    for key, value in fields.items():
        if (
            key not in KEPT[kind]
            or value in ("", None)
            or (kind == "apikey" and key == "in" and value == "header")
        ):
            continue
        if key in SECRET and not (kind == "apikey" and key != "value"):
            value = value if REFERENCE.fullmatch(str(value)) else ""
        if value != "":
            kept[key] = value
    return {"type": kind, "fields": kept}


def norm_rows(rows: list[dict[str, Any]] | None) -> list[tuple[Any, ...]]:
    return [(r.get("key"), r.get("value", ""), bool(r.get("disabled"))) for r in rows or []]


def norm_events(events: list[dict[str, Any]] | None) -> list[tuple[str, str]]:
    out = []
    for event in events or []:
        code = "\n".join(event["script"]["exec"])
        if code.strip():
            out.append((event["listen"], code))
    return out


def norm_url(url: Any) -> tuple[str, list[tuple[Any, ...]]]:
    raw = url if isinstance(url, str) else url["raw"]
    base, _, _query = raw.partition("?")
    query = norm_rows(url.get("query")) if isinstance(url, dict) else []
    for variable in url.get("variable", []) if isinstance(url, dict) else []:
        base = base.replace(":" + variable["key"], variable["value"])  # as Postman sends it
    return base, query


def norm_body(body: Any) -> Any:
    if not body or body.get("mode") in (None, "none"):
        return None
    mode = body["mode"]
    if mode == "raw":
        language = body.get("options", {}).get("raw", {}).get("language", "text")
        return ("raw", language, body["raw"])
    if mode == "graphql":  # Postman sends a GraphQL body as this JSON
        graphql = body["graphql"]
        sent = {"query": graphql["query"], "variables": json.loads(graphql["variables"] or "{}")}
        return ("raw", "json", sent)
    if mode == "urlencoded":
        return ("urlencoded", norm_rows(body["urlencoded"]))
    if mode == "file":
        return ("file", body["file"]["src"])
    return (
        "formdata",
        [(p["key"], p["type"], p.get("src") if p["type"] == "file" else p.get("value", ""),
          p.get("contentType", ""), bool(p.get("disabled"))) for p in body["formdata"]],
    )  # fmt: skip


def norm_body_json(body: Any) -> Any:
    if body and body[0] == "raw" and body[1] == "json" and isinstance(body[2], str):
        return ("raw", "json", json.loads(body[2]))
    return body


def norm_items(items: list[dict[str, Any]]) -> list[Any]:
    folders = [norm_folder(i) for i in items if "item" in i]
    requests = [norm_request(i) for i in items if "item" not in i]
    return folders + requests  # Courier lists folders first, as its sidebar shows them


def norm_folder(item: dict[str, Any]) -> Any:
    return (
        "folder",
        item["name"],
        item.get("description", ""),
        norm_auth(item.get("auth"), top=False),
        norm_events(item.get("event")),
        norm_rows(item.get("variable")),
        norm_items(item["item"]),
    )


def norm_request(item: dict[str, Any]) -> Any:
    request = item["request"]
    return ("request", item["name"], request["method"], norm_url(request["url"]),
            norm_rows(request.get("header")), norm_body_json(norm_body(request.get("body"))),
            norm_auth(request.get("auth"), top=False), request.get("description", ""),
            norm_events(item.get("event")), item.get("protocolProfileBehavior", {}))  # fmt: skip


def normalised(document: dict[str, Any]) -> Any:
    info = document["info"]
    return (info["name"], info.get("description", ""), norm_auth(document.get("auth"), top=True),
            norm_events(document.get("event")), norm_rows(document.get("variable")),
            norm_items(document["item"]))  # fmt: skip


def test_postman_to_courier_to_postman_is_the_same_collection() -> None:
    original = json.loads(SHOP.read_text())
    imported = parse_postman(SHOP.read_text())
    document, _notes = to_postman(imported.collection)
    assert document["info"]["schema"] == SCHEMA_V21
    again = json.loads(json.dumps(document))
    assert normalised(again) == normalised(original)
    # the exported document imports to the same model again (a fixed point)
    again_model = parse_postman(json.dumps(document)).collection
    assert again_model.folders == without_secrets(imported.collection).folders


def test_export_writes_no_secret_but_keeps_references() -> None:
    imported = parse_postman(SHOP.read_text())
    text = json.dumps(to_postman(imported.collection)[0])
    for secret in ("s3cret-admin", "q-key-123", "digest-pw", "cs-very-secret", "aws-secret"):
        assert secret not in text
    assert '"value": "{{token}}"' in text
    assert '"value": "{{ordersKey}}"' in text
    assert '"value": "admin"' in text  # a user name is not a secret


def test_shared_headers_and_base_url_go_into_each_request() -> None:
    collection = Collection(
        name="API",
        base_url="https://api.example.com/v1/",
        headers=[KeyValue("X-Team", "core")],
        requests=[
            Request(name="Users", url="users"),
            Request(
                name="Other",
                url="https://other.example.com/",
                disabled_inherited_headers=["x-team"],
            ),
        ],
        variables=[Variable("token", "t0p", secret=True)],
    )
    document, notes = to_postman(collection)
    users, other = document["item"]
    assert users["request"]["url"]["raw"] == "{{baseUrl}}/users"
    assert users["request"]["header"] == [{"key": "X-Team", "value": "core", "type": "text"}]
    assert other["request"]["header"] == []
    assert document["variable"] == [
        {"key": "token", "value": "", "type": "string"},
        {"key": "baseUrl", "value": "https://api.example.com/v1", "type": "string"},
    ]
    assert any("X-Team" in note for note in notes)
    assert any("{{token}}" in note for note in notes)


# ----------------------------------------------------- Courier → Postman → Courier

TEXT = st.text(alphabet=string.ascii_letters + string.digits + " -_.{}/:é", max_size=12)
NAME = TEXT.filter(lambda s: s.strip() != "").map(str.strip)
ROWS = st.lists(st.builds(KeyValue, TEXT, TEXT, st.booleans()), max_size=3)
URL = st.builds(
    lambda host, path: f"https://{host}.example.com/{path}",
    st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8),
    st.text(alphabet=string.ascii_lowercase + "/{}", max_size=10),
)
CREDENTIAL = st.sampled_from(["{{secret}}", "plain-secret", ""])
RAW_TYPES = st.sampled_from(sorted(LANGUAGE_TYPES.values()))
PARTS = st.lists(
    st.one_of(
        st.builds(
            FormPart, TEXT, TEXT, st.just(PartKind.TEXT), st.sampled_from(["", "text/csv"]),
            st.just(""), st.booleans(),
        ),
        st.builds(
            FormPart, TEXT, st.just("/tmp/a.png"), st.just(PartKind.FILE),
            st.sampled_from(["", "image/png"]), st.just(""), st.booleans(),
        ),
    ),
    max_size=3,
)  # fmt: skip
BODIES = st.one_of(
    st.just(Body()),
    st.builds(lambda t: Body(BodyKind.JSON, text=t), TEXT),
    st.builds(lambda t, c: Body(BodyKind.RAW, text=t, content_type=c), TEXT, RAW_TYPES),
    st.builds(lambda rows: Body(BodyKind.FORM, form=rows), ROWS),
    st.builds(lambda p: Body(BodyKind.FILE, path=p), st.sampled_from(["/tmp/x.bin", "data.csv"])),
    st.builds(lambda parts: Body(BodyKind.MULTIPART, parts=parts), PARTS),
)


@st.composite
def auths(draw: st.DrawFn, *, top: bool = False) -> Auth:
    kinds = [k for k in AuthKind if not (top and k is AuthKind.INHERIT)]
    kind = draw(st.sampled_from(kinds))
    auth = Auth(kind=kind)
    if kind in (AuthKind.BASIC, AuthKind.DIGEST):
        auth.username, auth.password = draw(TEXT), draw(CREDENTIAL)
    elif kind is AuthKind.BEARER:
        auth.token = draw(CREDENTIAL)
    elif kind is AuthKind.API_KEY:
        auth.key_name, auth.key_value = draw(TEXT), draw(CREDENTIAL)
        auth.key_in = draw(st.sampled_from(["header", "query"]))
    elif kind is AuthKind.AWS_SIGV4:
        auth.access_key, auth.secret_key, auth.session_token = (
            draw(TEXT),
            draw(CREDENTIAL),
            draw(CREDENTIAL),
        )
        auth.region, auth.service = draw(TEXT), draw(TEXT)
    elif kind is AuthKind.OAUTH2:
        auth.grant = draw(st.sampled_from(OAUTH2_GRANTS))
        auth.token_url, auth.auth_url, auth.client_id, auth.scope = (draw(TEXT) for _ in range(4))
        auth.client_secret, auth.username, auth.password = (
            draw(CREDENTIAL),
            draw(TEXT),
            draw(CREDENTIAL),
        )
    return auth


REQUESTS = st.builds(
    Request,
    name=NAME,
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "REPORT"]),
    url=URL,
    params=ROWS,
    headers=ROWS,
    body=BODIES,
    notes=TEXT.map(str.strip),
    auth=auths(),
    settings=st.builds(
        Settings,
        follow_redirects=st.sampled_from([None, True, False]),
        verify_tls=st.sampled_from([None, False]),
        max_redirects=st.sampled_from([None, 3]),
    ),
)  # fmt: skip
VARIABLES = st.lists(st.builds(Variable, NAME, TEXT, st.booleans()), max_size=3)


@st.composite
def folders(draw: st.DrawFn, depth: int = 0) -> Folder:
    return Folder(
        name=draw(NAME),
        variables=draw(VARIABLES),
        notes=draw(TEXT.map(str.strip)),
        auth=draw(auths()),
        folders=draw(st.lists(folders(depth + 1), max_size=0 if depth >= 1 else 2)),
        requests=draw(st.lists(REQUESTS, max_size=3)),
    )


COLLECTIONS = st.builds(
    Collection,
    name=NAME,
    variables=VARIABLES,
    notes=TEXT.map(str.strip),
    auth=auths(top=True),
    folders=st.lists(folders(), max_size=2),
    requests=st.lists(REQUESTS, max_size=3),
)


def without_secrets(collection: Collection) -> Collection:
    """What the export can carry: literal credentials are left empty."""
    expected = copy.deepcopy(collection)
    auths = [expected.auth]
    stack: list[Collection | Folder] = [expected]
    while stack:
        container = stack.pop()
        auths += [r.auth for r in container.requests]
        auths += [f.auth for f in container.folders]
        stack += container.folders
    for auth in auths:
        for name in (
            "password",
            "token",
            "key_value",
            "client_secret",
            "secret_key",
            "session_token",
        ):
            value = getattr(auth, name)
            if not REFERENCE.fullmatch(value):
                setattr(auth, name, "")
    return expected


@settings(
    max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(COLLECTIONS)
def test_courier_to_postman_to_courier_gives_the_same_requests(collection: Collection) -> None:
    document, _notes = to_postman(collection)
    back = parse_postman(json.dumps(document, indent="\t")).collection
    expected = without_secrets(collection)
    assert back.name == expected.name
    assert back.auth == expected.auth
    assert back.variables == expected.variables
    assert back.notes == expected.notes
    assert back.folders == expected.folders
    assert back.requests == expected.requests


def test_settings_postman_cannot_hold_are_named_in_the_notes() -> None:
    collection = Collection(
        name="API",
        requests=[
            Request(name="Slow", url="https://e.com", settings=Settings(timeout_s=90.0)),
            Request(name="Strict", url="https://e.com", settings=Settings(verify_tls=True)),
        ],
    )
    document, notes = to_postman(collection)
    assert document["item"][1]["protocolProfileBehavior"] == {"strictSSL": True}
    assert [note for note in notes if "timeouts" in note] == [
        "Slow: settings other than redirects and TLS verification (timeouts, proxy, "
        "client certificate...) are not in Postman's format"
    ]
