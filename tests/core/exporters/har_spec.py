"""A structural validator of HAR 1.2 documents, written from the spec
(http://www.softwareishard.com/blog/har-12-spec/): every required field there,
with its type; optional fields typed when present; ``-1`` only where the spec
allows it.  ``problems(document)`` lists what is wrong (empty: valid)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

_NUMBER = (int, float)


class _Check:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def need(self, data: Any, key: str, kind: Any, where: str) -> Any:
        if not isinstance(data, dict) or key not in data:
            self.problems.append(f"{where}.{key}: required")
            return None
        return self.typed(data[key], kind, f"{where}.{key}")

    def may(self, data: dict[str, Any], key: str, kind: Any, where: str) -> Any:
        if key not in data:
            return None
        return self.typed(data[key], kind, f"{where}.{key}")

    def typed(self, value: Any, kind: Any, where: str) -> Any:
        if (kind is _NUMBER and isinstance(value, bool)) or not isinstance(value, kind):
            self.problems.append(f"{where}: expected {kind}, found {type(value).__name__}")
            return None
        return value

    def pairs(self, data: dict[str, Any], key: str, where: str, *, cookies: bool = False) -> None:
        rows = self.need(data, key, list, where)
        for i, row in enumerate(rows or ()):
            here = f"{where}.{key}[{i}]"
            self.need(row, "name", str, here)
            self.need(row, "value", str, here)
            if cookies and isinstance(row, dict):
                for optional in ("path", "domain", "expires", "comment"):
                    self.may(row, optional, str, here)

    def size(self, data: dict[str, Any], key: str, where: str) -> None:
        value = self.need(data, key, _NUMBER, where)
        if value is not None and value < -1:
            self.problems.append(f"{where}.{key}: {value} (a size, or -1)")


def problems(document: Any) -> list[str]:
    check = _Check()
    log = check.need(document, "log", dict, "$")
    if log is None:
        return check.problems
    if check.need(log, "version", str, "log") not in (None, "1.2"):
        check.problems.append(f"log.version: {log['version']!r}, not 1.2")
    creator = check.need(log, "creator", dict, "log")
    if creator is not None:
        check.need(creator, "name", str, "log.creator")
        check.need(creator, "version", str, "log.creator")
    page_ids = set()
    for i, page in enumerate(check.may(log, "pages", list, "log") or ()):
        where = f"log.pages[{i}]"
        _date(check, page, where)
        page_ids.add(check.need(page, "id", str, where))
        check.need(page, "title", str, where)
        check.need(page, "pageTimings", dict, where)
    for i, entry in enumerate(check.need(log, "entries", list, "log") or ()):
        _entry(check, entry, f"log.entries[{i}]", page_ids)
    return check.problems


def _date(check: _Check, data: Any, where: str) -> None:
    text = check.need(data, "startedDateTime", str, where)
    if text is None:
        return
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        check.problems.append(f"{where}.startedDateTime: {text!r} is not ISO 8601")
        return
    if moment.tzinfo is None:
        check.problems.append(f"{where}.startedDateTime: {text!r} has no time zone")


def _entry(check: _Check, entry: Any, where: str, page_ids: set[Any]) -> None:
    if not isinstance(entry, dict):
        check.problems.append(f"{where}: expected an object")
        return
    if "pageref" in entry and entry["pageref"] not in page_ids:
        check.problems.append(f"{where}.pageref: no such page")
    _date(check, entry, where)
    time = check.need(entry, "time", _NUMBER, where)
    request = check.need(entry, "request", dict, where)
    response = check.need(entry, "response", dict, where)
    check.need(entry, "cache", dict, where)
    timings = check.need(entry, "timings", dict, where)
    check.may(entry, "serverIPAddress", str, where)
    check.may(entry, "connection", str, where)
    check.may(entry, "comment", str, where)
    if request is not None:
        here = f"{where}.request"
        check.need(request, "method", str, here)
        check.need(request, "url", str, here)
        check.need(request, "httpVersion", str, here)
        check.pairs(request, "cookies", here, cookies=True)
        check.pairs(request, "headers", here)
        check.pairs(request, "queryString", here)
        check.size(request, "headersSize", here)
        check.size(request, "bodySize", here)
        post = check.may(request, "postData", dict, here)
        if post is not None:
            check.need(post, "mimeType", str, f"{here}.postData")
            check.may(post, "text", str, f"{here}.postData")
            for j, param in enumerate(check.may(post, "params", list, f"{here}.postData") or ()):
                there = f"{here}.postData.params[{j}]"
                check.need(param, "name", str, there)
                for optional in ("value", "fileName", "contentType", "comment"):
                    check.may(param, optional, str, there)
            if "text" not in post and "params" not in post:
                check.problems.append(f"{here}.postData: neither text nor params")
    if response is not None:
        here = f"{where}.response"
        check.need(response, "status", int, here)
        check.need(response, "statusText", str, here)
        check.need(response, "httpVersion", str, here)
        check.pairs(response, "cookies", here, cookies=True)
        check.pairs(response, "headers", here)
        content = check.need(response, "content", dict, here)
        if content is not None:
            check.need(content, "size", int, f"{here}.content")
            check.need(content, "mimeType", str, f"{here}.content")
            check.may(content, "text", str, f"{here}.content")
            if check.may(content, "encoding", str, f"{here}.content") not in (None, "base64"):
                check.problems.append(f"{here}.content.encoding: only base64 is known")
        check.need(response, "redirectURL", str, here)
        check.size(response, "headersSize", here)
        check.size(response, "bodySize", here)
    if timings is not None:
        here = f"{where}.timings"
        total = 0.0
        for phase in ("send", "wait", "receive"):
            value = check.need(timings, phase, _NUMBER, here)
            if value is not None and value < 0:
                check.problems.append(f"{here}.{phase}: {value} (may not be -1)")
            total += max(value or 0, 0)
        for phase in ("blocked", "dns", "connect", "ssl"):
            value = check.may(timings, phase, _NUMBER, here)
            if value is not None and value < -1:
                check.problems.append(f"{here}.{phase}: {value}")
            if value is not None and value > 0 and phase != "ssl":
                total += value
        if time is not None and abs(time - total) > 0.01:
            check.problems.append(f"{where}.time: {time}, the timings add up to {round(total, 3)}")
