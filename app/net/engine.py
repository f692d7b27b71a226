"""Run one exchange: send, follow redirects hop by hop, stream the body into its store.

``send(pool, profile, request, exchange)`` leases the collection's client
(never changed while in use), validates what will be sent, and sends.  It
follows redirects itself so it can record every hop and withhold every
credential it added when a hop leaves the first request's origin (scheme, host,
port): auth, typed Authorization / Proxy-Authorization / Cookie headers and
headers whose values came from secret variables.  The body is read raw,
decoded in bounded pieces (``decoding``) and appended to the exchange's
``BodyStore``, which enforces the cap and the disk reserve.

A request the server cannot have processed (GOAWAY above its last stream id,
a pooled connection that failed while the request was being written, or an
idempotent request whose reused connection was closed before any answer) is
sent again (up to ``MAX_SENDS`` in all).  ``request.deadline_s`` bounds the whole exchange.

It never raises except ``CancelledError`` (Stop): every failure is recorded on
the exchange (``state``, ``error``) and reported as a ``Failed`` event; what
arrived stays in the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import functools
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from app.core.errors import (
    BodyTooLarge,
    InvalidURL,
    LocalWriteError,
    Phase,
    ProtocolViolation,
    RequestError,
    TooManyRedirects,
)
from app.core.resolved import AUTH_FROM_CLIENT, AUTH_NONE, ClientProfile, ResolvedRequest
from app.core.units import human_size
from app.net.auth import build_auth
from app.net.body_store import (
    BACKLOG_LIMIT,
    BodyCapReached,
    BodyStore,
    DiskFull,
    yield_to_the_window,
)
from app.net.clients import ClientLease, ClientPool
from app.net.decoding import ContentDecoder, DecodingFailed
from app.net.errors import Where, goaway, host_port, mask, masked, to_request_error
from app.net.events import (
    Event,
    Failed,
    Finished,
    HeadReceived,
    Progress,
    Redirected,
    Started,
    Uploaded,
)
from app.net.exchange import (
    Exchange,
    ExchangeState,
    RedirectHop,
    ResponseHead,
    SentRequest,
    Withheld,
)
from app.net.headers import CREDENTIAL_HEADERS, check_headers, mask_value
from app.net.timing import RECORDING, TimingRecorder
from app.net.uploads import UploadStream, prepare_upload

EventSink = Callable[[Exchange, Event], None]
#: what a hop sends: encoded bytes, a body streamed from disk, or nothing
Content = bytes | UploadStream | None
#: called with the response head before the body is read: where the body goes (stored
#: as sent, never decoded), None to skip it; may raise a ``RequestError`` to refuse it
BodyOpener = Callable[[Exchange, ResponseHead], BodyStore | None]

#: RFC 9110 9.2.2: requests that may be sent again automatically
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
#: a redirect body up to this size is read so the connection can be reused
REDIRECT_DRAIN_LIMIT = 256 * 1024
#: ending a body stream early never waits longer than this
END_STREAM_TIMEOUT_S = 1.0
_BODY_HEADERS = ("content-type", "content-length", "transfer-encoding", "content-encoding")
_AUTH_HEADERS: dict[str, str] = {
    "basic": "Basic auth",
    "digest": "Digest auth",
    "bearer": "Bearer token",
    "oauth2": "OAuth 2.0 token",
}
RETRIED_NOTE = (
    "The server closed the connection before it processed the request; Courier sent it "
    "again on a new connection."
)
#: how often a request the server did not process is sent in all: once more is not
#: always enough (a burst retried onto a new connection can meet that connection's own
#: GOAWAY when servers close after N requests: 1 in ~600 sends in the suite's test)
MAX_SENDS = 3


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default


def _check_port(url: httpx.URL) -> None:
    port = url.port
    if port is not None and not 0 < port < 65536:
        raise httpx.InvalidURL(f"the port {port} is out of range (1-65535)")


def redirect_method(status: int, method: str) -> str:
    """What browsers and curl do: 303 becomes GET (but HEAD), POST on 301/302 becomes GET."""
    if status == 303 and method != "HEAD":
        return "GET"
    if status in (301, 302) and method == "POST":
        return "GET"
    return method


def redirect_target(response: httpx.Response) -> httpx.URL:
    location = response.headers.get("location", "")
    try:
        url = response.request.url.join(location)
    except httpx.InvalidURL as exc:
        raise ProtocolViolation(
            f"The server redirected to an address that is not valid: {location!r}.",
            detail=repr(exc),
            phase=Phase.WAIT,
        ) from exc
    if url.scheme not in ("http", "https"):
        raise ProtocolViolation(
            f"The server redirected to a {url.scheme}: address, which Courier does not follow.",
            phase=Phase.WAIT,
        )
    if not url.fragment and response.request.url.fragment:
        url = url.copy_with(fragment=response.request.url.fragment)
    return url


def auth_withheld(request: ResolvedRequest, profile: ClientProfile) -> list[Withheld]:
    """What the request's auth would add, described for the hop that withholds it."""
    if request.auth_mode == AUTH_NONE:
        return []
    auth = profile.auth if request.auth_mode == AUTH_FROM_CLIENT else request.auth
    if auth is None:
        return []
    if auth.kind == "apikey":
        name = auth.key_name or "X-API-Key"
        if auth.key_in == "query":
            return [Withheld(f"{name} (query parameter)", "API key")]
        return [Withheld(name, "API key")]
    if auth.kind == "aws-sigv4":
        names = "Authorization, X-Amz-Date, X-Amz-Content-SHA256"
        if auth.session_token:
            names += ", X-Amz-Security-Token"
        return [Withheld(names, "AWS Signature v4")]
    return [Withheld("Authorization", _AUTH_HEADERS.get(auth.kind, f"{auth.kind} auth"))]


