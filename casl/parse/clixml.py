"""Read PowerShell CLIXML (``Export-Clixml``) into :class:`PSObject` values.

Support tools collect Exchange settings with ``Export-Clixml``; the file keeps every property
with its .NET type, so it is the most faithful thing a learner can bring from a server.
``read`` takes a path, the XML text or its bytes and returns the top-level objects in file
order; ``to_frame`` flattens them into a DataFrame, one row per object.

What is understood (MS-PSRP 2.2.5, the serialization format of ``Export-Clixml``):

* ``<Obj RefId>`` with ``<TN RefId>`` / ``<TNRef RefId>`` type names, ``<ToString>``,
  ``<Props>`` (adapted properties) and ``<MS>`` (extended members, e.g. ``PSComputerName`` or
  the ``protocol`` of an IIS binding), ``<Ref RefId>`` back-references to an earlier object
  (the very same :class:`PSObject` is returned);
* primitives ``S C B DT TS By SB U16 I16 U32 I32 U64 I64 Sg Db D BA G URI Version XD SBK SS
  Nil`` (see :data:`PRIMITIVES`), with the ``_xHHHH_`` escapes of strings decoded;
* collections ``LST IE STK QUE`` (Python lists) and ``DCT`` (a dict built from its ``<En>``).

An element outside that vocabulary, XML that is not well formed, a ``RefId`` that was never
defined or a primitive whose text does not fit its type raise :class:`casl.errors.ParseError`
with the line and column; ``read(..., strict=False)`` keeps an unknown element as an
:class:`Unknown` value instead, so one new tag does not hide the rest of a file.

XML is parsed with ``defusedxml`` (a dependency of nbconvert, so present wherever JupyterLab
is): document type declarations, entity declarations and external references are refused
outright, which closes entity-expansion and external-entity attacks; CLIXML never uses them.

>>> objs = read('''<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">
...   <Obj RefId="0"><TN RefId="0"><T>Demo.VirtualDirectory</T><T>System.Object</T></TN>
...     <ToString>EX01\\\\owa (Default Web Site)</ToString>
...     <Props><URI N="InternalUrl">https://ex01.contoso.com/owa</URI>
...       <B N="FormsAuthentication">true</B>
...       <Obj N="InternalAuthenticationMethods" RefId="1"><LST><S>Basic</S><S>Fba</S></LST></Obj>
...     </Props></Obj></Objs>''')
>>> owa = objs[0]
>>> owa.type_names[0], owa["FormsAuthentication"], owa.to_record()["InternalAuthenticationMethods"]
('Demo.VirtualDirectory', True, ['Basic', 'Fba'])
"""
from __future__ import annotations

import base64
import binascii
import decimal
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable
from xml.etree.ElementTree import ParseError as _XMLSyntaxError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from casl.errors import ParseError

NAMESPACE = "http://schemas.microsoft.com/powershell/2004/04"
SOURCE = "CLIXML"
# Export-Clixml's -Depth is 2 by default and PowerShell caps it far below this; the limit only
# keeps a hostile file from exhausting Python's stack.
MAX_DEPTH = 200

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_DURATION = re.compile(
    r"(?P<sign>-)?P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?")


def decode_string(text: str) -> str:
    """Undo CLIXML's ``_xHHHH_`` escapes (control characters, ``_x`` itself, surrogate pairs).

    >>> decode_string("line one_x000D__x000A_line two")
    'line one\\r\\nline two'
    """
    if "_x" not in text:
        return text
    decoded = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    # characters outside the BMP were written as two escaped UTF-16 halves
    if any("\ud800" <= ch <= "\udfff" for ch in decoded):
        decoded = decoded.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return decoded


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise ValueError(f"{text!r} is not true or false")


def _float(text: str) -> float:
    # xs:double spells infinity INF; Python wants inf
    return float(text.strip().replace("INF", "inf"))


def _datetime(text: str) -> datetime:
    return datetime.fromisoformat(text.strip())


def _duration(text: str) -> timedelta:
    m = _DURATION.fullmatch(text.strip())
    if not m or text.strip() in ("P", "-P", "PT", "-PT"):
        raise ValueError(f"{text!r} is not an xs:duration such as PT1H30M")
    parts = {k: float(v) for k, v in m.groupdict().items() if v and k != "sign"}
    value = timedelta(**parts)
    return -value if m.group("sign") else value


def _base64(text: str) -> bytes:
    return base64.b64decode("".join(text.split()), validate=True)


def _char(text: str) -> str:
    return chr(int(text))


