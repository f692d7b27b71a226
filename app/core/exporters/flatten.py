"""A ``Resolution`` seen whole: what one request sends without a shared client.

Courier splits a request between its collection's client (base URL, shared
headers, auth) and the request itself; a curl command or a top-level httpx
call has no client, so these put the two back together.
"""

from __future__ import annotations

from app.core.errors import CourierError
from app.core.inherit import Resolution, join_base_url
from app.core.resolved import AUTH_FROM_CLIENT, AUTH_OWN, ResolvedAuth


class ExportError(CourierError):
    """A request that the chosen format cannot express."""

    title = "Cannot export"


def absolute_url(resolution: Resolution) -> str:
    return join_base_url(resolution.profile.base_url, resolution.request.url)


def all_headers(resolution: Resolution) -> list[tuple[str, str]]:
    """The client's shared headers (those this request keeps) and then its own."""
    request = resolution.request
    own = {name.lower() for name, _ in request.headers}
    dropped = {name.lower() for name in request.drop_headers}
    shared = [
        (name, value)
        for name, value in resolution.profile.headers
        if name.lower() not in own and name.lower() not in dropped
    ]
    return shared + list(request.headers)


def effective_auth(resolution: Resolution) -> ResolvedAuth | None:
    request = resolution.request
    if request.auth_mode == AUTH_OWN:
        return request.auth
    if request.auth_mode == AUTH_FROM_CLIENT:
        return resolution.profile.auth
    return None


def is_multipart_type(value: str) -> bool:
    return value.strip().lower().startswith("multipart/")