class _Run:
    """The state of one exchange while it runs."""

    def __init__(
        self,
        pool: ClientPool,
        profile: ClientProfile,
        request: ResolvedRequest,
        exchange: Exchange,
        on_event: EventSink | None,
        open_body: BodyOpener | None = None,
    ) -> None:
        self.open_body = open_body
        self.pool = pool
        self.profile = profile
        self.request = request
        self.exchange = exchange
        self.on_event = on_event
        self.start = time.perf_counter()
        self.recorder = TimingRecorder(self.start)
        self.url = request.url
        self.not_processed = False
        self.http_version = ""
        self.remote_address = ""
        self.upload: UploadStream | None = None

    def emit(self, event: Event) -> None:
        if self.on_event is not None:
            self.on_event(self.exchange, event)

    # ------------------------------------------------------------ building

    def _auth(self, lease: ClientLease) -> Any:
        request = self.request
        if request.auth_mode == AUTH_FROM_CLIENT:
            return httpx.USE_CLIENT_DEFAULT
        if request.auth_mode == AUTH_NONE:
            return None
        return build_auth(request.auth, lease.oauth, lease.transport)

    def _build(
        self,
        lease: ClientLease,
        method: str,
        url: httpx.URL | str,
        content: Content,
        *,
        cross_origin: bool,
    ) -> tuple[httpx.Request, list[Withheld]]:
        request = self.request
        withheld: list[Withheld] = []
        headers: list[tuple[str, str]] = []
        for name, value in request.headers:
            lowered = name.lower()
            if content is None and lowered in _BODY_HEADERS and request.has_body:
                continue  # the body was dropped on a 303 (or POST on 301/302)
            if cross_origin and lowered in request.secret_headers:
                withheld.append(Withheld(name, "secret variable"))
                continue
            if cross_origin and lowered in CREDENTIAL_HEADERS:
                withheld.append(Withheld(name, "typed header"))
                continue
            headers.append((name, value))
        if isinstance(content, UploadStream) and not any(
            name.lower() in ("content-length", "transfer-encoding") for name, _ in headers
        ):
            headers.append(("Content-Length", str(content.size)))  # measured: not chunked
        http_request = lease.client.build_request(
            method,
            url,
            headers=headers,
            content=content,
            timeout=httpx.Timeout(request.timeout_s),
        )
        if isinstance(content, UploadStream):
            http_request.stream = content  # itself, not httpx's wrapper: auth can see its files
        _check_port(http_request.url)
        for name in request.drop_headers:
            http_request.headers.pop(name, None)
        if cross_origin:
            own = {name.lower() for name, _ in headers}
            for name, _value in lease.profile.headers:
                lowered = name.lower()
                if lowered in own or lowered not in http_request.headers:
                    continue
                if lowered in lease.profile.secret_headers:
                    withheld.append(Withheld(name, "collection header (secret variable)"))
                    del http_request.headers[name]
                elif lowered in CREDENTIAL_HEADERS:
                    withheld.append(Withheld(name, "collection header"))
                    del http_request.headers[name]
            withheld.extend(auth_withheld(request, lease.profile))
        return http_request, withheld

    def _sent(self, http_request: httpx.Request) -> SentRequest:
        secret_names = self.request.secret_headers | self.profile.secret_headers
        secrets = self.request.secrets
        shown: list[tuple[str, str]] = []
        for name, value in http_request.headers.multi_items():
            lowered = name.lower()
            hidden = (
                lowered in CREDENTIAL_HEADERS
                or lowered in secret_names
                or mask(value, secrets) != value
            )
            shown.append((name, mask_value(name, value) if hidden else value))
        try:
            size, description = len(http_request.content), ""
        except httpx.RequestNotRead:  # a body streamed from disk
            upload = self.upload
            size = upload.size if upload is not None else 0
            description = upload.prepared.summary if upload is not None else ""
        return SentRequest(
            method=http_request.method,
            url=mask(str(http_request.url), secrets),
            headers=tuple(shown),
            body_size=size,
            content_type=http_request.headers.get("content-type", ""),
            body_description=description,
        )

    async def _prepare_upload(self) -> Content:
        """The body to send: a file or multipart body is checked and measured first (in a
        worker), so a missing file fails the exchange before anything is sent."""
        upload = self.request.upload
        if upload is None:
            return self.request.content
        prepared = await asyncio.to_thread(prepare_upload, upload)
        self.exchange.upload_size = prepared.size
        self.upload = UploadStream(prepared, self._on_sent)
        return self.upload

    def _on_sent(self, sent: int, total: int) -> None:
        self.exchange.uploaded = sent
        self.emit(Uploaded(sent, total))

    # ------------------------------------------------------------- sending

    def _unprocessed(self, exc: Exception, recorder: TimingRecorder, method: str) -> bool:
        """May the request that failed with ``exc`` be sent again on a new connection?

        Yes when the server cannot have processed it (a stream above a GOAWAY's
        last stream id; a pooled connection that failed while the request was
        written), and for idempotent methods (RFC 9110 9.2.2) when a reused
        connection closed before any answer: a GOAWAY (a graceful NO_ERROR one, as
        hypercorn and nginx send after N requests, or any other) or an HTTP/1.1
        keep-alive race.
        """
        ended = goaway(exc)
        if ended is not None:
            last, _code = ended
            if recorder.stream_id is None or recorder.stream_id > last:
                return True  # the server says it never processed this stream
            # any code: hypercorn answers a stream opened as its NO_ERROR GOAWAY crosses
            # with a second GOAWAY, PROTOCOL_ERROR, naming the last stream it started
            return method in IDEMPOTENT and not recorder.head_received()
        if not recorder.reused_connection:
            return False
        if not recorder.request_written():
            return True  # a pooled connection failed while the request was being written
        return (
            method in IDEMPOTENT
            and recorder.failed_step == "receive_response_headers"
            and isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError)
        )

    async def _send_hop(
        self, lease: ClientLease, http_request: httpx.Request, auth: Any, hop_started: float
    ) -> Any:
        for attempt in range(1, MAX_SENDS + 1):
            # from the hop's start: the time before it is the redirects' (``redirects_s``)
            recorder = TimingRecorder(hop_started)
            self.recorder = recorder
            http_request.extensions["trace"] = recorder.trace
            recording = RECORDING.set(recorder)  # its host name lookup is timed (see timing)
            try:
                return await lease.client.send(
                    http_request, stream=True, auth=auth, follow_redirects=False
                )
            except httpx.TransportError as exc:
                if attempt < MAX_SENDS and self._unprocessed(exc, recorder, http_request.method):
                    if RETRIED_NOTE not in self.exchange.notes:
                        self.exchange.notes.append(RETRIED_NOTE)
                    continue
                self.not_processed = self._unprocessed(exc, recorder, http_request.method)
                raise
            finally:
                RECORDING.reset(recording)
        raise AssertionError("unreachable")  # pragma: no cover

    async def run(self) -> None:
        request, exchange = self.request, self.exchange
        lease = self.pool.lease(self.profile)
        check_headers(request.headers, "a header of this request")
        method, content = request.method, await self._prepare_upload()
        first_origin: tuple[str, str, int | None] | None = None
        target: httpx.URL | str = request.url
        hops = 0
        while True:
            cross = first_origin is not None and origin(httpx.URL(str(target))) != first_origin
            http_request, withheld = self._build(lease, method, target, content, cross_origin=cross)
            url = http_request.url
            self.url = str(url)
            if first_origin is None:
                first_origin = origin(url)
                exchange.request = self._sent(http_request)
                exchange.state = ExchangeState.SENDING
                self.emit(Started(exchange.request))
            elif exchange.hops:
                exchange.hops[-1] = dataclasses.replace(
                    exchange.hops[-1], cross_origin=cross, withheld=tuple(withheld)
                )
                self.emit(Redirected(exchange.hops[-1]))
            auth = None if cross else self._auth(lease)
            hop_started = time.perf_counter()
            # the first request's timeline starts with the exchange (no redirects before it)
            response = await self._send_hop(
                lease, http_request, auth, hop_started if hops else self.start
            )
            exchange.request = self._sent(response.request)
            if not (request.follow_redirects and response.has_redirect_location):
                break
            try:
                if hops >= request.max_redirects:
                    raise TooManyRedirects(
                        f"{url.host} redirected more than {request.max_redirects} times; "
                        "Courier stopped following.",
                        phase=Phase.WAIT,
                    )
                next_url = redirect_target(response)
                next_method = redirect_method(response.status_code, method)
                exchange.hops.append(
                    RedirectHop(
                        method=method,
                        url=mask(str(url), request.secrets),
                        status_code=response.status_code,
                        reason=response.reason_phrase
                        or httpx.codes.get_reason_phrase(response.status_code),
                        location=response.headers.get("location", ""),
                        headers=tuple(response.headers.multi_items()),
                        elapsed_s=time.perf_counter() - hop_started,
                        next_method=next_method,
                        next_url=mask(str(next_url), request.secrets),
                        cross_origin=False,
                    )
                )
            finally:
                await _drain_and_close(response)
            if next_method != method:
                content = None
            method, target = next_method, next_url
            hops += 1
        await self._receive(response)

    async def _receive(self, response: Any) -> None:
        exchange = self.exchange
        try:
            self.http_version = response.http_version
            stream = response.extensions.get("network_stream")
            address = stream.get_extra_info("server_addr") if stream is not None else None
            if isinstance(address, tuple) and len(address) >= 2:
                self.remote_address = f"{address[0]}:{address[1]}"
            head = ResponseHead(
                status_code=response.status_code,
                reason=response.reason_phrase
                or httpx.codes.get_reason_phrase(response.status_code),
                http_version=response.http_version,
                headers=tuple(response.headers.multi_items()),
                url=mask(str(response.url), self.request.secrets),
                expected_size=_content_length(response.headers),
                content_encoding=response.headers.get("content-encoding", ""),
            )
            exchange.response = head
            exchange.state = ExchangeState.RECEIVING
            self.emit(HeadReceived(head))
            if self.open_body is not None:
                opened = self._opened_body(self.open_body, head)
                if opened is None:
                    return  # nothing of this body is wanted (e.g. a 416 for a complete file)
                exchange.body = opened
            store = exchange.body
            # a download keeps the bytes as sent: its Range offsets count those
            decoder = ContentDecoder("" if self.open_body else head.content_encoding)
            if decoder.undecoded:
                exchange.notes.append(
                    f"The body is encoded as “{decoder.undecoded}”, which Courier does not "
                    "decode; it is kept as it arrived."
                )
            if decoder.passthrough and head.expected_size is not None:
                self._store_step(store.ensure_room, head.expected_size)
            wire: _WireKeeper | None = None
            if not decoder.passthrough:  # the bytes as received are kept too (the Raw view)
                exchange.wire_body = _same_kind(store)
                wire = _WireKeeper(exchange, exchange.wire_body)
            arrivals = exchange.arrivals
            chunks = response.aiter_raw()
            stop = threading.Event()
            try:
                async for raw in chunks:
                    arrived = time.time()
                    exchange.wire_bytes += len(raw)
                    if wire is None:
                        try:
                            self._store_step(store.append, raw)
                        finally:
                            arrivals.note(arrived, store.size)
                        if store.backlog > BACKLOG_LIMIT:  # the disk is slower than the network
                            await self._store_wait(store.wait_below)
                    else:
                        # inflating (a 1 MiB read of a gzip bomb is a GiB) happens in a worker:
                        # zlib lets go of the GIL, the event loop's thread reads the socket
                        inflate = functools.partial(
                            _decode_into, decoder, raw, store, stop, wire, arrived
                        )
                        await self._store_wait(inflate)
                    self.emit(Progress(store.size, exchange.wire_bytes, exchange.expected_size))
                if wire is not None:
                    await self._store_wait(
                        functools.partial(
                            _decode_into, decoder, None, store, stop, wire, time.time()
                        )
                    )
            except BaseException:  # the cap, a full disk, Stop: end the stream in this task
                stop.set()  # a worker still inflating stops at its next piece
                await end_stream(chunks, response)
                raise
            if store.backlog:
                await self._store_wait(store.flush)  # complete means written
            if exchange.wire_body is not None and exchange.wire_body.backlog:
                await self._store_wait(exchange.wire_body.flush)
        finally:
            await response.aclose()

    def _opened_body(self, open_body: BodyOpener, head: ResponseHead) -> BodyStore | None:
        try:
            return open_body(self.exchange, head)
        except OSError as exc:
            self._store_step(_raise, exc)  # mapped as a local write error
            raise  # pragma: no cover - _store_step raised

    async def _store_wait(self, work: Callable[[], None]) -> None:
        """Body store work in a worker thread (waiting for its writer, inflating into it);
        its failures are mapped as the store's own are."""
        try:
            await asyncio.to_thread(work)
        except (OSError, BodyCapReached) as exc:
            self._store_step(_raise, exc)

    def _store_step(self, step: Callable[[Any], None], argument: Any) -> None:
        """A body store operation; its failures are local, never the network's."""
        try:
            step(argument)
        except BodyCapReached as exc:
            size = self.exchange.response.expected_size if self.exchange.response else None
            declared = f" (the server announced {human_size(size)})" if size else ""
            raise BodyTooLarge(
                f"The response passed the {human_size(exc.cap)} limit for a response body"
                f"{declared}; Courier stopped and kept the first {human_size(exc.cap)}. "
                "Download it to a file instead, or raise the limit in the request's Options.",
                phase=Phase.RECEIVE,
            ) from exc
        except DiskFull as exc:
            got = self.exchange.received
            what = f"{human_size(got)} received" if got else f"{human_size(exc.needed)} announced"
            raise LocalWriteError(
                f"Not enough free disk space for the response ({what}, {human_size(exc.free)} "
                f"free in {exc.filename}); Courier stopped to keep the disk from filling up.",
                detail=repr(exc),
            ) from exc
        except OSError as exc:
            arrived = human_size(self.exchange.received)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                text = f"Disk full writing the response, {arrived} received."
            else:
                reason = exc.strerror or str(exc)
                text = f"Could not write the response to disk ({reason}), {arrived} received."
            raise LocalWriteError(text, detail=repr(exc)) from exc

    def timings(self) -> Any:
        return self.recorder.timings(
            self.start,
            http_version=self.http_version,
            remote_address=self.remote_address,
            dns_applies=not self.profile.transport.proxy,
        )

    def fail(self, error: RequestError) -> None:
        error = masked(error, self.request.secrets)
        exchange = self.exchange
        exchange.error = error
        exchange.state = ExchangeState.FAILED
        exchange.timings = self.timings()
        self.emit(Failed(error, exchange.timings))


