"""Put a working server's settings beside a broken one's, one row per property.

Either side can be what the readers return (records from :func:`casl.parse.formatlist.parse`,
:class:`~casl.parse.clixml.PSObject` values from :func:`casl.parse.clixml.read`), a single
record or object, or a DataFrame; the two sides need not come from the same reader, since
values are compared by what PowerShell would print (``True`` equals ``"True"``, a list equals a
list of the same strings).

Properties that differ between any two servers however healthy (names, GUIDs, timestamps, see
:data:`SERVER_SPECIFIC`) are left out by default, so what remains points at the fault; pass
``ignore=()`` to see them too.

>>> good = {"Name": "owa (Default Web Site)", "Server": "EX01", "FormsAuthentication": True,
...         "InternalUrl": "https://mail.contoso.com/owa"}
>>> bad = {"Name": "owa (Default Web Site)", "Server": "EX02", "FormsAuthentication": False,
...        "InternalUrl": "https://mail.contoso.com/owa"}
>>> side_by_side(good, bad, only_differences=True).to_dict("records")
[{'property': 'FormsAuthentication', 'good': True, 'broken': False, 'differs': True}]
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable

# Differ between two healthy servers by construction; compared only when asked (ignore=()).
SERVER_SPECIFIC: tuple[str, ...] = (
    "Server", "ServerName", "Identity", "Id", "Guid", "DistinguishedName", "OriginatingServer",
    "MetabasePath", "WhenChanged", "WhenCreated", "WhenChangedUTC", "WhenCreatedUTC",
    "PSComputerName", "RunspaceId",
)

# what an absent property looks like in the table (distinct from an empty value, None)
MISSING = "(not listed)"


def _records(side: Any) -> list[dict[str, Any]]:
    from casl.parse.clixml import PSObject, plain_value

    if hasattr(side, "to_dict") and hasattr(side, "columns"):  # a DataFrame
        import pandas as pd

        return [{k: (None if _is_na(v, pd) else v) for k, v in row.items()}
                for row in side.to_dict("records")]
    if isinstance(side, (dict, PSObject)):
        side = [side]
    records = []
    for item in side:
        if isinstance(item, PSObject):
            records.append(item.to_record())
        elif isinstance(item, dict):
            # a Format-List PSList passes as it is: its truncated flag matters to _same
            records.append({k: v if isinstance(v, list) and not any(isinstance(i, PSObject) for i in v)
                            else plain_value(v) for k, v in item.items()})
        else:
            raise TypeError(f"cannot compare a {type(item).__name__}: give records (dicts), "
                            "PSObjects or a DataFrame")
    return records


def _is_na(value: Any, pd) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays are never NA as a whole
        return False


def _collection(value: Any) -> Any:
    """A raw Format-List ``{a, b}`` string becomes the list it stands for; anything else stays."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        from casl.parse.formatlist import convert_value

        return convert_value(value)
    return value


def _canonical(value: Any) -> Any:
    """What PowerShell would print, so values from different readers compare equal."""
    value = _collection(value)
    if value is None or value == "":
        return None
    if isinstance(value, (list, tuple)):
        return tuple(_canonical(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _same(a: Any, b: Any) -> bool:
    """Equal as printed; a collection Format-List cut short (``{a, b, c, d...}``) equals any
    collection that starts with the items it shows."""
    ca, cb = _canonical(a), _canonical(b)
    cut_a = getattr(_collection(a), "truncated", False)
    cut_b = getattr(_collection(b), "truncated", False)
    if isinstance(ca, tuple) and isinstance(cb, tuple):
        if cut_a and cut_b:
            shown = min(len(ca), len(cb))
            return ca[:shown] == cb[:shown]
        if cut_a:
            return cb[:len(ca)] == ca
        if cut_b:
            return ca[:len(cb)] == cb
    return ca == cb


def _lookup(record: dict[str, Any], name: str) -> str | None:
    """The record's spelling of a property name (PowerShell names ignore case)."""
    if name in record:
        return name
    folded = name.casefold()
    return next((k for k in record if k.casefold() == folded), None)


def _pairs(good: list[dict], bad: list[dict], key: str | None) -> list[tuple[Any, dict | None, dict | None]]:
    if key is None:
        count = max(len(good), len(bad))
        return [(i, good[i] if i < len(good) else None, bad[i] if i < len(bad) else None)
                for i in range(count)]
    by_key: dict[Any, list] = {}
    for index, records in ((0, good), (1, bad)):
        for record in records:
            name = _lookup(record, key)
            if name is None:
                raise KeyError(f"a record has no {key!r} property to match on; "
                               f"it has {', '.join(list(record)[:8])}...")
            slot = by_key.setdefault(_canonical(record[name]), [record[name], None, None])
            if slot[index + 1] is not None:
                raise ValueError(f"two records on one side share {key} = {record[name]!r}; "
                                 "choose a key that is unique")
            slot[index + 1] = record
    return [tuple(slot) for slot in by_key.values()]


def side_by_side(good: Any, bad: Any, key: str | None = None, names: tuple[str, str] = ("good", "broken"),
                 *, only_differences: bool = False, ignore: Iterable[str] = SERVER_SPECIFIC):
    """Compare two servers' settings: one row per property, a column per side and ``differs``.

    With several records per side, ``key`` names the property that pairs them (``"Name"``
    pairs ``owa (Default Web Site)`` with ``owa (Default Web Site)``); without it records pair
    by position. The table then starts with a column holding the key (or ``record``, the
    position). A property one side does not list shows :data:`MISSING` and counts as differing.

    >>> good = [{"protocol": "https", "bindingInformation": "*:444:", "certificateHash": "12FD"}]
    >>> bad = [{"protocol": "https", "bindingInformation": "*:444:", "certificateHash": ""}]
    >>> table = side_by_side(good, bad, key="bindingInformation", names=("EX01", "EX02"))
    >>> table[table["differs"]].to_dict("records")
    [{'bindingInformation': '*:444:', 'property': 'certificateHash', 'EX01': '12FD', 'EX02': '', 'differs': True}]
    """
    import pandas as pd

    left, right = names
    good_records, bad_records = _records(good), _records(bad)
    key_column = key if key is not None else "record"
    if len({left, right, "property", "differs", key_column}) < 5:
        raise ValueError(f"names {names!r} must differ from each other and from "
                         f"'property', 'differs' and {key_column!r}")
    ignored = {name.casefold() for name in ignore}
    if key is not None:
        ignored.add(key.casefold())
    several = key is not None or len(good_records) > 1 or len(bad_records) > 1

    rows = []
    for key_value, g, b in _pairs(good_records, bad_records, key):
        g, b = g or {}, b or {}
        properties = list(dict.fromkeys([*g, *(p for p in b if _lookup(g, p) is None)]))
        for prop in properties:
            if prop.casefold() in ignored:
                continue
            g_name, b_name = _lookup(g, prop), _lookup(b, prop)
            g_value = g[g_name] if g_name is not None else MISSING
            b_value = b[b_name] if b_name is not None else MISSING
            differs = (g_name is None) != (b_name is None) or not _same(g_value, b_value)
            if only_differences and not differs:
                continue
            row = {key_column: key_value} if several else {}
            row.update({"property": prop, left: g_value, right: b_value, "differs": differs})
            rows.append(row)
    columns = ([key_column] if several else []) + ["property", left, right, "differs"]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    frame["differs"] = frame["differs"].astype(bool)
    return frame
