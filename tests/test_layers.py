"""DESIGN.md's import rule, enforced: core imports neither Qt nor httpx, net never
imports Qt, ui never imports httpx or keyring (it goes through app.services)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"

#: layer directory -> top-level modules it must not import
FORBIDDEN: dict[str, frozenset[str]] = {
    "core": frozenset({"PySide6", "shiboken6", "qasync", "httpx", "httpcore", "keyring"}),
    "net": frozenset({"PySide6", "shiboken6", "qasync", "keyring"}),
    "ui": frozenset({"httpx", "httpcore", "keyring", "h2", "hypercorn", "starlette"}),
    "services": frozenset(),
    "secrets": frozenset({"PySide6", "shiboken6", "qasync", "httpx", "httpcore"}),
}
#: app sub-packages a layer must not reach into either (layering, not just libraries)
FORBIDDEN_APP: dict[str, frozenset[str]] = {
    "core": frozenset({"app.net", "app.ui", "app.services", "app.demo", "app.secrets"}),
    "net": frozenset({"app.ui", "app.services"}),
    "ui": frozenset({"app.net.clients", "app.net.engine", "app.demo", "app.secrets"}),
}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def violations(layer: str) -> list[str]:
    bad: list[str] = []
    for path in sorted((APP / layer).rglob("*.py")):
        for lineno, module in imported_modules(path):
            top = module.split(".")[0]
            if top in FORBIDDEN.get(layer, frozenset()):
                bad.append(f"{path.relative_to(APP.parent)}:{lineno} imports {module}")
            for banned in FORBIDDEN_APP.get(layer, frozenset()):
                if module == banned or module.startswith(banned + "."):
                    bad.append(f"{path.relative_to(APP.parent)}:{lineno} imports {module}")
    return bad


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_respects_import_rule(layer: str) -> None:
    assert (APP / layer).is_dir()
    assert violations(layer) == []


def test_rule_detects_a_violation(tmp_path: Path) -> None:
    """The checker itself must catch a forbidden import (a test that cannot fail is a defect)."""
    sample = tmp_path / "bad.py"
    sample.write_text("import os\nfrom httpx import AsyncClient\ndef f():\n    import PySide6\n")
    modules = [m for _, m in imported_modules(sample)]
    assert "httpx" in modules
    assert "PySide6" in modules
