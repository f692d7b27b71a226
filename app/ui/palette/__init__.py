"""The command palette (Ctrl+K, Ctrl+Shift+P, Ctrl+P): find any command or request."""

from app.ui.palette.commands import (
    SHOW_COMMANDS,
    SHOW_REQUESTS,
    SHOW_SHORTCUTS,
    ShortcutsOverTextFields,
    palette_commands,
)
from app.ui.palette.widget import COMMAND_PREFIX, CommandPalette, PaletteMode

__all__ = [
    "COMMAND_PREFIX",
    "SHOW_COMMANDS",
    "SHOW_REQUESTS",
    "SHOW_SHORTCUTS",
    "CommandPalette",
    "PaletteMode",
    "ShortcutsOverTextFields",
    "palette_commands",
]
