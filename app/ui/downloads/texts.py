"""What a download row says: pure functions of a snapshot (no widgets)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.core.units import human_size

if TYPE_CHECKING:
    from app.net.downloads import DownloadSnapshot, DownloadState

STATE_TEXT = {
    "queued": "Queued",
    "running": "Downloading",
    "paused": "Paused",
    "done": "Done",
    "failed": "Failed",
    "cancelled": "Cancelled",
}


def state_text(state: DownloadState) -> str:
    return STATE_TEXT.get(str(state), str(state).capitalize())


def clock(seconds: float | None) -> str:
    """``75`` -> ``"1:15"``, ``3725`` -> ``"1:02:05"``; None -> ``"—"``."""
    if seconds is None:
        return "—"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def amount_text(snapshot: DownloadSnapshot) -> str:
    """``"12.0 MiB of 100.0 MiB (12%)"``, or just the bytes so far when the size is unknown."""
    got = human_size(snapshot.received)
    fraction = snapshot.fraction
    if snapshot.total is None or fraction is None:
        return got
    return f"{got} of {human_size(snapshot.total)} ({min(fraction, 1.0):.0%})"


def speed_text(snapshot: DownloadSnapshot) -> str:
    return f"{human_size(snapshot.speed)}/s" if snapshot.speed > 0 else ""


def eta_text(snapshot: DownloadSnapshot) -> str:
    return f"{clock(snapshot.eta_s)} left" if snapshot.eta_s is not None else ""


def elapsed_text(snapshot: DownloadSnapshot) -> str:
    return clock(snapshot.elapsed_s) if snapshot.elapsed_s >= 1 else ""


def message_text(snapshot: DownloadSnapshot) -> str:
    """The error (if any) and the newest notice: why it stopped, what happened on the way."""
    lines = []
    if snapshot.error is not None:
        lines.append(snapshot.error.message)
    if snapshot.notices:
        lines.append(snapshot.notices[-1])
    return "\n".join(lines)


def sha256_matches(actual: str | None, pasted: str) -> bool:
    """A pasted hash (any case, surrounding spaces, "sha256:" prefix) against the file's."""
    wanted = pasted.strip().lower().removeprefix("sha256:").strip()
    return bool(actual) and wanted == (actual or "").lower()
