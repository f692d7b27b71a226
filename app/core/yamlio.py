"""YAML in and out, the way Courier's files want it, and atomic file writes.

The C-accelerated libyaml loader/dumper are used when PyYAML was built with
them (they make a 10,000-file collection open several times faster).
Multi-line strings are written as literal blocks so request bodies and notes
diff well in git; keys keep the order they were given in.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeDumper as _BaseDumper
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class _Dumper(_BaseDumper):
    """SafeDumper that writes multi-line strings as ``|`` blocks."""


def _represent_str(dumper: Any, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    node: yaml.Node = dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)
    return node


_Dumper.add_representer(str, _represent_str)


def dump(data: dict[str, Any]) -> str:
    text: str = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=4096,
    )
    return text


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


class _NeedsFullConstructor(Exception):
    """The document uses something the fast path leaves to PyYAML (aliases, odd tags)."""


def load(text: str) -> Any:
    """Parse one YAML document with the safe loader's semantics.

    libyaml composes the node tree in C; turning it into Python objects with
    PyYAML's generic constructor costs more than the parsing itself.  Plain
    mappings, sequences and strings (all of a Courier file, nearly) are built
    directly here; other scalars go through the safe constructor one by one,
    and a document with aliases or collection tags is handed to it whole.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            return _build(node, loader, set())
        except _NeedsFullConstructor:
            return loader.construct_document(node)
    finally:
        loader.dispose()


def _build(node: yaml.Node, loader: Any, seen: set[int]) -> Any:
    cls = node.__class__
    if cls is yaml.ScalarNode:
        if node.tag == _STR_TAG:
            return node.value
        return loader.construct_object(node, deep=True)
    if id(node) in seen:  # an alias of a collection: PyYAML shares it (or it is recursive)
        raise _NeedsFullConstructor
    seen.add(id(node))
    if cls is yaml.MappingNode and node.tag == _MAP_TAG:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not yaml.ScalarNode or key_node.tag not in (
                _STR_TAG,
                "tag:yaml.org,2002:int",
                "tag:yaml.org,2002:bool",
                "tag:yaml.org,2002:null",
                "tag:yaml.org,2002:float",
            ):
                raise _NeedsFullConstructor  # merge keys (<<), complex keys
            out[_build(key_node, loader, seen)] = _build(value_node, loader, seen)
        return out
    if cls is yaml.SequenceNode and node.tag == _SEQ_TAG:
        return [_build(item, loader, seen) for item in node.value]
    raise _NeedsFullConstructor  # !!set, !!omap, !!pairs, unknown tags


YAMLError = yaml.YAMLError


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _default_mode()


#: the names ``atomic_write`` gives its temp files (``tempfile.mkstemp``'s 8 random
#: characters): one left behind by a crash is removed when the collection opens
TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


def atomic_write(path: Path, data: bytes) -> os.stat_result:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, whole.

    Temp file in the same directory, fsync, ``os.replace``; on failure the temp
    file is removed and the original is untouched.  Raises ``OSError``.  Returns
    the written file's ``stat`` (taken before the rename, so it is ours for sure).
    """
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = _FILE_MODE
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            stat = os.fstat(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
        return stat
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
