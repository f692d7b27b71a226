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

from app.core import secret_slots
from app.core.errors import CourierError
from app.core.inherit import Resolution
from app.core.model import AuthKind, Collection, Folder, Request
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
    """Every secret value ``exchange`` may carry (reads the cookie jar: a worker's job).

    Without a resolution (an exchange nobody said the origin of) every secret of
    every open collection, and every cookie of their jars, is masked instead.
    """
    secrets = Secrets()
    auths: list[ResolvedAuth] = []
    cookie_keys = [cookie_key] if cookie_key else []
    if resolution is None:
        _add_open_collections(session, secrets)
        cookie_keys = [c.id for c in list(session.collections)]
    if resolution is not None:
        secrets.add(*resolution.request.secrets)
        auths = [a for a in (resolution.request.auth, resolution.profile.auth) if a is not None]
        for auth in auths:
            secrets.add_auth(auth)
        if not cookie_keys and resolution.profile.cookie_key:
            cookie_keys = [resolution.profile.cookie_key]
    if "app.net.clients" in sys.modules:  # the network stack exists: a send ran
        pool = session.pool
        for auth in auths:
            if auth.kind == "oauth2":
                token = pool.oauth.cached(auth)
                if token is not None:
                    secrets.add(token.access_token, token.refresh_token or "")
        for key in cookie_keys:
            with contextlib.suppress(Exception):  # a jar that cannot be read has nothing
                secrets.add(*(row.value for row in pool.cookie_rows(key)))
    heads = [hop.headers for hop in exchange.hops]
    if exchange.response is not None:
        heads.append(exchange.response.headers)
    for headers in heads:
        for name, value in headers:
            if name.lower() in _SET_COOKIE:
                cookie = value.partition(";")[0]
                secrets.add(cookie.partition("=")[2].strip().strip('"'))
    return secrets


def _add_open_collections(session: Session, secrets: Secrets) -> None:
    """The secret values of every open collection (keychain slots: secret variables,
    credentials typed as literals, proxy passwords), Basic auth's Base64 of literal
    credentials too."""
    for collection in list(session.collections):
        for slot in secret_slots.all_slots(collection):
            if slot.holds_secret():
                secrets.add(slot.get())
        owners: list[Collection | Folder | Request] = [collection]
        for chain, request in collection.iter_requests():
            owners.extend(chain)
            owners.append(request)
        for owner in owners:
            auth = owner.auth
            if auth.kind is AuthKind.BASIC and auth.password and "{{" not in auth.password:
                secrets.add_auth(
                    ResolvedAuth(kind="basic", username=auth.username, password=auth.password)
                )
