"""A browser sign-in in progress (OAuth 2.0 authorization code with PKCE), as a prompt
sees it: the address to open, whether a browser opened, how long Courier waits.

Light on purpose (no httpx, no Authlib): the window's services import it at start-up
to show the sign-in, while ``app.net.oauth2`` runs it.  The prompt is injected
(``OAuth2Tokens.prompt``), so the window shows a dialog with the address to copy and
a Cancel button, and tests see exactly what a user would.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

#: how long Courier waits for the browser to come back with the authorization code
SIGN_IN_TIMEOUT_S = 120.0

#: opens a URL in a browser: False (or an exception) when it could not; None counts as opened
BrowserOpener = Callable[[str], bool | Awaitable[bool | None] | None]


@dataclass(eq=False)
class PendingSignIn:
    """One sign-in waiting for the browser to come back to Courier's loopback address."""

    #: the authorization URL: opened in the browser, or copied by the user
    url: str
    #: False when no browser could be opened: the user has to open ``url`` themselves
    browser_opened: bool
    timeout_s: float
    started: float = field(default_factory=time.monotonic)
    #: set when it ends: "signed in", "timed out", "cancelled", "refused" or "stopped"
    outcome: str = ""
    _cancel: Callable[[], None] | None = field(default=None, repr=False)

    def cancel(self) -> None:
        """Stop waiting: the token request fails with "Sign-in cancelled"."""
        if self._cancel is not None and not self.outcome:
            self._cancel()

    def seconds_left(self) -> float:
        return max(0.0, self.timeout_s - (time.monotonic() - self.started))


class SignInPrompt(Protocol):
    """Shows a pending sign-in (the address to copy, time left, Cancel) until it ends."""

    def sign_in_started(self, pending: PendingSignIn) -> None: ...

    def sign_in_ended(self, pending: PendingSignIn) -> None: ...