# CLIXML primitive tag -> (.NET type, converter from the element's text). One table, so a new
# primitive is one line here.
PRIMITIVES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "S": ("System.String", decode_string),
    "C": ("System.Char", _char),
    "B": ("System.Boolean", _bool),
    "DT": ("System.DateTime", _datetime),
    "TS": ("System.TimeSpan", _duration),
    "By": ("System.Byte", int),
    "SB": ("System.SByte", int),
    "U16": ("System.UInt16", int),
    "I16": ("System.Int16", int),
    "U32": ("System.UInt32", int),
    "I32": ("System.Int32", int),
    "U64": ("System.UInt64", int),
    "I64": ("System.Int64", int),
    "Sg": ("System.Single", _float),
    "Db": ("System.Double", _float),
    "D": ("System.Decimal", decimal.Decimal),
    "BA": ("System.Byte[]", _base64),
    "G": ("System.Guid", uuid.UUID),
    "URI": ("System.Uri", decode_string),
    "Version": ("System.Version", str.strip),
    "XD": ("System.Xml.XmlDocument", decode_string),
    "SBK": ("System.Management.Automation.ScriptBlock", decode_string),
    "SS": ("System.Security.SecureString", str.strip),  # still encrypted: kept as its hex text
}
LISTS = ("LST", "IE", "STK", "QUE")
_CONVERSION_ERRORS = (ValueError, TypeError, OverflowError, binascii.Error, decimal.InvalidOperation)


@dataclass(eq=False)
class PSObject:
    """One deserialized object: type names, ``ToString``, own value and properties in file order.

    ``value`` is what the object wraps besides its properties: the number behind an enum
    (``<I32>``), the items of a collection (a list) or of a dictionary (a dict). ``adapted``
    holds ``<Props>``, ``extended`` holds ``<MS>``; ``properties`` is both, in that order.

    >>> o = PSObject(("System.Enum",), to_string="Block", value=1)
    >>> str(o), o.plain()
    ('Block', 'Block')
    """

    type_names: tuple[str, ...] = ()
    to_string: str | None = None
    value: Any = None
    adapted: dict[str, Any] = field(default_factory=dict)
    extended: dict[str, Any] = field(default_factory=dict)
    ref_id: str | None = None

    @property
    def properties(self) -> dict[str, Any]:
        return {**self.adapted, **self.extended}

    def __getitem__(self, name: str) -> Any:
        if name in self.extended:
            return self.extended[name]
        return self.adapted[name]

    def __contains__(self, name: object) -> bool:
        return name in self.adapted or name in self.extended

    def get(self, name: str, default: Any = None) -> Any:
        """The property's value, or ``default`` when the object has no such property."""
        return self[name] if name in self else default

    def __str__(self) -> str:
        if self.to_string is not None:
            return self.to_string
        return "" if self.value is None else str(self.value)

    def __repr__(self) -> str:
        kind = self.type_names[0] if self.type_names else "PSObject"
        return f"<{kind} {str(self)!r} with {len(self.properties)} properties>"

    def plain(self) -> Any:
        """What Format-List would show for this object as a property value: its items for a
        collection, else its ``ToString``, else its own value, else its properties as a dict."""
        return plain_value(self)

    def to_record(self) -> dict[str, Any]:
        """The properties as a flat dict of plain values (see :func:`plain_value`).

        >>> PSObject(adapted={"Port": 443}, extended={"Site": PSObject(to_string="Default Web Site")}).to_record()
        {'Port': 443, 'Site': 'Default Web Site'}
        """
        return {name: plain_value(value) for name, value in self.properties.items()}


@dataclass(frozen=True)
class Unknown:
    """An element ``read(..., strict=False)`` did not understand, kept with where it was."""

    tag: str
    text: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"<unknown CLIXML element {self.tag} at line {self.line}>"


def plain_value(value: Any, _stack: frozenset[int] = frozenset()) -> Any:
    """Turn a deserialized value into plain Python for tables and comparisons.

    Collections become lists (dictionaries stay dicts), an object becomes what PowerShell
    prints for it (see :meth:`PSObject.plain`), a GUID becomes its string.

    >>> plain_value([PSObject(to_string="Basic", value=1), PSObject(to_string="Fba", value=3)])
    ['Basic', 'Fba']
    """
    if isinstance(value, PSObject):
        if id(value) in _stack:  # an object that contains itself through a <Ref>
            return str(value)
        inner = _stack | {id(value)}
        if isinstance(value.value, (list, dict)):
            return plain_value(value.value, inner)
        if value.to_string is not None:
            return value.to_string
        if value.value is not None:
            return plain_value(value.value, inner)
        if value.properties:
            return {k: plain_value(v, inner) for k, v in value.properties.items()}
        return None
    if isinstance(value, list):
        return [plain_value(v, _stack) for v in value]
    if isinstance(value, dict):
        return {k: plain_value(v, _stack) for k, v in value.items()}
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


