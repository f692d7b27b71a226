"""Insomnia's ``authentication`` (v4 and v5 alike) as Courier's ``Auth``.

An empty object means "inherit from the folder" (Insomnia's default); a type
Courier cannot send (NTLM, Hawk, OAuth 1, ASAP, netrc...) is reported, never
dropped silently.  A bearer token with a prefix other than ``Bearer`` is sent
exactly as Insomnia sends it: as an ``Authorization`` API key whose value is
``PREFIX TOKEN`` (so the token still goes to the keychain).
"""

from __future__ import annotations

from typing import Any

from app.core.importers.imported import ImportReport
from app.core.importers.json_doc import child, expect_object, text_of
from app.core.model import Auth, AuthKind

_GRANTS = ("authorization_code", "client_credentials", "password")
_UNSUPPORTED = {
    "ntlm": "NTLM",
    "hawk": "Hawk",
    "oauth1": "OAuth 1.0",
    "asap": "Atlassian ASAP",
    "netrc": "netrc",
    "singleToken": "single token",
    "gcp-id-token": "Google Cloud ID token",
}


class AuthReader:
    """Reads ``authentication`` objects, noting in the report what differs."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report

    def template(self, text: str, label: str) -> str:
        """Template text as Courier writes it (``InsomniaReader`` converts it)."""
        return text

    def auth(self, raw: Any, where: str, label: str = "") -> Auth:
        """Auth of a request or folder (absent or empty: inherit); ``where`` is its
        JSON path, ``label`` names its request or folder in the report."""
        label = label or where
        if raw is None:
            return Auth(kind=AuthKind.INHERIT)
        if isinstance(raw, list):  # newer Insomnia: several strategies, the first one on
            chosen = [(i, a) for i, a in enumerate(raw) if not _switched_off(a)]
            if not chosen:
                return Auth(kind=AuthKind.INHERIT) if not raw else Auth(kind=AuthKind.NONE)
            if len(chosen) > 1:
                self.report.skip(label, f"{len(chosen) - 1} more auth method(s) after the first")
            i, first = chosen[0]
            return self.auth(first, f"{where}[{i}]", label)
        data = expect_object(raw, where)
        kind = text_of(data.get("type"), child(where, "type"))
        if not kind or kind == "inherit":
            return Auth(kind=AuthKind.INHERIT)
        if kind == "none":
            return Auth(kind=AuthKind.NONE)
        if data.get("disabled") is True:
            self.report.note(label, f"{kind} auth is switched off in Insomnia: none is sent")
            return Auth(kind=AuthKind.NONE)

        def get(key: str) -> str:
            return self.template(text_of(data.get(key), child(where, key)), where)

        if kind in ("basic", "digest"):
            if kind == "basic" and data.get("useISO88591") is True:
                self.report.note(label, "basic auth in ISO-8859-1 is sent as UTF-8")
            auth_kind = AuthKind.BASIC if kind == "basic" else AuthKind.DIGEST
            return Auth(kind=auth_kind, username=get("username"), password=get("password"))
        if kind == "bearer":
            return self.bearer(get("token"), get("prefix"), label)
        if kind == "apikey":
            return self.api_key(get("key"), get("value"), get("addTo"), label)
        if kind == "iam":
            return Auth(
                kind=AuthKind.AWS_SIGV4,
                access_key=get("accessKeyId"),
                secret_key=get("secretAccessKey"),
                session_token=get("sessionToken"),
                region=get("region"),
                service=get("service"),
            )
        if kind == "oauth2":
            return self.oauth2(data, get, where, label)
        shown = _UNSUPPORTED.get(kind, kind)
        self.report.skip(label, f"{shown} auth, which Courier does not have (set it up by hand)")
        return Auth(kind=AuthKind.NONE)

    def bearer(self, token: str, prefix: str, label: str) -> Auth:
        if prefix.strip().lower() in ("", "bearer"):
            return Auth(kind=AuthKind.BEARER, token=token)
        value = token if prefix == "NO_PREFIX" else f"{prefix} {token}"
        self.report.note(
            label, "a bearer token with its own prefix became an Authorization API key header"
        )
        return Auth(kind=AuthKind.API_KEY, key_name="Authorization", key_value=value)

    def api_key(self, key: str, value: str, add_to: str, label: str) -> Auth:
        if add_to == "queryParams":
            return Auth(kind=AuthKind.API_KEY, key_name=key, key_value=value, key_in="query")
        if add_to == "cookie":
            self.report.note(label, f"the API key cookie {key!r} is sent as a Cookie header")
            return Auth(kind=AuthKind.API_KEY, key_name="Cookie", key_value=f"{key}={value}")
        return Auth(kind=AuthKind.API_KEY, key_name=key, key_value=value)

    def oauth2(self, data: dict[str, Any], get: Any, where: str, label: str) -> Auth:
        grant = text_of(data.get("grantType"), child(where, "grantType")) or "authorization_code"
        if grant not in _GRANTS:
            self.report.skip(label, f"OAuth 2.0 with the {grant} grant, which Courier does not run")
            return Auth(kind=AuthKind.NONE)
        if data.get("usePkce") is True:
            self.report.note(label, "OAuth 2.0 with PKCE imported as the authorization code grant")
        if get("accessToken"):
            self.report.note(
                label,
                "the OAuth 2.0 access token Insomnia had was not kept; Courier fetches its own",
            )
        if get("audience") or get("resource"):
            self.report.skip(
                where, "the OAuth 2.0 audience / resource (Courier does not send them)"
            )
        return Auth(
            kind=AuthKind.OAUTH2,
            grant=grant,
            token_url=get("accessTokenUrl"),
            auth_url=get("authorizationUrl"),
            client_id=get("clientId"),
            client_secret=get("clientSecret"),
            scope=get("scope"),
            username=get("username"),
            password=get("password"),
        )


def _switched_off(raw: Any) -> bool:
    return isinstance(raw, dict) and raw.get("disabled") is True
