"""Turning pipeline objects into the text a Windows console shows.

``Format-Table`` and ``Format-List`` layouts, PowerShell's default choice between them, and the
blank lines around them. The console is 120 characters wide, as a Server 2012 R2 console window.

>>> from casl.shell.objects import PSObject
>>> print(format_list([PSObject("T", {"Name": "W3SVC", "Status": "Running"})]).strip())
Name   : W3SVC
Status : Running
"""
from __future__ import annotations

from casl.shell.objects import Column, ListView, PSObject, TableView, display, prop_value

WIDTH = 120


def _cell_lines(text: str, width: int | None, wrap: bool) -> list[str]:
    lines = text.split("\n") if text else [""]
    if width is None:
        return lines
    out: list[str] = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
        elif wrap:
            out.extend(line[i:i + width] for i in range(0, len(line), width))
        else:
            out.append(line[:max(width - 3, 0)] + "...")
    return out if wrap else out[:1]


def format_table(objects: list, view: TableView, *, autosize: bool = False) -> str:
    """A table: header, dashes, rows. Values in a column wider than it wrap or end in '...'."""
    cols = list(view.columns)
    rows = [[display(prop_value(o, c.prop)) for c in cols] for o in objects]
    widths: list[int] = []
    for i, c in enumerate(cols):
        natural = max([len(c.header)] + [max((len(x) for x in r[i].split("\n")), default=0) for r in rows])
        widths.append(natural if (autosize or c.width is None) else c.width)
    # The last column takes what is left of the console, as PowerShell's does.
    used = sum(widths[:-1]) + len(widths) - 1
    if widths and used + widths[-1] > WIDTH - 1:
        widths[-1] = max(WIDTH - 1 - used, len(cols[-1].header))
    def fmt_row(cells: list[str], aligns: list[str]) -> list[str]:
        split = [_cell_lines(x, widths[i], view.wrap) for i, x in enumerate(cells)]
        height = max(len(s) for s in split)
        lines = []
        for h in range(height):
            parts = []
            for i, s in enumerate(split):
                v = s[h] if h < len(s) else ""
                parts.append(v.rjust(widths[i]) if aligns[i] == "right" else v.ljust(widths[i]))
            lines.append(" ".join(parts).rstrip())
        return lines
    aligns = [c.align for c in cols]
    out = fmt_row([c.header for c in cols], aligns)
    out += fmt_row(["-" * len(c.header) for c in cols], aligns)
    for r in rows:
        out += fmt_row(r, aligns)
    return "\n".join(out)


def format_list(objects: list, props: list[str] | None = None) -> str:
    """Format-List: one block per object, labels padded to the longest."""
    blocks = []
    for o in objects:
        if not isinstance(o, PSObject):
            blocks.append(str(o))
            continue
        names = props or (list(o.view.props) if isinstance(o.view, ListView) and o.view.props else list(o.props))
        names = [n for n in names if o.has(n)] if props is None else names
        if not names:
            continue
        pad = max(len(n) for n in names)
        lines = []
        for n in names:
            key = o._key(n) or n
            val = display(o.get(n))
            first, *rest = val.split("\n") if val else [""]
            lines.append(f"{key.ljust(pad)} : {first}".rstrip() if not first else f"{key.ljust(pad)} : {first}")
            lines.extend(" " * (pad + 3) + r for r in rest)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def default_table_view(objects: list[PSObject], props: list[str] | None = None) -> TableView:
    names = props or list(objects[0].props)
    numeric = {n for n in names if all(isinstance(o.get(n), (int, float)) and not isinstance(o.get(n), bool)
                                       for o in objects if o.get(n) is not None)}
    return TableView(tuple(Column(n, n, None, "right" if n in numeric else "left") for n in names))


def out_default(items: list) -> str:
    """What the console prints at the end of a pipeline: PowerShell's default formatting."""
    chunks: list[str] = []
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, FormattedText):
            chunks.append(item.text)
            i += 1
            continue
        if not isinstance(item, PSObject):
            chunks.append((str(item) if not isinstance(item, bool) else ("True" if item else "False")) + "\n")
            i += 1
            continue
        j = i
        while j < len(items) and isinstance(items[j], PSObject) and (
                items[j].type_name == item.type_name or (item.view is not None and items[j].view is item.view)):
            j += 1
        group = items[i:j]
        view = item.view
        if isinstance(view, TableView):
            chunks.append(_grouped_table(group, view))
        elif isinstance(view, ListView) or (view is None and len(item.props) > 4):
            chunks.append("\n" + format_list(group) + "\n\n")
        else:
            chunks.append("\n" + format_table(group, default_table_view(group), autosize=True) + "\n\n")
        i = j
    return _join(chunks)


def _grouped_table(group: list[PSObject], view: TableView) -> str:
    if view.group is None:
        return "\n" + format_table(group, view) + "\n\n"
    out = []
    start = 0
    for k in range(1, len(group) + 1):
        if k == len(group) or view.group(group[k]) != view.group(group[start]):
            out.append("\n" + view.group(group[start]) + "\n\n\n" + format_table(group[start:k], view) + "\n\n")
            start = k
    return "".join(out)


def _join(chunks: list[str]) -> str:
    return "".join(c if c.endswith("\n") else c + "\n" for c in chunks)


class FormattedText:
    """Text that a Format-* cmdlet produced: it passes through Out-Default unchanged."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text


def formatted_lines(items: list) -> list[str]:
    """The lines a pipeline's output becomes when written to a file or piped to findstr."""
    text = out_default(items)
    if not text:
        return []
    lines = text.split("\n")
    return lines[:-1] if lines[-1] == "" else lines
