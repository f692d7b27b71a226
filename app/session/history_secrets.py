"""Which secret values one exchange may carry, so the history can mask them all.

From the request's resolution (secret variables, credentials of its own and its
collection's auth, the proxy password), the OAuth 2.0 tokens cached for those
auths, the cookies the collection's jar holds, and the cookies the response and
its redirect hops set.  A server that echoes a request back (``/headers``,
``/cookies``) echoes those values in its body: the history masks them there too.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING

from app.core.errors import CourierError
from app.core.inherit import Resolution
from app.core.model import Collection, Request
from app.core.resolved import ResolvedAuth
from app.session.history_record import Secrets

if TYPE_CHECKING:
    from app.net.exchange import Exchange
    from app.session.session import Session

_SET_COOKIE = ("set-cookie", "set-cookie2")


def resolution_for(
    session: Session, request: Request, collection: Collection | None, stored: Request | None
) -> Resolution | None:
    """The request resolved as it was sent (pure, quick: call it on any thread that may
    read the model).  None when it cannot be resolved any more."""
    try:
        return session.resolve(request, collection, stored)
    except CourierError:
        return None


def secrets_of(
    session: Session,
    resolution: Resolution | None,
    exchange: Exchange,
    cookie_key: str = "",
) -> Secrets:
    """Every secret value ``exchange`` may carry (reads the cookie jar: a worker's job)."""
    secrets = Secrets()
    auths: list[ResolvedAuth] = []
    if resolution is not None:
        secrets.add(*resolution.request.secrets)
        auths = [a for a in (resolution.request.auth, resolution.profile.auth) if a is not None]
        for auth in auths:
            secrets.add_auth(auth)
        cookie_key = cookie_key or resolution.profile.cookie_key
    if "app.net.clients" in sys.modules:  # the network stack exists: a send ran
        pool = session.pool
        for auth in auths:
            if auth.kind == "oauth2":
                token = pool.oauth.cached(auth)
                if token is not None:
                    secrets.add(token.access_token, token.refresh_token or "")
        if cookie_key:
            with contextlib.suppress(Exception):  # a jar that cannot be read has nothing
                secrets.add(*(row.value for row in pool.cookie_rows(cookie_key)))
    heads = [hop.headers for hop in exchange.hops]
    if exchange.response is not None:
        heads.append(exchange.response.headers)
    for headers in heads:
        for name, value in headers:
            if name.lower() in _SET_COOKIE:
                cookie = value.partition(";")[0]
                secrets.add(cookie.partition("=")[2].strip().strip('"'))
    return secrets
