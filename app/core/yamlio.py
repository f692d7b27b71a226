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
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):
    """The safe loader, but a plain scalar that looks like a number and is not one
    (``0x_``, ``0b_``: PyYAML raises ValueError) is the string it is, as a person
    reading the file sees it (the round-trip saver reads it the same way)."""


def _lenient(construct: Any) -> Any:
    def construct_number(loader: Any, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, IndexError):
            return loader.construct_scalar(node)

    return construct_number


_Loader.add_constructor("tag:yaml.org,2002:int", _lenient(_BaseLoader.construct_yaml_int))
_Loader.add_constructor("tag:yaml.org,2002:float", _lenient(_BaseLoader.construct_yaml_float))


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
_KEY_TAGS = frozenset(
    (
        _STR_TAG,
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:float",
    )
)

#: how deep a document may nest: Courier's own files need 4 levels; the bound keeps
#: every consumer (Python recursion, orjson's 254 levels in the parse cache) safe
MAX_DEPTH = 100
#: a document may weigh (nodes + characters of scalars, aliases expanded) this much
#: per character of its text, plus WEIGHT_FLOOR: an alias-free document weighs at
#: most about 2 per character, so only alias bombs ("billion laughs") reach it
WEIGHT_PER_CHAR = 4
WEIGHT_FLOOR = 100_000


class TooComplex(ValueError):
    """The document would expand far beyond its size (an alias bomb), nests too
    deep, or refers to itself: refused before anything is built from it."""


class _NeedsFullConstructor(Exception):
    """The document uses something the fast path leaves to PyYAML (aliases, odd tags)."""


def weight_budget(text: str) -> int:
    """The most a document of this text may weigh once its aliases are expanded."""
    return WEIGHT_FLOOR + WEIGHT_PER_CHAR * len(text)


def load(text: str) -> Any:
    """Parse one YAML document with the safe loader's semantics, bounded.

    libyaml composes the node tree in C; turning it into Python objects with
    PyYAML's generic constructor costs more than the parsing itself.  Plain
    mappings, sequences and strings (all of a Courier file, nearly) are built
    directly here; other scalars go through the safe constructor one by one,
    and a document with aliases or collection tags is handed to it whole.

    Aliases make a DAG that anything walking the result (the parse cache's
    JSON, ``str``) expands: the weight of the expanded tree is counted (as the
    fast path builds, or over the node graph before PyYAML constructs) and a
    document heavier than ``weight_budget(text)``, nested deeper than
    ``MAX_DEPTH`` or recursive raises ``TooComplex``.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        budget = weight_budget(text)
        builder = _FastBuilder(loader, budget)
        try:
            data = builder.build(node, 0)
        except _NeedsFullConstructor:
            _check_graph(node, budget)
            return loader.construct_document(node)
        if builder.left < 0:
            raise TooComplex(_too_heavy(budget))
        return data
    finally:
        loader.dispose()


def _too_heavy(budget: int) -> str:
    return (
        f"its aliases expand to more than {budget:,} nodes and characters, "
        "far more than the file holds (an alias bomb?)"
    )


def _too_deep() -> str:
    return f"it nests more than {MAX_DEPTH} levels deep"


class _FastBuilder:
    """Plain objects from a node tree without aliased collections.

    Scalars may still be aliased (the same node, met again): each visit is
    counted, and the total checked once at the end, since a shared ``str``
    costs no memory here (only in what walks the result later).
    """

    __slots__ = ("left", "loader", "seen")

    def __init__(self, loader: Any, budget: int) -> None:
        self.loader = loader
        self.left = budget
        self.seen: set[int] = set()

    def build(self, node: yaml.Node, depth: int) -> Any:
        cls = node.__class__
        if cls is yaml.ScalarNode:
            return self.scalar(node)
        if depth >= MAX_DEPTH:
            raise TooComplex(_too_deep())
        if id(node) in self.seen:  # an alias of a collection (or a recursive one)
            raise _NeedsFullConstructor
        self.seen.add(id(node))
        depth += 1
        if cls is yaml.MappingNode and node.tag == _MAP_TAG:
            out: dict[Any, Any] = {}
            left = self.left - 1
            for key_node, value_node in node.value:
                if key_node.__class__ is not yaml.ScalarNode or key_node.tag not in _KEY_TAGS:
                    raise _NeedsFullConstructor  # merge keys (<<), complex keys
                key = key_node.value
                left -= 1 + len(key)
                if key_node.tag != _STR_TAG:
                    key = self.loader.construct_object(key_node, deep=True)
                if value_node.__class__ is yaml.ScalarNode and value_node.tag == _STR_TAG:
                    value = value_node.value  # the common case, inline
                    left -= 1 + len(value)
                    out[key] = value
                else:
                    self.left = left
                    out[key] = self.build(value_node, depth)
                    left = self.left
            self.left = left
            return out
        if cls is yaml.SequenceNode and node.tag == _SEQ_TAG:
            self.left -= 1
            return [self.build(item, depth) for item in node.value]
        raise _NeedsFullConstructor  # !!set, !!omap, !!pairs, unknown tags

    def scalar(self, node: yaml.Node) -> Any:
        value = node.value
        self.left -= 1 + len(value)
        if node.tag == _STR_TAG:
            return value
        return self.loader.construct_object(node, deep=True)


def _check_graph(root: yaml.Node, budget: int) -> None:
    """Refuse a node graph whose expanded tree is too heavy, too deep or infinite.

    Linear in the graph: each node's expanded weight and height are computed
    once (aliases share them), with the nodes being walked kept to spot cycles;
    depth is checked on the way down, so the walk itself stays shallow.
    """
    known: dict[int, tuple[int, int]] = {}  # id -> (weight, height)
    walking: set[int] = set()

    def visit(node: yaml.Node, depth: int) -> tuple[int, int]:
        key = id(node)
        done = known.get(key)
        if done is None:
            done = _visit_new(node, depth)
            known[key] = done
        if depth + done[1] > MAX_DEPTH:
            raise TooComplex(_too_deep())
        return done

    def _visit_new(node: yaml.Node, depth: int) -> tuple[int, int]:
        if isinstance(node, yaml.ScalarNode):
            return 1 + len(node.value), 0
        if depth >= MAX_DEPTH:
            raise TooComplex(_too_deep())
        key = id(node)
        if key in walking:
            raise TooComplex("it refers to itself (a recursive alias)")
        walking.add(key)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                children += (key_node, value_node)
        else:
            children = list(node.value)
        weight, height = 1, 0
        for child in children:
            child_weight, child_height = visit(child, depth + 1)
            weight += child_weight
            height = max(height, child_height + 1)
            if weight > budget:
                raise TooComplex(_too_heavy(budget))
        walking.discard(key)
        return weight, height

    visit(root, 0)


YAMLError = yaml.YAMLError


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _default_mode()


#: the names ``atomic_write`` gives its temp files (``tempfile.mkstemp``'s 8 random
#: characters): one left behind by a crash is removed when the collection opens
TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


def atomic_write(path: Path, data: bytes, *, mode: int | None = None) -> os.stat_result:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, whole.

    Temp file in the same directory, fsync, ``os.replace``; on failure the temp
    file is removed and the original is untouched.  The new file gets ``mode``
    (before it is renamed into place) or, by default, the old file's mode (a new
    file: as the umask says).  Raises ``OSError``.  Returns the written file's
    ``stat`` (taken before the rename, so it is ours for sure).
    """
    if mode is None:
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
