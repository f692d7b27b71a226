"""URLs as other tools write them: the query split into rows, ``/:name`` path
parameters filled in.  Every importer that reads a URL string uses these."""

from __future__ import annotations

import re
from urllib.parse import unquote

from app.core.importers.imported import ImportReport
from app.core.model import KeyValue

#: ``/:id`` in Postman, Insomnia and Bruno URLs
PATH_PARAMETER = re.compile(r"/:([A-Za-z0-9_\-]+)")


def split_query(url: str) -> tuple[str, list[KeyValue]]:
    """``https://x/a?b=1&c#f`` -> ``https://x/a`` and the rows b=1, c (a fragment is
    never sent: dropped)."""
    url = url.split("#", 1)[0]
    base, sep, query = url.partition("?")
    if not sep:
        return url, []
    rows = []
    for pair in query.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            rows.append(KeyValue(unquote(name), unquote(value)))
    return base, rows


def fill_path_parameters(
    url: str, values: dict[str, str], where: str, report: ImportReport, word: str = "parameters"
) -> str:
    """``/users/:id`` with ``values``: each named one replaced by its value (an empty
    value by ``{{id}}``), others left; the report says which were written in."""
    if not values:
        return url

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        return "/" + (values[name] or "{{" + name + "}}")

    replaced = PATH_PARAMETER.sub(replace, url)
    if replaced != url:
        shown = ", ".join(":" + name for name in values)
        report.note(where, f"path {word} {shown} written into the URL")
    return replaced
