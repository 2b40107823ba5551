"""The comparisons ``Where-Object`` understands: ``$_.Port -eq 444 -and $_.protocol -like 'http*'``.

>>> from casl.shell.objects import PSObject
>>> ok = compile_condition("$_.Port -eq 444")
>>> ok(PSObject("T", {"Port": 444})), ok(PSObject("T", {"Port": 443}))
(True, False)
"""
from __future__ import annotations

import fnmatch
import re
from typing import Callable

from casl.shell.objects import PSObject

_TOKEN = re.compile(r"""\s*(?:
    (?P<str>'(?:[^']|'')*'|"(?:[^"`]|`.)*")
  | (?P<op>-(?:not)?(?:eq|ne|gt|ge|lt|le|like|notlike|match|notmatch|contains|notcontains|in|notin|and|or|not)\b)
  | (?P<bang>!)
  | (?P<lp>\()
  | (?P<rp>\))
  | (?P<var>\$_(?:\.[A-Za-z_][\w-]*)*|\$(?:true|false|null)\b)
  | (?P<num>-?\d+(?:\.\d+)?\b)
  | (?P<word>[^\s()'"]+)
)""", re.X | re.I)

COMPARE = ("eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch", "contains",
           "notcontains", "in", "notin")


class ConditionError(ValueError):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out, i = [], 0
    while i < len(text):
        if text[i:].strip() == "":
            break
        m = _TOKEN.match(text, i)
        if not m or m.end() == i:
            raise ConditionError(f"Unexpected token '{text[i:].strip()[:20]}' in expression or statement.", i)
        kind = m.lastgroup
        out.append((kind, m.group(kind), m.start(kind)))
        i = m.end()
    return out


def _literal(kind: str, text: str):
    if kind == "str":
        return text[1:-1].replace("''", "'") if text[0] == "'" else text[1:-1]
    if kind == "num":
        return float(text) if "." in text else int(text)
    low = text.lower()
    return {"$true": True, "$false": False, "$null": None}.get(low, text)


def _coerce(left, right):
    """PowerShell converts the right operand to the left one's type."""
    if isinstance(left, bool):
        return left, bool(right)
    if isinstance(left, (int, float)) and isinstance(right, str):
        try:
            return left, type(left)(right)
        except ValueError:
            return str(left), right
    if isinstance(left, str) and not isinstance(right, str) and right is not None:
        return left, str(right) if not isinstance(right, bool) else str(right)
    return left, right


def compare(op: str, left, right) -> bool:
    op = op.lower()
    if isinstance(left, list) and op in ("eq", "ne", "like", "notlike", "match", "notmatch"):
        return any(compare(op, x, right) for x in left)
    if op in ("contains", "notcontains"):
        items = left if isinstance(left, list) else [left]
        hit = any(compare("eq", x, right) for x in items)
        return hit if op == "contains" else not hit
    if op in ("in", "notin"):
        return compare("contains" if op == "in" else "notcontains", right, left)
    if op in ("like", "notlike"):
        hit = fnmatch.fnmatchcase(str(left if left is not None else "").lower(), str(right).lower())
        return hit if op == "like" else not hit
    if op in ("match", "notmatch"):
        try:
            hit = re.search(str(right), str(left if left is not None else ""), re.I) is not None
        except re.error:
            hit = False
        return hit if op == "match" else not hit
    left, right = _coerce(left, right)
    if isinstance(left, str) and isinstance(right, str):
        left, right = left.lower(), right.lower()
    if op == "eq":
        return left == right
    if op == "ne":
        return left != right
    try:
        return {"gt": left > right, "ge": left >= right, "lt": left < right, "le": left <= right}[op]
    except TypeError:
        return False


def _get(obj, path: str):
    val = obj
    for part in path.split(".")[1:]:
        if isinstance(val, PSObject):
            val = val.get(part)
        elif isinstance(val, str) and part.lower() == "length":
            val = len(val)
        else:
            return None
    return val


def compile_condition(text: str) -> Callable[[object], bool]:
    """Compile a script block's condition into a function of ``$_``."""
    toks = _tokens(text)
    pos = 0

    def peek():
        return toks[pos] if pos < len(toks) else None

    def operand():
        nonlocal pos
        t = peek()
        if t is None:
            raise ConditionError("Missing expression.", len(text))
        pos += 1
        kind, val, off = t
        if kind == "var" and val.startswith("$_"):
            return lambda o, v=val: _get(o, v)
        if kind in ("str", "num", "var", "word"):
            lit = _literal(kind, val)
            return lambda o, x=lit: x
        if kind == "lp":
            f = disjunction()
            if peek() is None or peek()[0] != "rp":
                raise ConditionError("Missing closing ')' in expression.", off)
            pos += 1
            return f
        raise ConditionError(f"Unexpected token '{val}' in expression or statement.", off)

    def term():
        nonlocal pos
        t = peek()
        if t and (t[0] == "bang" or (t[0] == "op" and t[1].lower() == "-not")):
            pos += 1
            inner = term()
            return lambda o: not inner(o)
        left = operand()
        t = peek()
        if t and t[0] == "op" and t[1][1:].lower() in COMPARE:
            pos += 1
            right = operand()
            op = t[1][1:]
            return lambda o: compare(op, left(o), right(o))
        return lambda o: bool(left(o))

    def conjunction():
        nonlocal pos
        f = term()
        while peek() and peek()[0] == "op" and peek()[1].lower() == "-and":
            pos += 1
            g, h = f, term()
            f = lambda o, g=g, h=h: g(o) and h(o)
        return f

    def disjunction():
        nonlocal pos
        f = conjunction()
        while peek() and peek()[0] == "op" and peek()[1].lower() == "-or":
            pos += 1
            g, h = f, conjunction()
            f = lambda o, g=g, h=h: g(o) or h(o)
        return f

    if not toks:
        return lambda o: True
    fn = disjunction()
    if pos < len(toks):
        raise ConditionError(f"Unexpected token '{toks[pos][1]}' in expression or statement.", toks[pos][2])
    return fn
