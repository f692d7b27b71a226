"""Saving into an existing file without losing what Courier does not own.

Courier's files are also edited by hand, by other tools and by newer Courier
versions: they hold keys Courier does not know (``x-team-owner``, ``tests``),
comments and their own formatting.  Opening stays on the fast libyaml loader;
only a save of an existing file comes here.  The file is read as a round-trip
ruamel.yaml document and only what changed is applied to it: Courier's plain
data for the item (``new``) is compared with what Courier's codec makes of the
current file (``old``, the same normalised shape), and only keys that differ
are set or deleted.  Lists of rows are matched element by element (a
``difflib`` alignment) so a row's comments and unknown sub-keys stay with it.

A comment that ruamel keeps on a deleted key (ruamel attaches the comment lines
*before* a key to the end of the previous value) is moved to the previous
sibling so it still stands where it stood.  Multi-line strings are written as
``|`` blocks, as Courier's own dumper does.
"""

from __future__ import annotations

import difflib
import io
import json
import re
from collections.abc import Iterable
from typing import Any

import yaml.resolver
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import CommentMark
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarbool import ScalarBoolean
from ruamel.yaml.scalarstring import LiteralScalarString, ScalarString
from ruamel.yaml.tokens import CommentToken

from app.core import proxy_url
from app.core.codec import is_reference
from app.core.model import CREDENTIAL_FIELDS

__all__ = ["merge_text", "scrub_secrets"]

_SEQ_UNDER_KEY = re.compile(r"^( *)[^\s#-][^\n]*:[ \t]*(?:#.*)?\n(?:[ \t]*(?:#.*)?\n)*( *)- ", re.M)
_MAP_UNDER_KEY = re.compile(r"^( *)[^\s#-][^\n]*:[ \t]*\n(?:[ \t]*(?:#.*)?\n)*( *)[^\s#-]", re.M)


class _Resolver(VersionedResolver):
    """Plain scalars typed exactly as Courier's libyaml loader (PyYAML) types them.

    ruamel defaults to YAML 1.2, where ``059_`` is the integer 59 (written back as
    ``059``) though PyYAML reads the string ``"059_"``, and even ruamel's own YAML
    1.1 rules differ from PyYAML's (``y``/``n`` are booleans there, ``1e5`` a float).
    Reading and writing with PyYAML's table keeps every untouched value meaning
    what it meant, and quotes a new value exactly when PyYAML needs it quoted.
    """

    @property
    def processing_version(self) -> Any:
        return (1, 1)  # the constructor's number rules (octal ``012``, ``1:30``): PyYAML's

    @property
    def versioned_resolver(self) -> Any:
        return _PYYAML_IMPLICIT


_PYYAML_IMPLICIT: dict[str, list[tuple[str, Any]]] = {
    first: list(rules) for first, rules in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}


class _SpelledBool(ScalarBoolean):
    """A boolean read from a plain scalar, written back as it was spelled (``yes``)."""

    spelling: str


class _SpelledInt(int):
    """An integer written back as it was spelled (``0o17``, ``1_000``, ``012``)."""

    spelling: str


class _SpelledFloat(float):
    """A float written back as it was spelled (``1.50``, ``.inf``)."""

    spelling: str


_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"


class _Constructor(RoundTripConstructor):
    """ruamel's round-trip constructor, but

    * a plain scalar its number patterns match and its number parsing then fails
      on (``0x_``: ruamel raises IndexError) is read as the string it is, as
      Courier's loader reads it;
    * booleans and numbers remember how they were spelled, so an untouched
      ``yes`` or ``1_000`` is written back as ``yes`` and ``1_000``.
    """


class _SpelledText(str):
    """A plain scalar that looks like a number but is not one (``0x_``): the string
    it is, written back unquoted as it was."""

    tag: str


def _spelled(construct: Any, kind: type) -> Any:
    def construct_spelled(self: _Constructor, node: Any) -> Any:
        try:
            value = construct(self, node)
        except (IndexError, ValueError):
            text = _SpelledText(self.construct_scalar(node))
            text.tag = str(node.tag.value if hasattr(node.tag, "value") else node.tag)
            return text
        if node.style is not None or getattr(node, "anchor", None) is not None:
            return value  # quoted with an explicit tag, or anchored: ruamel's own types
        if kind is _SpelledBool:
            spelled: Any = _SpelledBool(bool(value))
        elif isinstance(value, bool) or not isinstance(value, int | float):
            return value
        else:
            spelled = kind(value)
        spelled.spelling = str(node.value)
        return spelled

    return construct_spelled


_Constructor.add_constructor(
    _BOOL_TAG, _spelled(RoundTripConstructor.construct_yaml_bool, _SpelledBool)
)
_Constructor.add_constructor(
    _INT_TAG, _spelled(RoundTripConstructor.construct_yaml_int, _SpelledInt)
)
_Constructor.add_constructor(
    _FLOAT_TAG, _spelled(RoundTripConstructor.construct_yaml_float, _SpelledFloat)
)