# --------------------------------------------------------------------------- XML with positions


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    column: int
    children: list["_Node"] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)


class _TreeBuilder:
    """ElementTree parser target that records where each element starts."""

    def __init__(self) -> None:
        self.position: Callable[[], tuple[int, int]] = lambda: (1, 1)
        self.stack: list[_Node] = []
        self.root: _Node | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        line, column = self.position()
        node = _Node(_local(tag), dict(attrs), line, column)
        if self.stack:
            self.stack[-1].children.append(node)
        elif self.root is None:
            self.root = node
        self.stack.append(node)

    def end(self, tag: str) -> None:
        self.stack.pop()

    def data(self, text: str) -> None:
        if self.stack:
            self.stack[-1].parts.append(text)

    def close(self) -> _Node | None:
        return self.root


def _local(tag: str) -> str:
    # only the PowerShell namespace (or none) is CLIXML; anything else stays visibly foreign
    if tag.startswith("{"):
        uri, _, name = tag[1:].partition("}")
        return name if uri == NAMESPACE else tag
    return tag


def _line_text(data: str | bytes, line: int | None) -> str | None:
    """The offending line, for ParseError.text (best effort: bytes are read as UTF-8)."""
    if line is None:
        return None
    text = data if isinstance(data, str) else data.decode("utf-8", "replace")
    lines = text.splitlines()
    return lines[line - 1][:200] if 0 < line <= len(lines) else None


def _parse_xml(data: str | bytes, source: str) -> _Node:
    builder = _TreeBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    expat = parser.parser
    builder.position = lambda: (expat.CurrentLineNumber, expat.CurrentColumnNumber + 1)
    try:
        parser.feed(data)
        root = parser.close()
    except _XMLSyntaxError as exc:
        line, column = exc.position
        message = str(exc).split(": line ")[0]
        raise ParseError(f"not well-formed XML ({message})", line=line, column=column + 1,
                         source=source, text=_line_text(data, line)) from None
    except DefusedXmlException as exc:
        line = expat.CurrentLineNumber
        raise ParseError(f"refused: {exc} (CLIXML never declares a DTD or entities)",
                         line=line, column=expat.CurrentColumnNumber + 1,
                         source=source, text=_line_text(data, line)) from None
    if root is None:
        raise ParseError("no XML element found", line=1, column=1, source=source)
    return root


# --------------------------------------------------------------------------- CLIXML semantics