def _raise(error: BaseException) -> None:
    raise error


def _same_kind(store: BodyStore) -> BodyStore:
    """A store for the bytes as received, bounded and placed as the body's is."""
    return BodyStore(
        memory_budget=store.memory_budget,
        cap=store.cap,
        directory=store.directory,
        reserve=store.reserve,
    )


class _WireKeeper:
    """Keeps a decoded body's bytes as they came (``Exchange.wire_body``), up to its cap.

    Past the cap it stops keeping them and says so in the exchange's notes: the
    decoded body may still fit (a compressed body can be a little larger).
    """

    def __init__(self, exchange: Exchange, store: BodyStore) -> None:
        self.exchange = exchange
        self.store = store
        self.full = False

    def keep(self, raw: bytes) -> None:
        if self.full:
            return
        try:
            self.store.append(raw)
        except BodyCapReached as exc:
            self.full = True
            self.exchange.notes.append(
                f"The body as received passed the {human_size(exc.cap)} limit; "
                f"only its first {human_size(exc.cap)} are kept as received."
            )
        if self.store.backlog > BACKLOG_LIMIT:
            self.store.wait_below()


def _decode_into(
    decoder: ContentDecoder,
    raw: bytes | None,
    store: BodyStore,
    stop: threading.Event,
    wire: _WireKeeper,
    arrived: float,
) -> None:
    """In a worker: keep ``raw`` as received, inflate it (None: what the decoder still
    holds) into ``store``, piece by piece, waiting for the store's writer when its
    backlog is full; each piece is noted as arrived at ``arrived``."""
    yield_to_the_window()
    if raw is not None:
        wire.keep(raw)
    pieces = decoder.decode(raw) if raw is not None else decoder.flush()
    arrivals = wire.exchange.arrivals
    for piece in pieces:
        if stop.is_set():
            return
        try:
            store.append(piece)
        finally:
            arrivals.note(arrived, store.size)
        if store.backlog > BACKLOG_LIMIT:
            store.wait_below()


