"""What ``app.net.engine.send`` yields while an exchange runs: sizes, never bytes.

``Started`` (the request as sent), any number of ``Uploaded`` while a file or
multipart body goes out, ``Redirected`` per hop, ``HeadReceived``,
any number of ``Progress``, then exactly one of ``Finished`` or ``Failed``
(``Failed`` may come at any point).  Everything an event says is also recorded
on the ``Exchange``; the body is read from its store.  Stopping is cancelling
the task that iterates: the exchange then says ``stopped`` and nothing more is
yielded.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.errors import RequestError
from app.net.exchange import RedirectHop, ResponseHead, SentRequest, Timings


@dataclass(frozen=True, slots=True)
class Started:
    request: SentRequest


@dataclass(frozen=True, slots=True)
class Uploaded:
    """How much of a streamed request body (a file, multipart) the connection has taken.

    Starts again from 0 when the body is sent again (a 307/308 redirect, a retry).
    """

    sent: int
    total: int


@dataclass(frozen=True, slots=True)
class Redirected:
    hop: RedirectHop


@dataclass(frozen=True, slots=True)
class HeadReceived:
    head: ResponseHead


@dataclass(frozen=True, slots=True)
class Progress:
    #: body bytes stored so far (decoded)
    received: int
    #: body bytes read from the network so far
    wire_bytes: int
    #: the decoded size when known in advance
    expected: int | None


@dataclass(frozen=True, slots=True)
class Finished:
    size: int
    timings: Timings


@dataclass(frozen=True, slots=True)
class Failed:
    error: RequestError
    timings: Timings | None = None


Event = Started | Uploaded | Redirected | HeadReceived | Progress | Finished | Failed
