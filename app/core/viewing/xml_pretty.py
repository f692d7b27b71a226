"""Indent an XML body for the Pretty view, safely, with the stdlib's expat.

Safety: a response body is untrusted.  Nothing is ever fetched (expat resolves
no external entity unless a handler is set; parameter entities are off), and a
DOCTYPE that declares entities is refused outright, which also rules out
"billion laughs" expansion.  Bodies over ``MAX_XML_BYTES`` are not formatted
(the tree is held in memory).  Malformed XML comes back unchanged with the
parser's message.

Layout: elements that hold only elements are indented one per line; an element
with text keeps its content exactly (mixed content is never re-flowed, as
whitespace there is data).  Namespace prefixes, attribute order, comments,
processing instructions and CDATA sections are kept.
"""

from __future__ import annotations

from typing import Final, NoReturn
from xml.parsers import expat

from app.core.units import human_size

MAX_XML_BYTES: Final = 64 << 20

_Attrs = list[str]
# a node: ("e", name, attrs, children) | ("t", text) | ("c", comment) | ("p", target, data)
#         | ("d", cdata text)
_Node = tuple[object, ...]


class _Refused(Exception):
    pass


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attr(text: str) -> str:
    return (
        _escape_text(text)
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def pretty_xml(
    data: bytes, indent: int = 2, limit: int = MAX_XML_BYTES
) -> tuple[bytes, str | None]:
    """(indented UTF-8 text, None), or (``data`` unchanged, error message)."""
    if len(data) > limit:
        return data, f"too large to format: {human_size(len(data))} (limit {human_size(limit)})"
    root: list[_Node] = []
    stack: list[list[_Node]] = [root]
    prolog: list[str] = []
    cdata: list[str] | None = None

    parser = expat.ParserCreate()
    parser.ordered_attributes = True
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def xml_decl(version: str | None, encoding: str | None, standalone: int) -> None:
        decl = f'<?xml version="{version or "1.0"}" encoding="UTF-8"'
        if standalone != -1:
            decl += f' standalone="{"yes" if standalone else "no"}"'
        prolog.append(decl + "?>")

    def doctype(name: str, sysid: str | None, pubid: str | None, internal: int) -> None:
        if pubid:
            prolog.append(f'<!DOCTYPE {name} PUBLIC "{pubid}" "{sysid or ""}">')
        elif sysid:
            prolog.append(f'<!DOCTYPE {name} SYSTEM "{sysid}">')
        else:
            prolog.append(f"<!DOCTYPE {name}>")

    def refuse(*_args: object) -> NoReturn:
        raise _Refused("entity declarations are not allowed")

    def skipped(name: str, _is_parameter: int) -> NoReturn:
        raise _Refused(f"entity &{name}; is defined outside the document (not loaded)")

    def start(name: str, attrs: _Attrs) -> None:
        children: list[_Node] = []
        stack[-1].append(("e", name, attrs, children))
        stack.append(children)

    def end(_name: str) -> None:
        stack.pop()

    def text(value: str) -> None:
        if cdata is not None:
            cdata.append(value)
        else:
            stack[-1].append(("t", value))

    def comment(value: str) -> None:
        stack[-1].append(("c", value))

    def pi(target: str, value: str) -> None:
        stack[-1].append(("p", target, value))

    def start_cdata() -> None:
        nonlocal cdata
        cdata = []

    def end_cdata() -> None:
        nonlocal cdata
        stack[-1].append(("d", "".join(cdata or [])))
        cdata = None

    parser.XmlDeclHandler = xml_decl
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SkippedEntityHandler = skipped
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.CommentHandler = comment
    parser.ProcessingInstructionHandler = pi
    parser.StartCdataSectionHandler = start_cdata
    parser.EndCdataSectionHandler = end_cdata
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        return data, str(exc)
    except expat.ExpatError as exc:
        return data, f"{expat.ErrorString(exc.code)} at line {exc.lineno}, column {exc.offset + 1}"

    out: list[str] = list(prolog)
    for node in root:
        if node[0] == "t":
            continue  # whitespace around the root element
        _write(node, 0, " " * indent, out)
    return "\n".join(out).encode("utf-8"), None


def _inline(node: _Node) -> str:
    kind = node[0]
    if kind == "t":
        return _escape_text(str(node[1]))
    if kind == "c":
        return f"<!--{node[1]}-->"
    if kind == "p":
        return f"<?{node[1]} {node[2]}?>" if node[2] else f"<?{node[1]}?>"
    if kind == "d":
        return f"<![CDATA[{node[1]}]]>"
    _, name, attrs, children = node
    assert isinstance(attrs, list)
    assert isinstance(children, list)
    head = _start_tag(str(name), attrs)
    if not children:
        return head + "/>"
    return head + ">" + "".join(_inline(child) for child in children) + f"</{name}>"


def _start_tag(name: str, attrs: list[str]) -> str:
    parts = [f"<{name}"]
    for i in range(0, len(attrs), 2):
        parts.append(f' {attrs[i]}="{_escape_attr(attrs[i + 1])}"')
    return "".join(parts)


def _write(node: _Node, depth: int, step: str, out: list[str]) -> None:
    pad = step * depth
    if node[0] != "e":
        out.append(pad + _inline(node))
        return
    _, name, attrs, children = node
    assert isinstance(attrs, list)
    assert isinstance(children, list)
    has_text = any(child[0] == "t" and str(child[1]).strip() for child in children)
    if has_text or not children:
        out.append(pad + _inline(node))
        return
    out.append(pad + _start_tag(str(name), attrs) + ">")
    for child in children:
        if child[0] != "t":  # whitespace-only text between elements
            _write(child, depth + 1, step, out)
    out.append(f"{pad}</{name}>")
