"""Objects that flow through a pipeline, and the views PowerShell formats them with.

A :class:`PSObject` is an ordered set of properties with a type name; a view says how the
console shows it by default (a table with fixed columns, or a list).

>>> o = PSObject("Demo", {"Name": "W3SVC", "Status": "Running"})
>>> o["name"]
'W3SVC'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Column:
    header: str
    prop: str | Callable[["PSObject"], object]
    width: int | None = None          # None = as wide as the widest value
    align: str = "left"


@dataclass(frozen=True)
class TableView:
    columns: tuple[Column, ...]
    wrap: bool = False
    group: Callable[["PSObject"], str] | None = None   # group header text, e.g. "    Directory: C:\\"


@dataclass(frozen=True)
class ListView:
    props: tuple[str, ...] | None = None   # None = every property


class PSObject:
    """A pipeline object: ordered properties (case-insensitive access), a type name and a view."""

    __slots__ = ("type_name", "props", "view", "text", "source")

    def __init__(self, type_name: str, props: dict, view=None, text: str | None = None, source=None):
        self.type_name = type_name
        self.props = props
        self.view = view
        self.text = text          # what the object looks like when turned into a string
        self.source = source      # the model object behind it, for commands that act on it

    def _key(self, name: str) -> str | None:
        if name in self.props:
            return name
        low = name.lower()
        return next((k for k in self.props if k.lower() == low), None)

    def __getitem__(self, name: str):
        k = self._key(name)
        if k is None:
            raise KeyError(name)
        return self.props[k]

    def get(self, name: str, default=None):
        k = self._key(name)
        return self.props[k] if k is not None else default

    def has(self, name: str) -> bool:
        return self._key(name) is not None

    def __repr__(self) -> str:
        return f"PSObject({self.type_name!r}, {self.props!r})"

    def __str__(self) -> str:
        return self.text if self.text is not None else self.type_name


def prop_value(obj, prop) -> object:
    if callable(prop):
        return prop(obj)
    if isinstance(obj, PSObject):
        return obj.get(prop)
    if isinstance(obj, str) and prop.lower() == "length":
        return len(obj)
    return None


def display(value) -> str:
    """How the console shows a single property value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (list, tuple)):
        return "{" + ", ".join(display(v) for v in value) + "}"
    return str(value)
