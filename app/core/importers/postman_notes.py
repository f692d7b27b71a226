"""Postman descriptions and scripts in Courier's notes, and back.

Courier does not run Postman's JavaScript; a script is kept as text in the
notes of its request, folder or collection, under a line that says so, and the
Postman exporter turns those sections back into scripts.

    Lists the users.

    --- Postman pre-request script (kept as text; Courier does not run it) ---
    pm.environment.set("t", Date.now());
"""

from __future__ import annotations

import re

#: Postman's event names and how a person calls them
EVENTS = {"prerequest": "pre-request", "test": "test"}
_HEAD = "--- Postman {} script (kept as text; Courier does not run it) ---"
_HEAD_LINE = re.compile(
    r"^--- Postman (pre-request|test) script \(kept as text; Courier does not run it\) ---$", re.M
)
_EVENT_OF = {shown: event for event, shown in EVENTS.items()}


def compose(description: str, scripts: list[tuple[str, str]]) -> str:
    """Notes from a description and ``(event, code)`` scripts."""
    parts = [description.rstrip("\n")] if description.strip() else []
    for event, code in scripts:
        parts.append(_HEAD.format(EVENTS[event]) + "\n" + code)
    return "\n\n".join(parts)


def split(notes: str) -> tuple[str, list[tuple[str, str]]]:
    """``compose`` undone: the description and the scripts of ``notes``."""
    heads = list(_HEAD_LINE.finditer(notes))
    if not heads:
        return notes, []
    description = notes[: heads[0].start()].rstrip("\n")
    scripts = []
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(notes)
        code = notes[head.end() + 1 : end]
        if i + 1 < len(heads):
            code = code.removesuffix("\n\n")
        scripts.append((_EVENT_OF[head.group(1)], code))
    return description, scripts