async def _drain_and_close(response: httpx.Response) -> None:
    """Read a redirect's (small) body so its connection can carry the next hop."""
    chunks = response.aiter_raw()
    try:
        read = 0
        async for chunk in chunks:
            read += len(chunk)
            if read > REDIRECT_DRAIN_LIMIT:
                await end_stream(chunks, response)  # a big body: cheaper to close the connection
                break
    except httpx.HTTPError:
        pass
    finally:
        await response.aclose()


async def end_stream(chunks: AsyncIterator[bytes], response: httpx.Response) -> None:
    """Stop reading a response body early, finishing its stream in this task.

    httpx's raw stream is a chain of async generators (httpx, then httpcore).
    Leaving the outer loop early leaves the inner ones suspended; Python would
    finalize them later, outside this task, where httpcore's cleanup fails
    ("cancel scope in a different task", "no running event loop").  So: close
    the response (its connection), then run the chain to its end here: each
    generator sees the read fail in its own frame and finishes properly.
    """
    with contextlib.suppress(Exception):
        await response.aclose()
    with contextlib.suppress(Exception):
        async with asyncio.timeout(END_STREAM_TIMEOUT_S):
            async for _ignored in chunks:
                pass
    closer = getattr(chunks, "aclose", None)
    if closer is not None:
        with contextlib.suppress(Exception):
            await closer()


