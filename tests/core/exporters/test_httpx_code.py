"""The three httpx styles: the shapes httpx's documentation teaches, the collection's
shared configuration on the client, and no secret written into the code.

(Running the code against a recording server: tests/fidelity.)
"""

from __future__ import annotations

import ast

import pytest

from app.core.exporters import STYLES, ExportError, SecretEnv, to_httpx
from app.core.inherit import Resolution, resolve
from app.core.model import (
    Auth,
    AuthKind,
    Body,
    BodyKind,
    Collection,
    Folder,
    KeyValue,
    Request,
    Variable,
)

SECRET = "s3cr3t-t0ken-value"


def collection() -> Collection:
    listing = Request(name="List users", url="/users?page=2")
    create = Request(
        name="Create user",
        method="POST",
        url="/users",
        headers=[KeyValue("X-Trace", "abc")],
        body=Body(kind=BodyKind.JSON, text='{"name": "Ada"}'),
    )
    anonymous = Request(
        name="Health",
        method="DELETE",
        url="https://status.example.com/cache",
        body=Body(kind=BodyKind.RAW, text="all", content_type="text/plain"),
        auth=Auth(kind=AuthKind.NONE),
    )
    return Collection(
        name="API",
        base_url="https://api.example.com/v1",
        headers=[KeyValue("X-Team", "core")],
        variables=[Variable("api token", SECRET, secret=True)],
        auth=Auth(kind=AuthKind.BEARER, token="{{api token}}"),
        requests=[listing, anonymous],
        folders=[Folder(name="admin", requests=[create])],
    )


def items(source: Collection) -> tuple[list[tuple[str, Resolution]], SecretEnv]:
    secrets = SecretEnv()
    out = []
    for chain, request in source.iter_requests():
        secrets.add_variables(source, chain, None)
        out.append((request.name, resolve(request, source, chain=chain)))
    return out, secrets


@pytest.mark.parametrize("style", STYLES)
def test_code_compiles_and_reads_secrets_from_the_environment(style: str) -> None:
    exported, secrets = items(collection())
    code = to_httpx(exported, style, secrets)
    ast.parse(code.text)
    assert SECRET not in code.text
    assert 'os.environ["API_TOKEN"]' in code.text
    assert code.environment == {"API_TOKEN": SECRET}


def test_top_level_calls_use_the_function_that_fits() -> None:
    exported, secrets = items(collection())
    text = to_httpx(exported, "httpx", secrets).text
    assert "response = httpx.get(\n" in text
    assert '"https://api.example.com/v1/users?page=2",' in text
    assert "response = httpx.post(\n" in text
    assert 'response = httpx.request(\n    "DELETE",' in text  # httpx.delete takes no body
    assert '"Authorization": "Bearer " + os.environ["API_TOKEN"]' in text
    assert "Client" not in text


def test_the_client_carries_the_collections_base_url_headers_and_auth() -> None:
    exported, secrets = items(collection())
    all_authenticated = [item for item in exported if item[0] != "Health"]
    text = to_httpx(all_authenticated, "httpx-client", secrets).text
    constructor = text[text.index("with httpx.Client(") : text.index(") as client:")]
    assert 'base_url="https://api.example.com/v1"' in constructor
    assert '"X-Team": "core"' in constructor
    assert '"Authorization": "Bearer " + os.environ["API_TOKEN"]' in constructor
    listing = text[text.index("# List users") :]
    assert listing.startswith('# List users\n    response = client.get(\n        "/users?page=2",')
    assert '"X-Team"' not in text[text.index(") as client:") :]


def test_header_auth_one_request_switches_off_is_passed_by_the_others() -> None:
    """A Bearer header on the client cannot be taken off one call (``auth=None`` only
    stops an auth flow): then the requests that use it pass it themselves."""
    exported, secrets = items(collection())
    text = to_httpx(exported, "httpx-client", secrets).text
    constructor = text[text.index("with httpx.Client(") : text.index(") as client:")]
    assert "Authorization" not in constructor
    calls = text[text.index(") as client:") :]
    assert calls.count('"Authorization": "Bearer " + os.environ["API_TOKEN"]') == 2
    health = calls[calls.index("# Health") :]
    assert "Authorization" not in health[: health.index("print(")]


def test_async_awaits_the_clients_methods_run_by_asyncio() -> None:
    exported, secrets = items(collection())
    text = to_httpx(exported, "httpx-async", secrets).text
    assert "async def main() -> None:\n    async with httpx.AsyncClient(" in text
    assert "response = await client.get(" in text
    assert "await httpx." not in text
    assert text.rstrip().endswith("asyncio.run(main())")
    assert text.startswith("import asyncio\nimport os\n\nimport httpx\n")


def test_a_credential_typed_in_the_auth_form_is_read_from_its_field_name() -> None:
    request = Request(
        name="basic",
        url="https://e.com",
        auth=Auth(kind=AuthKind.BASIC, username="ada", password="typed-password"),
    )
    code = to_httpx([("basic", resolve(request, None))], "httpx")
    assert 'auth=("ada", os.environ["PASSWORD"])' in code.text
    assert "typed-password" not in code.text
    assert code.environment == {"PASSWORD": "typed-password"}


def test_no_request_or_an_unknown_style_is_an_error() -> None:
    with pytest.raises(ExportError):
        to_httpx([], "httpx")
    with pytest.raises(ExportError):
        to_httpx([("x", resolve(Request(name="x", url="e.com"), None))], "requests")
