"""OpenAPI security schemes (3.x ``components.securitySchemes``, Swagger 2.0
``securityDefinitions``) as Courier auth.

The global ``security`` becomes the collection's auth, an operation's own
``security`` that request's (``security: []``: no auth).  A description holds
no credentials, so the auth fields refer to collection variables named after
the scheme (``{{petstore_auth_client_secret}}``): a person fills each in once,
and the secret ones are keychain variables.  Of several alternatives the first
Courier can run is used; the others, and schemes Courier has no auth for
(mutual TLS, the implicit OAuth flow, digest-less HTTP schemes), are noted.
"""

from __future__ import annotations

from typing import Any

from app.core.importers.imported import ImportReport
from app.core.importers.json_doc import child
from app.core.importers.openapi_refs import Refs
from app.core.importers.openapi_variables import CollectionVariables
from app.core.model import Auth, AuthKind

#: OAuth 2.0 flows, 3.x and 2.0 names, -> Courier's grant (implicit: none)
_GRANTS = {
    "authorizationCode": "authorization_code",
    "accessCode": "authorization_code",
    "clientCredentials": "client_credentials",
    "application": "client_credentials",
    "password": "password",
}


class SecuritySchemes:
    """The schemes of one description, turned into auth on demand."""

    def __init__(
        self,
        schemes: Any,
        where: str,
        refs: Refs,
        report: ImportReport,
        variables: CollectionVariables,
    ) -> None:
        self.schemes = schemes if isinstance(schemes, dict) else {}
        self.where = where
        self.refs = refs
        self.report = report
        self.variables = variables

    def auth_for(self, requirements: Any, where: str, absent: AuthKind) -> Auth:
        """The auth of a ``security`` list: ``absent`` when there is none, NONE for ``[]``."""
        if requirements is None:
            return Auth(kind=absent)
        if not isinstance(requirements, list):
            self.refs.once(where, "security is not a list; ignored")
            return Auth(kind=absent)
        if not requirements:
            return Auth(kind=AuthKind.NONE)
        optional = False
        for i, requirement in enumerate(requirements):
            if not isinstance(requirement, dict):
                continue
            if not requirement:
                optional = True  # {}: calling without auth is allowed too
                continue
            auth = self.requirement(requirement, f"{where}[{i}]")
            if auth is not None:
                if len(requirements) > 1:
                    self.refs.once(
                        where, f"{len(requirements)} alternatives; the first Courier runs is used"
                    )
                return auth
        if optional:
            return Auth(kind=AuthKind.NONE)
        return Auth(kind=AuthKind.NONE)  # nothing Courier runs (noted above)

    def requirement(self, requirement: dict[Any, Any], where: str) -> Auth | None:
        names = [str(name) for name in requirement]
        if len(names) > 1:
            self.refs.once(
                where,
                "needs "
                + " and ".join(names)
                + " together; Courier sends one auth: "
                + names[0]
                + " (add the others as headers or parameters by hand)",
            )
        name = names[0]
        scopes = requirement[name]
        scheme_where = child(self.where, name)
        scheme = self.refs.resolve(self.schemes.get(name), scheme_where)
        if not isinstance(scheme, dict) or not scheme:
            self.refs.once(where, f"the security scheme {name!r} is not defined; no auth")
            return None
        scope = " ".join(str(s) for s in scopes) if isinstance(scopes, list) else ""
        return self.scheme(name, scheme, scope, scheme_where)

    def scheme(self, name: str, scheme: dict[str, Any], scope: str, where: str) -> Auth | None:
        kind = str(scheme.get("type", ""))
        if kind == "basic" or (kind == "http" and str(scheme.get("scheme", "")).lower() == "basic"):
            return Auth(
                kind=AuthKind.BASIC,
                username=self.var(f"{name}_username"),
                password=self.var(f"{name}_password", secret=True),
            )
        if kind == "http":
            http = str(scheme.get("scheme", "")).lower()
            if http == "bearer":
                return Auth(kind=AuthKind.BEARER, token=self.var(f"{name}_token", secret=True))
            if http == "digest":
                return Auth(
                    kind=AuthKind.DIGEST,
                    username=self.var(f"{name}_username"),
                    password=self.var(f"{name}_password", secret=True),
                )
            self.refs.once(
                where, f"the HTTP {http or '(unnamed)'} scheme: Courier has no such auth"
            )
            return None
        if kind == "apiKey":
            return self.api_key(name, scheme, where)
        if kind == "oauth2":
            return self.oauth2(name, scheme, scope, where)
        if kind == "openIdConnect":
            url = scheme.get("openIdConnectUrl", "")
            self.refs.once(
                where,
                f"OpenID Connect: imported as OAuth 2.0 (authorization code); Courier does not "
                f"read the discovery document {url} offline: fill in its token and "
                "authorization URLs",
            )
            return self.oauth_auth(name, "authorization_code", "", "", scope or "openid")
        self.refs.once(where, f"the {kind or 'untyped'} security scheme: Courier has no such auth")
        return None

    def api_key(self, name: str, scheme: dict[str, Any], where: str) -> Auth | None:
        place = scheme.get("in")
        key = str(scheme.get("name", "")) or name
        value = self.var(name, secret=True)
        if place == "cookie":
            self.refs.once(where, f"the API key goes in the cookie {key}: sent as a Cookie header")
            return Auth(
                kind=AuthKind.API_KEY,
                key_name="Cookie",
                key_value=f"{key}={value}",
                key_in="header",
            )
        key_in = "query" if place == "query" else "header"
        return Auth(kind=AuthKind.API_KEY, key_name=key, key_value=value, key_in=key_in)

    def oauth2(self, name: str, scheme: dict[str, Any], scope: str, where: str) -> Auth | None:
        flows = scheme.get("flows")
        if isinstance(flows, dict):  # 3.x: several flows by name
            options = [(str(k), v) for k, v in flows.items() if isinstance(v, dict)]
        else:  # 2.0: one flow, its fields on the scheme
            options = [(str(scheme.get("flow", "")), scheme)]
        for flow_name, flow in options:
            grant = _GRANTS.get(flow_name)
            if grant is None:
                continue
            if len(options) > 1:
                self.refs.once(where, f"OAuth 2.0 with several flows: the {flow_name} flow is used")
            if not scope and isinstance(flow.get("scopes"), dict):
                scope = " ".join(str(s) for s in flow["scopes"])
            token_url = str(flow.get("tokenUrl", "") or "")
            auth_url = str(flow.get("authorizationUrl", "") or "")
            return self.oauth_auth(name, grant, token_url, auth_url, scope)
        shown = ", ".join(f for f, _ in options) or "no"
        self.refs.once(where, f"OAuth 2.0 with the {shown} flow, which Courier does not run")
        return None

    def oauth_auth(self, name: str, grant: str, token_url: str, auth_url: str, scope: str) -> Auth:
        auth = Auth(
            kind=AuthKind.OAUTH2,
            grant=grant,
            token_url=token_url,
            auth_url=auth_url,
            client_id=self.var(f"{name}_client_id"),
            client_secret=self.var(f"{name}_client_secret", secret=True),
            scope=scope,
        )
        if grant == "password":
            auth.username = self.var(f"{name}_username")
            auth.password = self.var(f"{name}_password", secret=True)
        return auth

    def var(self, name: str, *, secret: bool = False) -> str:
        """``{{name}}``, with an empty collection variable of that name to fill in."""
        self.variables.define(name, secret=secret)
        return "{{" + name + "}}"