def _content_length(headers: httpx.Headers) -> int | None:
    value = headers.get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


async def send(
    pool: ClientPool,
    profile: ClientProfile,
    request: ResolvedRequest,
    exchange: Exchange | None = None,
    on_event: EventSink | None = None,
    *,
    open_body: BodyOpener | None = None,
) -> Exchange:
    """Run ``request`` to the end; the returned exchange says how it went.

    ``open_body`` (downloads) chooses the body's store once the head is known.
    Raises only ``CancelledError`` (the exchange is then ``stopped``).
    """
    if exchange is None:
        exchange = Exchange(request.method, request.url)
    run = _Run(pool, profile, request, exchange, on_event, open_body)
    deadline = asyncio.timeout(request.deadline_s if request.deadline_s else None)
    try:
        async with deadline:
            await run.run()
    except asyncio.CancelledError:
        exchange.state = ExchangeState.STOPPED
        exchange.timings = run.timings()
        raise
    except TimeoutError as exc:
        if not deadline.expired():
            run.fail(_mapped(exc, run))
        else:
            run.fail(_deadline_error(run))
        return exchange
    except DecodingFailed as exc:
        run.fail(
            ProtocolViolation(
                f"The response body from {httpx.URL(run.url).host} is not valid "
                f"{exchange.response.content_encoding if exchange.response else ''}: {exc}.",
                detail=repr(exc),
                phase=Phase.RECEIVE,
                received=exchange.received,
            )
        )
        return exchange
    except Exception as exc:  # every failure is recorded, never raised
        run.fail(_mapped(exc, run))
        return exchange
    exchange.timings = run.timings()
    exchange.state = ExchangeState.DONE
    run.emit(Finished(exchange.received, exchange.timings))
    return exchange