class _Reader:
    def __init__(self, source: str, strict: bool, data: str | bytes = ""):
        self.source = source
        self.data = data
        self.strict = strict
        self.objects: dict[str, PSObject] = {}
        self.type_names: dict[str, tuple[str, ...]] = {}

    def error(self, node: _Node, message: str) -> ParseError:
        return ParseError(message, line=node.line, column=node.column, source=self.source,
                          text=_line_text(self.data, node.line))

    def value(self, node: _Node, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise self.error(node, f"objects nested more than {MAX_DEPTH} deep")
        tag = node.tag
        if tag == "Nil":
            return None
        if tag in PRIMITIVES:
            type_name, convert = PRIMITIVES[tag]
            try:
                return convert(node.text)
            except _CONVERSION_ERRORS:
                raise self.error(node, f"<{tag}> holds {node.text[:40]!r}, which is not a {type_name}") from None
        if tag == "Obj":
            return self.obj(node, depth)
        if tag == "Ref":
            ref = self.attr(node, "RefId")
            if ref not in self.objects:
                raise self.error(node, f"<Ref RefId=\"{ref}\"> points to no earlier <Obj>")
            return self.objects[ref]
        if tag in LISTS:
            return [self.value(child, depth + 1) for child in node.children]
        if tag == "DCT":
            return self.dictionary(node, depth)
        return self.unknown(node, "a value")

    def unknown(self, node: _Node, where: str) -> Unknown:
        if self.strict:
            raise self.error(node, f"unknown CLIXML element <{node.tag}> where {where} was expected")
        return Unknown(node.tag, node.text, node.line, node.column)

    def attr(self, node: _Node, name: str) -> str:
        if name not in node.attrs:
            raise self.error(node, f"<{node.tag}> lacks its {name} attribute")
        return node.attrs[name]

    def obj(self, node: _Node, depth: int) -> PSObject:
        obj = PSObject(ref_id=node.attrs.get("RefId"))
        if obj.ref_id is not None:
            self.objects[obj.ref_id] = obj  # registered first: a <Ref> inside may point back
        has_value = False
        for child in node.children:
            tag = child.tag
            if tag == "TN":
                names = tuple(decode_string(t.text) for t in child.children if t.tag == "T")
                if any(t.tag != "T" for t in child.children):
                    self.unknown(next(t for t in child.children if t.tag != "T"), "a <T> type name")
                if "RefId" in child.attrs:
                    self.type_names[child.attrs["RefId"]] = names
                obj.type_names = names
            elif tag == "TNRef":
                ref = self.attr(child, "RefId")
                if ref not in self.type_names:
                    raise self.error(child, f"<TNRef RefId=\"{ref}\"> points to no earlier <TN>")
                obj.type_names = self.type_names[ref]
            elif tag == "ToString":
                obj.to_string = decode_string(child.text)
            elif tag in ("Props", "MS"):
                self.members(child, obj.adapted if tag == "Props" else obj.extended, depth)
            else:
                if has_value:
                    raise self.error(child, f"a second value <{tag}> in one <Obj>")
                obj.value = self.value(child, depth + 1)
                has_value = True
        return obj

    def members(self, node: _Node, into: dict[str, Any], depth: int) -> None:
        for child in node.children:
            name = decode_string(self.attr(child, "N"))
            into[name] = self.value(child, depth + 1)

    def dictionary(self, node: _Node, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for entry in node.children:
            if entry.tag != "En":
                self.unknown(entry, "an <En> dictionary entry")
                continue
            parts = {c.attrs.get("N"): c for c in entry.children}
            if "Key" not in parts or "Value" not in parts:
                raise self.error(entry, "<En> needs one child N=\"Key\" and one N=\"Value\"")
            key = self.value(parts["Key"], depth + 1)
            try:
                hash(key)
            except TypeError:
                key = str(plain_value(key))
            result[key] = self.value(parts["Value"], depth + 1)
        return result

    def document(self, root: _Node) -> list[Any]:
        if root.tag != "Objs":
            raise self.error(root, f"not a CLIXML export: the root element is <{root.tag}>, not <Objs>")
        return [self.value(child) for child in root.children]


def _load(path_or_text: str | bytes | Path) -> tuple[str | bytes, str]:
    if isinstance(path_or_text, bytes):
        return path_or_text, SOURCE
    if isinstance(path_or_text, str) and (
            "<" in path_or_text or "\n" in path_or_text or "\0" in path_or_text
            or not path_or_text.strip() or len(path_or_text) > 4096):
        return path_or_text.lstrip("\ufeff"), SOURCE
    path = Path(path_or_text)
    return path.read_bytes(), path.name


def read(path_or_text: str | bytes | Path, *, strict: bool = True) -> list[Any]:
    """Read an ``Export-Clixml`` file (a path, its text or its bytes) into its top-level objects.

    Each ``<Obj>`` becomes a :class:`PSObject`; a bare primitive at the top (``Export-Clixml``
    of a string) stays a plain Python value.

    >>> [o["bindingInformation"] for o in read('''<Objs Version="1.1.0.1"
    ...   xmlns="http://schemas.microsoft.com/powershell/2004/04"><Obj RefId="0">
    ...   <MS><S N="protocol">https</S><S N="bindingInformation">*:444:</S></MS></Obj></Objs>''')]
    ['*:444:']
    """
    data, source = _load(path_or_text)
    return _Reader(source, strict, data).document(_parse_xml(data, source))


def to_frame(objs: Iterable[Any], columns: Iterable[str] | None = None, *,
             join: str | None = None):
    """Flatten objects into a DataFrame: one row per object, one column per property.

    ``columns`` picks and orders the columns (a missing property gives ``None``); by default
    every property that any object has, in first-seen order. Collection values stay lists
    unless ``join`` is a separator to join them with.

    >>> objs = read('''<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">
    ...   <Obj RefId="0"><Props><S N="Name">owa</S><Obj N="Auth" RefId="1"><LST><S>Basic</S>
    ...   <S>Fba</S></LST></Obj></Props></Obj></Objs>''')
    >>> to_frame(objs, join=", ").to_dict("records")
    [{'Name': 'owa', 'Auth': 'Basic, Fba'}]
    """
    import pandas as pd

    records = []
    for obj in objs:
        if isinstance(obj, PSObject):
            record = obj.to_record()
        else:
            record = {"Value": plain_value(obj)}
        if join is not None:
            record = {k: join.join(map(str, v)) if isinstance(v, list) else v for k, v in record.items()}
        records.append(record)
    if columns is None:
        names: dict[str, None] = {}
        for record in records:
            names.update(dict.fromkeys(record))
        columns = list(names)
    columns = list(columns)
    rows = [[record.get(c) for c in columns] for record in records]
    return pd.DataFrame(rows, columns=columns, dtype=object)
