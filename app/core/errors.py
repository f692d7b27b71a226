"""One error tree: every failure a user can see is one of these.

    CourierError                  message: one sentence a user understands
    ├── StorageError              a collection file could not be read or written
    │   ├── CollectionNotFound    the directory has no collection.yaml
    │   └── FileChangedOnDisk     a save found the file changed outside Courier
    ├── TemplateError             a {{variable}} could not be resolved
    │   └── ExpansionTooLarge     expanding variables went past its budget
    ├── SecretUnavailable         a send needs a secret the keychain could not give
    └── RequestError              sending failed (mapped by type in app.net.errors)
        ├── InvalidURL
        ├── InvalidHeader         a header that cannot be sent (refused before sending)
        ├── DNSFailure
        ├── ConnectionRefused
        ├── ProxyFailure          the proxy could not be reached or refused the tunnel
        ├── TLSFailure
        ├── RequestTimeout
        │   └── DeadlineExceeded  the request's total deadline passed
        ├── ServerDisconnected    the server closed the connection mid-request/body
        ├── ProtocolViolation     the peer spoke broken HTTP
        ├── TooManyRedirects
        ├── BodyTooLarge          the response passed the body cap (what arrived is kept)
        ├── LocalWriteError       writing the response on this machine failed (disk full)
        ├── HTTPStatusError       a download answered with an error status (4xx/5xx)
        ├── NetworkError          anything else on the wire
        └── AuthFailure           credentials could not be obtained (e.g. an OAuth 2.0 token)

``detail`` carries the technical text (the original exception) for a
"details" disclosure; ``message`` is what the response pane shows.  A
``RequestError`` also says in which ``phase`` it happened, how many body bytes
had arrived, and whether sending again is safe (the server did not process it).
Neither ever holds a secret: app.net.errors masks them before building one.
"""

from __future__ import annotations

import enum
from pathlib import Path


class Phase(enum.StrEnum):
    """Where in an exchange something failed."""

    PREPARE = "prepare"  # before anything was sent (URL, headers, auth, certificates)
    RESOLVE = "resolve"  # looking up the host name
    CONNECT = "connect"
    TLS = "TLS"
    SEND = "send"  # writing the request
    WAIT = "wait"  # waiting for the response head
    RECEIVE = "receive"  # reading the body
    LOCAL_WRITE = "local write"  # storing the body on this machine


class CourierError(Exception):
    """Base of every user-facing failure."""

    title = "Error"

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class StorageError(CourierError):
    title = "Could not read or write the collection"


class CollectionNotFound(StorageError):
    title = "Not a collection"


class FileChangedOnDisk(StorageError):
    """A save found the file changed since Courier read it (an editor, a git pull).

    Nothing was written.  The caller offers: keep mine (save again with
    ``force``), take theirs (reload the file), or compare.
    """

    title = "Changed outside Courier"

    def __init__(self, message: str, *, path: Path, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.path = path


class TemplateError(CourierError):
    title = "Unresolved variable"


class ExpansionTooLarge(TemplateError):
    title = "Variables expand too far"


class SecretUnavailable(CourierError):
    """A send needs a secret the keychain could not give (locked, or no keychain):
    it is refused rather than sent with an empty credential."""

    title = "Secret not available"

    def __init__(self, message: str, *, labels: list[str], detail: str = "") -> None:
        super().__init__(message, detail=detail)
        #: which secrets, for a person ("{{token}} (a secret variable of environment prod)")
        self.labels = labels


class RequestError(CourierError):
    title = "Request failed"
    #: the phase a failure of this kind happens in when nothing more precise is known
    default_phase = Phase.PREPARE

    def __init__(
        self,
        message: str,
        *,
        detail: str = "",
        phase: Phase | None = None,
        received: int = 0,
        retry_safe: bool = False,
    ) -> None:
        super().__init__(message, detail=detail)
        self.phase = phase if phase is not None else self.default_phase
        #: body bytes that had arrived when it failed (they stay in the exchange's store)
        self.received = received
        #: True when the server cannot have processed the request (sending again is safe)
        self.retry_safe = retry_safe


class UploadFileError(RequestError):
    """A file to upload is missing or unreadable (found before anything is sent), or
    changed size while it was being sent (the server would get a body that is not
    the file)."""

    title = "File not readable"


class InvalidURL(RequestError):
    title = "Invalid URL"


class InvalidHeader(RequestError):
    title = "Header cannot be sent"


class DNSFailure(RequestError):
    title = "Host not found"
    default_phase = Phase.RESOLVE


class ConnectionRefused(RequestError):
    title = "Connection refused"
    default_phase = Phase.CONNECT


class ProxyFailure(RequestError):
    title = "Proxy error"
    default_phase = Phase.CONNECT


class TLSFailure(RequestError):
    title = "TLS/SSL error"
    default_phase = Phase.TLS


class RequestTimeout(RequestError):
    title = "Timed out"
    default_phase = Phase.WAIT


class DeadlineExceeded(RequestTimeout):
    title = "Deadline passed"


class ServerDisconnected(RequestError):
    title = "Server closed the connection"
    default_phase = Phase.RECEIVE


class ProtocolViolation(RequestError):
    title = "Protocol error"
    default_phase = Phase.RECEIVE


class TooManyRedirects(RequestError):
    title = "Too many redirects"
    default_phase = Phase.WAIT


class BodyTooLarge(RequestError):
    title = "Response too large"
    default_phase = Phase.RECEIVE


class LocalWriteError(RequestError):
    title = "Could not store the response"
    default_phase = Phase.LOCAL_WRITE


class HTTPStatusError(RequestError):
    """A download got an error status instead of the file (a send just shows it)."""

    title = "Server refused the download"
    default_phase = Phase.WAIT

    def __init__(self, message: str, *, status_code: int, detail: str = "") -> None:
        super().__init__(message, detail=detail, retry_safe=status_code in (429, 502, 503, 504))
        self.status_code = status_code


class NetworkError(RequestError):
    title = "Network error"
    default_phase = Phase.CONNECT


class AuthFailure(RequestError):
    title = "Sign-in failed"


def reason(exc: BaseException) -> str:
    """Why reading or writing a collection file failed, as a user reads it."""
    if isinstance(exc, CourierError):
        return exc.message
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return "the file is not UTF-8 text"
    if isinstance(exc, MemoryError):
        return "it needs more memory to load than there is"
    if isinstance(exc, RecursionError):
        return "it nests too deep to load"
    if isinstance(exc, ValueError):
        return str(exc)
    return f"it could not be loaded ({type(exc).__name__}: {exc})"
