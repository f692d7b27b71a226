"""Send one request and stream what happens as events.

``send`` opens the request on the collection's long-lived client and yields
``Started``, ``ResponseHead``, ``BodyChunk``... and one ``Finished`` or
``Failed``.  Body bytes go to a ``ResponseSpool`` as they arrive, never
accumulated whole in memory.  It never raises, except ``CancelledError``: the
caller stops a send by cancelling the task that iterates, and the response is
closed on the way out so the connection returns to the pool when it can.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx

from app.core.resolved import AUTH_FROM_CLIENT, AUTH_NONE, ResolvedRequest
from app.net.auth import build_auth
from app.net.errors import to_request_error
from app.net.events import BodyChunk, Event, Failed, Finished, ResponseHead, Started
from app.net.oauth2 import OAuth2Tokens
from app.net.spool import ResponseSpool
from app.net.timing import TimingRecorder


def _expected_size(headers: httpx.Headers) -> int | None:
    value = headers.get("content-length")
    if value is None or headers.get("content-encoding"):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _auth_for(request: ResolvedRequest, oauth: OAuth2Tokens | None) -> Any:
    """``auth=`` for client.send: the client's default, none, or the request's own."""
    if request.auth_mode == AUTH_FROM_CLIENT:
        return httpx.USE_CLIENT_DEFAULT
    if request.auth_mode == AUTH_NONE:
        return None
    return build_auth(request.auth, oauth)


def _check_port(url: httpx.URL) -> None:
    port = url.port
    if port is not None and not 0 < port < 65536:
        raise httpx.InvalidURL(f"the port {port} is out of range (1-65535)")


async def send(
    client: httpx.AsyncClient,
    request: ResolvedRequest,
    spool: ResponseSpool | None = None,
    *,
    oauth: OAuth2Tokens | None = None,
) -> AsyncIterator[Event]:
    recorder = TimingRecorder()
    own_spool = spool is None
    body = spool if spool is not None else ResponseSpool()
    received = 0
    handed_over = False
    url = request.url
    try:
        http_request = client.build_request(
            request.method,
            request.url,
            headers=list(request.headers),
            content=request.content,
            timeout=request.timeout_s,
            extensions={"trace": recorder.trace},
        )
        url = str(http_request.url)
        _check_port(http_request.url)
        for name in request.drop_headers:
            http_request.headers.pop(name, None)
        yield Started(http_request.method, url)
        response = await client.send(
            http_request,
            stream=True,
            follow_redirects=request.follow_redirects,
            auth=_auth_for(request, oauth),
        )
        try:
            yield ResponseHead(
                status_code=response.status_code,
                reason=response.reason_phrase
                or httpx.codes.get_reason_phrase(response.status_code),
                http_version=response.http_version,
                headers=tuple(response.headers.multi_items()),
                url=str(response.url),
                request_headers=tuple(response.request.headers.multi_items()),
                expected_size=_expected_size(response.headers),
            )
            async for chunk in response.aiter_bytes():
                body.write(chunk)
                received += len(chunk)
                yield BodyChunk(chunk, received)
        finally:
            await response.aclose()
        timings = recorder.timings(time.perf_counter())
        handed_over = True
        yield Finished(size=received, timings=timings, spool=body)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # every failure becomes an event, never a crash
        yield Failed(to_request_error(exc, url, received), recorder.timings())
    finally:
        if own_spool and not handed_over:
            body.close()