def _mapped(exc: BaseException, run: _Run) -> RequestError:
    if isinstance(exc, ValueError) and not isinstance(exc, httpx.HTTPError):
        # httpx refuses what it cannot build (a URL, an encoding) with ValueError
        return InvalidURL(
            f"The URL “{mask(run.url, run.request.secrets)}” is not valid: {exc}.",
            detail=repr(exc),
            phase=Phase.PREPARE,
        )
    where = Where(
        url=run.url,
        phase=run.recorder.phase(),
        received=run.exchange.received,
        proxy=run.profile.transport.proxy,
        not_processed=run.not_processed,
    )
    return to_request_error(exc, where)


_DOING = {
    Phase.PREPARE: "preparing the request",
    Phase.RESOLVE: "looking up the host",
    Phase.CONNECT: "connecting",
    Phase.TLS: "opening a secure connection",
    Phase.SEND: "sending the request",
    Phase.WAIT: "waiting for the answer",
    Phase.RECEIVE: "receiving the body",
    Phase.LOCAL_WRITE: "storing the body",
}


def _deadline_error(run: _Run) -> RequestError:
    from app.core.errors import DeadlineExceeded

    seconds = run.request.deadline_s or 0
    got = run.exchange.received
    if got:
        where = f"; {human_size(got)} of the body had arrived"
    elif run.exchange.response is not None:
        where = "; the body had not started"
    else:
        where = f" while {_DOING[run.recorder.phase()]}"
    return DeadlineExceeded(
        f"Stopped at the {seconds:g} s deadline for the whole request{where} "
        f"({host_port(run.url)}).",
        phase=run.recorder.phase(),
        received=got,
    )
