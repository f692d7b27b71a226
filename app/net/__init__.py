"""Courier's network layer: httpx and asyncio, no Qt.

Its face: ``send`` runs one ``Exchange`` on a ``ClientPool``'s client and fills
in its ``BodyStore``; ``Event`` types report progress.  Names are imported on
first use (PEP 562), so plain data such as ``app.net.exchange`` can be used
without loading httpx, which keeps start-up fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "send": "app.net.engine",
    "ClientPool": "app.net.clients",
    "ClientLease": "app.net.clients",
    "Exchange": "app.net.exchange",
    "ExchangeState": "app.net.exchange",
    "RedirectHop": "app.net.exchange",
    "ResponseHead": "app.net.exchange",
    "SentRequest": "app.net.exchange",
    "Timings": "app.net.exchange",
    "Withheld": "app.net.exchange",
    "BodyStore": "app.net.body_store",
    "Event": "app.net.events",
    "Started": "app.net.events",
    "Redirected": "app.net.events",
    "HeadReceived": "app.net.events",
    "Progress": "app.net.events",
    "Uploaded": "app.net.events",
    "Finished": "app.net.events",
    "Failed": "app.net.events",
}

if TYPE_CHECKING:
    from app.net.body_store import BodyStore
    from app.net.clients import ClientLease, ClientPool
    from app.net.engine import send
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
        Timings,
        Withheld,
    )

__all__ = [
    "BodyStore",
    "ClientLease",
    "ClientPool",
    "Event",
    "Exchange",
    "ExchangeState",
    "Failed",
    "Finished",
    "HeadReceived",
    "Progress",
    "RedirectHop",
    "Redirected",
    "ResponseHead",
    "SentRequest",
    "Started",
    "Timings",
    "Uploaded",
    "Withheld",
    "send",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'app.net' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