class _Representer(RoundTripRepresenter):
    """Writes a spelled scalar exactly as it was read."""


def _as_spelled(tag: str) -> Any:
    def represent(self: _Representer, data: Any) -> Any:
        return self.represent_scalar(tag, data.spelling)

    return represent


_Representer.add_representer(_SpelledBool, _as_spelled(_BOOL_TAG))
_Representer.add_representer(_SpelledInt, _as_spelled(_INT_TAG))
_Representer.add_representer(_SpelledFloat, _as_spelled(_FLOAT_TAG))
_Representer.add_representer(
    _SpelledText, lambda self, data: self.represent_scalar(data.tag, str(data))
)


def _yaml_for(text: str) -> YAML:
    """A round-trip YAML set up to write like ``text`` is written (indents, line breaks)."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.Resolver = _Resolver
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    yaml.width = 4096
    mapping, offset = 2, 0
    if match := _MAP_UNDER_KEY.search(text):
        step = len(match.group(2)) - len(match.group(1))
        mapping = step if step > 0 else 2
    if match := _SEQ_UNDER_KEY.search(text):
        offset = max(0, len(match.group(2)) - len(match.group(1)))
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    if "\r\n" in text:
        yaml.line_break = "\r\n"  # type: ignore[assignment]
    if text.lstrip().startswith("---"):
        yaml.explicit_start = True
    return yaml


def merge_text(text: str, old: dict[str, Any], new: dict[str, Any]) -> str | None:
    """``text`` with the differences between ``old`` and ``new`` applied; None if none.

    ``old`` must be what Courier's codec makes of ``text``.  Raises ``ValueError``
    when ``text`` is not a YAML mapping ruamel can round-trip.
    """
    yaml = _yaml_for(text)
    try:
        doc = yaml.load(text)
    except Exception as exc:  # ruamel raises many unrelated types
        raise ValueError(f"cannot round-trip: {exc}") from exc
    if not isinstance(doc, CommentedMap):
        raise ValueError("the file is not a mapping")
    changed = _merge_map(doc, old, new)
    changed = scrub_secrets(doc) or changed
    if not changed:
        return None
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def scrub_secrets(doc: dict[str, Any]) -> bool:
    """Remove literal credentials a person typed into the file; True if any.

    Courier keeps them in the keychain (codec lists them in ``secret_fields``)
    and never writes them, so a file it saves holds none either.
    """
    changed = False
    auth = doc.get("auth")
    if isinstance(auth, dict):
        for name in CREDENTIAL_FIELDS:
            value = auth.get(name)
            if isinstance(value, str) and value and not is_reference(value):
                _delete(auth, name)
                changed = True
    settings = doc.get("settings")
    if isinstance(settings, dict):
        proxy = settings.get("proxy")
        secret = proxy_url.password(proxy) if isinstance(proxy, str) else ""
        if isinstance(proxy, str) and secret and not is_reference(secret):
            settings["proxy"] = proxy_url.without_password(proxy)  # the password: keychain
            named = settings.get("secret_fields")
            if not isinstance(named, list) or "proxy" not in named:
                settings["secret_fields"] = ["proxy"]
            changed = True
    variables = doc.get("variables")
    if isinstance(variables, list):
        for row in variables:
            if isinstance(row, dict) and _is_true(row.get("secret")) and "value" in row:
                _delete(row, "value")
                changed = True
    return changed


def _is_true(value: Any) -> bool:
    return isinstance(value, bool | ScalarBoolean) and bool(value)


# ------------------------------------------------------------------ merging


def _merge_map(doc: Any, old: dict[str, Any], new: dict[str, Any]) -> bool:
    changed = False
    for key in [k for k in old if k not in new]:
        if key not in doc:
            continue
        value, was = doc[key], old[key]
        if isinstance(value, CommentedMap) and isinstance(was, dict) and set(value) - set(was):
            _merge_map(value, was, {})  # keys Courier does not own keep their mapping
        else:
            _delete(doc, key)
        changed = True
    for key, value in new.items():
        if key in old and old[key] == value:
            continue  # (absent from the text when it is a default Courier writes anyway)
        if key not in doc:
            _insert(doc, key, value, list(new))
        elif not _merge_value(doc, key, old.get(key), value):
            continue
        changed = True
    return changed


def _merge_value(parent: Any, key: Any, old: Any, new: Any) -> bool:
    """Update ``parent[key]`` (a mapping key or list index) from ``old`` to ``new``."""
    current = parent[key]
    if isinstance(new, dict) and isinstance(old, dict) and isinstance(current, CommentedMap):
        return _merge_map(current, old, new)
    if (
        isinstance(new, list)
        and isinstance(old, list)
        and isinstance(current, CommentedSeq)
        and len(current) == len(old)
    ):
        return _merge_list(current, old, new)
    if isinstance(current, ScalarString) and not current:
        parent[key] = None  # '' was quoted because it was empty: the new value need not be
    parent[key] = _node(new)
    return True


def _merge_list(seq: CommentedSeq, old: list[Any], new: list[Any]) -> bool:
    """Align rows by content so unchanged rows (comments, unknown sub-keys) stay put."""
    matcher = difflib.SequenceMatcher(a=_keys(old), b=_keys(new), autojunk=False)
    changed = False
    for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
        if tag == "equal":
            continue
        changed = True
        paired = min(i2 - i1, j2 - j1)
        for offset in range(paired):
            _merge_value(seq, i1 + offset, old[i1 + offset], new[j1 + offset])
        for index in range(i2 - 1, i1 + paired - 1, -1):
            _delete(seq, index)
        for offset, value in enumerate(new[j1 + paired : j2]):
            seq.insert(i1 + paired + offset, _node(value))
    return changed


def _keys(rows: list[Any]) -> list[str]:
    return [json.dumps(row, sort_keys=True, default=str) for row in rows]


def _node(value: Any) -> Any:
    """Plain data as ruamel nodes, multi-line strings as ``|`` blocks."""
    if isinstance(value, str):
        return LiteralScalarString(value) if "\n" in value else value
    if isinstance(value, dict):
        node = CommentedMap()
        for k, v in value.items():
            node[k] = _node(v)
        return node
    if isinstance(value, list):
        return CommentedSeq([_node(v) for v in value])
    return value


def _insert(doc: CommentedMap, key: str, value: Any, order: list[str]) -> None:
    """Insert ``key`` after the last key that precedes it in Courier's order.

    The comment lines after the previous value introduce the key that followed
    it: they move below the new key so they still stand before that one.
    """
    before = order[: order.index(key)]
    keys = list(doc)
    position = 0
    for i, existing in enumerate(keys):
        if existing in before:
            position = i + 1
    lines: list[str] = []
    if position > 0:
        holder = _tail_holder(doc, keys[position - 1])
        if holder is not None:
            lines = _take_comment_lines(*holder)
    doc.insert(position, key, _node(value))
    if lines:
        target = _tail_holder(doc, key)
        if target is not None:
            _append_tail(*target, lines)


def _take_comment_lines(node: Any, key: Any, slot: int) -> list[str]:
    """Detach the full-line comments after ``node[key]``, leaving its end-of-line one."""
    entry = node.ca.items.get(key)
    if not entry or not isinstance(entry[slot], CommentToken):
        return []
    token = entry[slot]
    text = str(token.value)
    eol = ""
    if not text.startswith("\n") and not isinstance(node[key], LiteralScalarString):
        eol, _, text = text.partition("\n")
    lines = [line.strip() for line in text.split("\n") if line.strip().startswith("#")]
    if lines:
        if eol:
            token.value = eol + "\n"
        else:
            entry[slot] = None
    return lines


# ----------------------------------------------------- deleting, comments kept


def _delete(container: Any, key: Any) -> None:
    """Delete ``container[key]`` but keep the comment lines that trail its value."""
    holder = _tail_holder(container, key)
    text = _take_tail(*holder) if holder is not None else ""
    keys = list(range(len(container))) if isinstance(container, list) else list(container)
    position = keys.index(key)
    del container[key]
    lines = [line.strip() for line in text.split("\n") if line.strip().startswith("#")]
    if not lines:
        return
    if position > 0:
        previous = keys[position - 1]
        target = _tail_holder(container, previous)
        if target is not None:
            _append_tail(*target, lines)
            return
    if isinstance(container, CommentedMap) and len(container):
        first = next(iter(container))
        entry = container.ca.items.setdefault(first, [None, [], None, None])
        if entry[1] is None:
            entry[1] = []
        column = _column(container)
        entry[1].extend(CommentToken(line + "\n", CommentMark(column)) for line in lines)


def _column(container: Any) -> int:
    lc = getattr(container, "lc", None)
    return int(getattr(lc, "col", 0) or 0)


def _tail_holder(container: Any, key: Any) -> tuple[Any, Any, int] | None:
    """Where ruamel keeps the comments after ``container[key]``: (node, key, slot)."""
    value = container[key]
    if isinstance(value, CommentedMap) and len(value):
        return _tail_holder(value, list(value)[-1])
    if isinstance(value, CommentedSeq) and len(value):
        return _tail_holder(value, len(value) - 1)
    if isinstance(container, CommentedMap):
        return container, key, 2
    if isinstance(container, CommentedSeq):
        return container, key, 0
    return None


def _take_tail(node: Any, key: Any, slot: int) -> str:
    entry = node.ca.items.get(key)
    if not entry or not isinstance(entry[slot], CommentToken):
        return ""
    token = entry[slot]
    entry[slot] = None
    return str(token.value)


def _append_tail(node: Any, key: Any, slot: int, lines: Iterable[str]) -> None:
    text = "".join(line + "\n" for line in lines)
    size = 4 if isinstance(node, CommentedMap) else 2
    entry = node.ca.items.setdefault(key, [None] * size)
    token = entry[slot]
    if isinstance(token, CommentToken):
        value = str(token.value)
        token.value = (value if value.endswith("\n") else value + "\n") + text
    else:
        entry[slot] = CommentToken("\n" + text, CommentMark(0))
