"""DESIGN.md's import rule, enforced: imports only go down.

core imports neither Qt nor httpx; net never imports Qt; secrets has no Qt or HTTP;
the Session is Qt-free; services hold no widgets and reach the network only through
the Session/net; ui never imports httpx or keyring; the CLI never imports Qt.  A layer
is a package (``app/net/``) or a single module (``app/cli.py``).  Every import
counts: ``import x``, ``from x import y`` (as ``x`` and ``x.y``), relative imports
(resolved), and imports inside functions.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_QT = ("PySide6", "shiboken6", "qasync")


@dataclass(frozen=True)
class Rule:
    #: libraries (or their submodules, e.g. ``PySide6.QtWidgets``) the layer must not import
    libraries: tuple[str, ...]
    #: parts of the app the layer must not reach into
    app: tuple[str, ...]


RULES: dict[str, Rule] = {
    "core": Rule(
        (*_QT, "httpx", "httpcore", "keyring"),
        ("app.net", "app.ui", "app.services", "app.demo", "app.secrets", "app.session", "app.cli"),
    ),
    "net": Rule(
        (*_QT, "keyring"),
        ("app.ui", "app.services", "app.session", "app.cli", "app.secrets"),
    ),
    "secrets": Rule(
        (*_QT, "httpx", "httpcore"),
        ("app.net", "app.ui", "app.services", "app.session", "app.cli"),
    ),
    "session": Rule(_QT, ("app.ui", "app.services", "app.cli")),
    "services": Rule(
        ("PySide6.QtWidgets", "PySide6.QtGui", "httpx", "httpcore", "h2", "keyring"),
        ("app.ui", "app.cli"),
    ),
    "ui": Rule(
        ("httpx", "httpcore", "keyring", "h2", "hypercorn", "starlette"),
        ("app.net.clients", "app.net.engine", "app.demo", "app.secrets", "app.cli"),
    ),
    "cli": Rule(_QT, ("app.ui", "app.services")),
}


def layer_files(root: Path, layer: str) -> list[Path]:
    """The files of ``layer`` under ``root/app``: a package, a module, or both, and
    the module's siblings ``app/{layer}_*.py`` (``cli_download.py`` is the CLI too)."""
    package, module = root / "app" / layer, root / "app" / f"{layer}.py"
    files = sorted(package.rglob("*.py")) if package.is_dir() else []
    if module.is_file():
        files.append(module)
        files.extend(sorted((root / "app").glob(f"{layer}_*.py")))
    return files


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, root: Path | None = None) -> list[tuple[int, str]]:
    """(line, dotted name) for every import in ``path``; ``from a import b`` gives
    both ``a`` and ``a.b``.  Relative imports are resolved when ``root`` is given."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                if root is None:
                    continue
                package = module_name(root, path).split(".")
                if path.name != "__init__.py":
                    package.pop()
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([base] if base else [])])
            if base:
                found.append((node.lineno, base))
            found.extend(
                (node.lineno, f"{base}.{alias.name}" if base else alias.name)
                for alias in node.names
                if alias.name != "*"
            )
    return found


def _within(module: str, banned: str) -> bool:
    return module == banned or module.startswith(banned + ".")


def violations(root: Path, layer: str) -> list[str]:
    """Every import in ``layer`` (under ``root/app``) that its rule forbids."""
    rule = RULES[layer]
    bad: list[str] = []
    for path in layer_files(root, layer):
        reported: set[tuple[int, str]] = set()  # once per import statement and rule entry
        for lineno, module in imported_modules(path, root):
            for banned in (*rule.libraries, *rule.app):
                if _within(module, banned) and (lineno, banned) not in reported:
                    reported.add((lineno, banned))
                    bad.append(f"{path.relative_to(root).as_posix()}:{lineno} imports {module}")
    return bad


@pytest.mark.parametrize("layer", sorted(RULES))
def test_layer_respects_import_rule(layer: str) -> None:
    if not layer_files(ROOT, layer):
        pytest.fail(f"layer {layer} is missing: neither app/{layer}/ nor app/{layer}.py")
    assert violations(ROOT, layer) == []


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _fake_app(root: Path) -> None:
    _write(root / "app" / "__init__.py", "")


CLEAN = {
    "core": "import os\nfrom dataclasses import dataclass\nfrom app.core.model import X\n",
    "net": "import httpx\nimport h2\nfrom app.core import model\nfrom app.net import events\n",
    "secrets": "import keyring\nfrom app.core.errors import E\n",
    "session": "import asyncio\nfrom app.net import engine\nfrom app.secrets import S\n",
    "services": "from PySide6.QtCore import QObject\nfrom app.session import Session\n",
    "ui": "from PySide6.QtWidgets import QWidget\nfrom app.services.runner import R\n",
    "cli": "import argparse\nimport httpx\nfrom app.session import Session\n",
}


@pytest.mark.parametrize("form", ["package", "module"])
@pytest.mark.parametrize("layer", sorted(RULES))
def test_rule_reports_each_forbidden_import(tmp_path: Path, layer: str, form: str) -> None:
    """The checker catches one library and one app-layer import per rule, in either
    shape of layer (a test that cannot fail is a defect)."""
    rule = RULES[layer]
    _fake_app(tmp_path)
    library = next((lib for lib in rule.libraries if "." in lib), rule.libraries[-1])
    app_part = rule.app[0]
    # "from PySide6 import QtWidgets" must count as importing PySide6.QtWidgets
    parent, _, leaf = library.rpartition(".")
    library_import = f"from {parent} import {leaf}\n" if parent else f"import {library}\n"
    app_import = f"def later():\n    from {app_part} import thing\n"
    if form == "package":
        _write(tmp_path / "app" / layer / "__init__.py", CLEAN[layer])
        _write(tmp_path / "app" / layer / "deep" / "lib.py", "import os\n" + library_import)
        _write(tmp_path / "app" / layer / "reach.py", app_import)
        expected = [
            f"app/{layer}/deep/lib.py:2 imports {library}",
            f"app/{layer}/reach.py:2 imports {app_part}",
        ]
    else:
        _write(tmp_path / "app" / f"{layer}.py", CLEAN[layer] + library_import + app_import)
        n = CLEAN[layer].count("\n")
        expected = [
            f"app/{layer}.py:{n + 1} imports {library}",
            f"app/{layer}.py:{n + 3} imports {app_part}",
        ]
    assert violations(tmp_path, layer) == expected


@pytest.mark.parametrize("layer", sorted(RULES))
def test_rule_reports_nothing_for_a_clean_layer(tmp_path: Path, layer: str) -> None:
    _fake_app(tmp_path)
    _write(tmp_path / "app" / layer / "__init__.py", CLEAN[layer])
    _write(tmp_path / "app" / layer / "sub" / "mod.py", "from .. import sibling\nimport json\n")
    _write(tmp_path / "app" / f"{layer}.py", CLEAN[layer])
    assert violations(tmp_path, layer) == []


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    """``from ..ui import x`` inside app/services/ is app.ui, and is caught."""
    _fake_app(tmp_path)
    _write(tmp_path / "app" / "services" / "__init__.py", "")
    _write(tmp_path / "app" / "services" / "a.py", "from ..ui import window\n")
    _write(tmp_path / "app" / "services" / "b" / "__init__.py", "from ...cli import main\n")
    _write(tmp_path / "app" / "services" / "c.py", "from . import a\nfrom .b import x\n")
    assert violations(tmp_path, "services") == [
        "app/services/a.py:1 imports app.ui",
        "app/services/b/__init__.py:1 imports app.cli",
    ]


def test_module_siblings_belong_to_the_layer(tmp_path: Path) -> None:
    """``app/cli_download.py`` and ``app/cli_transfer.py`` are the CLI too: Qt there is caught."""
    _fake_app(tmp_path)
    _write(tmp_path / "app" / "cli.py", CLEAN["cli"])
    _write(tmp_path / "app" / "cli_transfer.py", "from PySide6.QtCore import QObject\n")
    assert violations(tmp_path, "cli") == ["app/cli_transfer.py:1 imports PySide6.QtCore"]
