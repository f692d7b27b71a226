"""What each numeric setting may be: files are checked against these on load.

The settings dialog (``app.ui.settings_dialog``) offers the same ranges, so a
value typed there always loads again; anything outside (``.nan``, ``-5``, a
timeout of a year) in a hand-edited file is a problem reported with the key.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SETTING_RANGES", "NumberRange"]


@dataclass(frozen=True, slots=True)
class NumberRange:
    low: float
    high: float
    #: what the value is, for messages: "a number of seconds"
    what: str

    def describe(self) -> str:
        return f"{self.what} between {_plain(self.low)} and {_plain(self.high)}"


def _plain(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


SETTING_RANGES: dict[str, NumberRange] = {
    # 0 means "Courier's default" (30 s)
    "timeout_s": NumberRange(0, 3600, "a number of seconds"),
    # 0 means "no deadline"
    "deadline_s": NumberRange(0, 86400, "a number of seconds"),
    "max_redirects": NumberRange(0, 100, "a whole number"),
    # 0 means "Courier's default"; the dialog goes up to 1 TiB
    "max_body_mb": NumberRange(0, 1024 * 1024, "a whole number of MiB"),
}
