"""The command palette (Ctrl+K, Ctrl+Shift+P, Ctrl+P): find any command or request."""

from app.ui.palette.widget import COMMAND_PREFIX, CommandPalette, PaletteMode

__all__ = ["COMMAND_PREFIX", "CommandPalette", "PaletteMode"]
