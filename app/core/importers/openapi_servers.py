"""Where an API lives: OpenAPI 3.x ``servers`` (server variables replaced by their
defaults) or Swagger 2.0 ``schemes`` + ``host`` + ``basePath``, as the collection's
``baseUrl`` variable and, when there are several, one environment per server
(what Postman and Insomnia users expect: pick the server as the environment).
"""

from __future__ import annotations

import re
from typing import Any

from app.core.importers.imported import ImportReport
from app.core.importers.openapi_variables import CollectionVariables
from app.core.model import Environment, Variable

BASE_URL = "baseUrl"
_TEMPLATE = re.compile(r"\{([^{}]+)\}")


def server_urls(servers: Any, where: str, report: ImportReport) -> list[tuple[str, str]]:
    """``(url, name)`` of each 3.x server, its ``{variables}`` set to their defaults."""
    out: list[tuple[str, str]] = []
    if not isinstance(servers, list):
        return out
    for i, server in enumerate(servers):
        here = f"{where}[{i}]"
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            report.note(here, "a server without a URL; left out")
            continue
        values = server.get("variables") if isinstance(server.get("variables"), dict) else {}

        def default(match: re.Match[str], values: Any = values, here: str = here) -> str:
            spec = values.get(match.group(1))
            if isinstance(spec, dict) and spec.get("default") is not None:
                return str(spec["default"])
            report.note(here, f"the server variable {{{match.group(1)}}} has no default; kept")
            return "{{" + match.group(1) + "}}"

        url = _TEMPLATE.sub(default, server["url"]).rstrip("/")
        description = server.get("description")
        name = description if isinstance(description, str) and description.strip() else url
        out.append((url, name.strip() or f"server {i + 1}"))
    return out


def swagger_urls(data: dict[str, Any], report: ImportReport) -> list[tuple[str, str]]:
    """Swagger 2.0: one base URL per scheme, from ``host`` and ``basePath``."""
    host = data.get("host")
    base_path = data.get("basePath")
    path = base_path.rstrip("/") if isinstance(base_path, str) else ""
    if not isinstance(host, str) or not host:
        return [(path, path or "/")]  # relative: noted by apply_servers
    schemes = data.get("schemes")
    names = [s for s in schemes if isinstance(s, str)] if isinstance(schemes, list) else []
    if not names:
        report.note("schemes", "no schemes: https assumed")
        names = ["https"]
    return [(f"{scheme}://{host}{path}", scheme.upper()) for scheme in names]


def apply_servers(
    urls: list[tuple[str, str]],
    variables: CollectionVariables,
    report: ImportReport,
    where: str,
    first_where: str,
) -> list[Environment]:
    """Set the ``baseUrl`` collection variable (the first server) and give back one
    environment per server when there are several (``where``: the servers' place in
    the document, ``first_where``: the first one's, for the report)."""
    if not urls:
        report.note(where, f"no servers: set {BASE_URL} to the API's address")
        variables.define(BASE_URL)
        return []
    first = urls[0][0]
    variables.define(BASE_URL, first)
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", first) and not first.startswith("{{"):
        report.note(
            first_where,
            f"the server URL {first or '/'} is relative to where the description is served: "
            f"set {BASE_URL} to the API's address",
        )
    if len(urls) == 1:
        return []
    report.note(where, f"{len(urls)} servers: one environment each (choose one to set {BASE_URL})")
    taken: set[str] = set()
    environments = []
    for url, name in urls:
        shown = name
        n = 2
        while shown in taken:
            shown = f"{name} ({n})"
            n += 1
        taken.add(shown)
        environments.append(Environment(shown, [Variable(BASE_URL, url)]))
    return environments
