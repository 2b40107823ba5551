"""Pipeline utilities: formatting, selecting, filtering, files and comparing listings."""
from __future__ import annotations

import re

from casl.errors import LabError
from casl.shell.conditions import COMPARE, ConditionError, compare, compile_condition
from casl.shell.format import FormattedText, default_table_view, format_list, format_table, formatted_lines
from casl.shell.objects import Column, PSObject, TableView, display
from casl.shell.registry import REGISTRY, Param, command
from casl.shell.session import ScriptBlock

UTIL = "Microsoft.PowerShell.Utility"
MGMT = "Microsoft.PowerShell.Management"


def _props_of(objs: list) -> list[str]:
    seen: list[str] = []
    for o in objs:
        if isinstance(o, PSObject):
            for k in o.props:
                if k.lower() not in (s.lower() for s in seen):
                    seen.append(k)
    return seen


def _expand_props(objs: list, wanted: list[str] | None) -> list[str] | None:
    if not wanted:
        return None
    out: list[str] = []
    for w in wanted:
        if "*" in w or "?" in w:
            rx = re.compile("^" + re.escape(w).replace(r"\*", ".*").replace(r"\?", ".") + "$", re.I)
            out += [p for p in _props_of(objs) if rx.match(p) and p not in out]
        else:
            out.append(w)
    return out


@command("Format-List", aliases=("fl",), module=UTIL, params=[
    Param("Property", "strings", position=0), Param("InputObject", "object", pipeline=True)],
    net_class="Microsoft.PowerShell.Commands.FormatListCommand")
def format_list_cmd(ctx, args, items):
    """Show each object as a list of properties."""
    items = items or ([args["InputObject"]] if "InputObject" in args else [])
    props = _expand_props(items, args.get("Property"))
    if props is None and args.get("Property") is None:
        props = None
    text = format_list(items, props)
    return [FormattedText("\n" + text + "\n\n")] if text else []


@command("Format-Table", aliases=("ft",), module=UTIL, params=[
    Param("Property", "strings", position=0), Param("AutoSize", "switch"), Param("Wrap", "switch"),
    Param("HideTableHeaders", "switch"), Param("InputObject", "object", pipeline=True)],
    net_class="Microsoft.PowerShell.Commands.FormatTableCommand")
def format_table_cmd(ctx, args, items):
    """Show objects as a table."""
    items = items or ([args["InputObject"]] if "InputObject" in args else [])
    objs = [o for o in items if isinstance(o, PSObject)]
    if not objs:
        return [FormattedText("\n".join(map(str, items)) + "\n")] if items else []
    props = _expand_props(objs, args.get("Property"))
    if props is None and isinstance(objs[0].view, TableView):
        view = objs[0].view
        if args.get("Wrap"):
            view = TableView(view.columns, True, view.group)
    else:
        view = default_table_view(objs, props)
        if args.get("Wrap"):
            view = TableView(view.columns, True)
    text = format_table(objs, view, autosize=bool(args.get("AutoSize")))
    if args.get("HideTableHeaders"):
        text = "\n".join(text.split("\n")[2:])
    return [FormattedText("\n" + text + "\n\n")]


@command("Select-Object", aliases=("select",), module=UTIL, params=[
    Param("Property", "strings", position=0), Param("First", "int"), Param("Last", "int"), Param("Skip", "int"),
    Param("ExpandProperty", "string"), Param("Unique", "switch"), Param("InputObject", "object", pipeline=True)],
    net_class="Microsoft.PowerShell.Commands.SelectObjectCommand")
def select_object(ctx, args, items):
    """Pick properties, or the first/last few objects."""
    items = list(items)
    if args.get("Skip"):
        items = items[args["Skip"]:]
    if "First" in args:
        items = items[:max(args["First"], 0)]
    if "Last" in args:
        items = items[-args["Last"]:] if args["Last"] > 0 else []
    if args.get("ExpandProperty"):
        name = args["ExpandProperty"]
        out = []
        for o in items:
            if not (isinstance(o, PSObject) and o.has(name)):
                ctx.error(f"Property \"{name}\" cannot be found.", category="InvalidArgument",
                          target=str(o), exception="PSArgumentException", error_id="ExpandPropertyNotFound",
                          target_type=type(o).__name__)
                continue
            v = o.get(name)
            out.extend(v if isinstance(v, list) else [v])
        return out
    props = _expand_props(items, args.get("Property"))
    if props:
        out = []
        for o in items:
            if isinstance(o, PSObject):
                out.append(PSObject("Selected." + o.type_name, {p: o.get(p) for p in props}, source=o.source))
            else:
                out.append(PSObject("Selected.System.String", {p: (len(o) if p.lower() == "length" else None)
                                                               for p in props}))
        items = out
    if args.get("Unique"):
        seen, uniq = set(), []
        for o in items:
            key = repr(o.props) if isinstance(o, PSObject) else repr(o)
            if key not in seen:
                seen.add(key)
                uniq.append(o)
        items = uniq
    return items


_OPS = [Param(op.upper() if len(op) == 2 else op.capitalize().replace("not", "Not"), "switch") for op in COMPARE
        if op not in ("like", "notlike", "match", "notmatch", "contains", "notcontains", "in", "notin")]
_OPS += [Param(n, "switch") for n in ("Like", "NotLike", "Match", "NotMatch", "Contains", "NotContains", "In",
                                      "NotIn")]


@command("Where-Object", aliases=("where", "?"), module=MGMT, params=[
    Param("FilterScript", "object", position=0), Param("Value", "object", position=1), Param("Property", "string"),
    Param("InputObject", "object", pipeline=True), *_OPS],
    net_class="Microsoft.PowerShell.Commands.WhereObjectCommand")
def where_object(ctx, args, items):
    """Keep the objects that match: ``{ $_.Port -eq 444 }`` or ``Port -eq 444``."""
    flt = args.get("FilterScript")
    if isinstance(flt, ScriptBlock):
        try:
            cond = compile_condition(flt.text)
        except ConditionError as exc:
            tok = ctx.token("FilterScript")
            ctx.error(str(exc), category="ParserError", exception="ParseException", error_id="UnexpectedToken",
                      token=tok, terminating=True)
        return [o for o in items if cond(o)]
    prop = args.get("Property") or (str(flt) if flt is not None else None)
    if prop is None:
        return list(items)
    op = next((p.name for p in _OPS if args.get(p.name)), None)
    value = args.get("Value")
    if op is None:
        return [o for o in items if isinstance(o, PSObject) and o.get(prop)]
    return [o for o in items if isinstance(o, PSObject) and compare(op.lower(), o.get(prop), value)]


@command("Sort-Object", aliases=("sort",), module=UTIL, params=[
    Param("Property", "strings", position=0), Param("Descending", "switch"), Param("Unique", "switch"),
    Param("InputObject", "object", pipeline=True)], net_class="Microsoft.PowerShell.Commands.SortObjectCommand")
def sort_object(ctx, args, items):
    """Sort objects by one or more properties (or strings by their text)."""
    props = args.get("Property") or []

    def key(o):
        if not props or not isinstance(o, PSObject):
            return [(0, str(o).lower())]
        out = []
        for p in props:
            v = o.get(p)
            out.append((0, v) if isinstance(v, (int, float)) and not isinstance(v, bool) else (1, display(v).lower()))
        return out
    out = sorted(items, key=key, reverse=bool(args.get("Descending")))
    if args.get("Unique"):
        seen, uniq = set(), []
        for o in out:
            k = repr(key(o))
            if k not in seen:
                seen.add(k)
                uniq.append(o)
        out = uniq
    return out


@command("Out-File", module=UTIL, changes_state=True, params=[
    Param("FilePath", "string", position=0, mandatory=True, aliases=("Path",)), Param("Append", "switch"),
    Param("Encoding", "string", position=1), Param("Width", "int"), Param("NoClobber", "switch"),
    Param("Force", "switch"), Param("InputObject", "object", pipeline=True)],
    net_class="Microsoft.PowerShell.Commands.OutFileCommand")
def out_file(ctx, args, items):
    """Write the formatted output to a file on the server."""
    path = args["FilePath"]
    try:
        server, local = ctx.shell.locate_file(path)
    except LabError:                 # not a share the lab has: write_file reports it as Windows does
        server, local = None, path
    if args.get("NoClobber") and server is not None and server.fs.exists(local) and not args.get("Append"):
        ctx.error(f"The file '{path}' already exists.", category="ResourceExists", target=path,
                  exception="IOException", error_id="NoClobber", terminating=True)
    lines = formatted_lines(items)
    ctx.shell.write_file(path, "\n".join(lines) + ("\n" if lines else ""), append=bool(args.get("Append")),
                         token=ctx.token("FilePath"))
    return []


@command("Out-String", module=UTIL, params=[Param("Stream", "switch"), Param("Width", "int"),
                                             Param("InputObject", "object", pipeline=True)])
def out_string(ctx, args, items):
    """Turn objects into the text the console would show."""
    lines = formatted_lines(items)
    return lines if args.get("Stream") else ["\n".join(lines)]


@command("Out-Null", module=UTIL, params=[Param("InputObject", "object", pipeline=True)])
def out_null(ctx, args, items):
    """Swallow the pipeline's output (the objects are still produced, so their side effects happen)."""
    return []


@command("Get-Content", aliases=("gc", "type", "cat"), module=MGMT, params=[
    Param("Path", "strings", position=0, mandatory=True, aliases=("FullName", "PSPath")),
    Param("TotalCount", "int", aliases=("Head", "First")), Param("Tail", "int", aliases=("Last",)),
    Param("Encoding", "string")], net_class="Microsoft.PowerShell.Commands.GetContentCommand")
def get_content(ctx, args, items):
    """Read a text file on the server: one string per line."""
    out: list[str] = []
    for p in args["Path"]:
        try:
            server, path = ctx.shell.locate_file(p)
        except LabError:
            server, path = None, p
        try:
            if server is None:
                raise FileNotFoundError(p)
            text = server.fs.read(path)
        except FileNotFoundError:
            path = p if str(p).startswith("\\\\") else path
            ctx.error(f"Cannot find path '{path}' because it does not exist.", category="ObjectNotFound",
                      target=path, exception="ItemNotFoundException", error_id="PathNotFound",
                      token=ctx.token("Path"))
            continue
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if "TotalCount" in args:
            lines = lines[:args["TotalCount"]]
        if "Tail" in args:
            lines = lines[-args["Tail"]:] if args["Tail"] else []
        out.extend(lines)
    return out


COMPARE_VIEW = TableView((Column("InputObject", "InputObject", 59), Column("SideIndicator", "SideIndicator", None)))


@command("Compare-Object", aliases=("compare", "diff"), module=UTIL, params=[
    Param("ReferenceObject", "objects", position=0, mandatory=True),
    Param("DifferenceObject", "objects", position=1, mandatory=True), Param("IncludeEqual", "switch"),
    Param("ExcludeDifferent", "switch"), Param("Property", "strings")],
    net_class="Microsoft.PowerShell.Commands.CompareObjectCommand")
def compare_object(ctx, args, items):
    """Compare two listings: ``=>`` only in the difference, ``<=`` only in the reference."""
    def as_list(name):
        v = args[name]
        if v is None:
            ctx.error(f"Cannot bind argument to parameter '{name}' because it is null.", category="InvalidData",
                      exception="ParameterBindingValidationException",
                      error_id="ParameterArgumentValidationErrorNullNotAllowed", token=ctx.token(name),
                      terminating=True)
        return v if isinstance(v, list) else [v]
    ref, dif = as_list("ReferenceObject"), as_list("DifferenceObject")
    props = args.get("Property")

    def key(o):
        if props and isinstance(o, PSObject):
            return tuple(display(o.get(p)).lower() for p in props)
        return display(o).lower() if not isinstance(o, PSObject) else repr(sorted(o.props.items()))
    ref_keys = [key(o) for o in ref]
    dif_keys = [key(o) for o in dif]
    out = []
    def row(o, side):
        if props and isinstance(o, PSObject):
            d = {p: o.get(p) for p in props}
        else:
            d = {"InputObject": o}
        d["SideIndicator"] = side
        return PSObject("casl.CompareResult", d, COMPARE_VIEW if not props else None)
    # Each item pairs with at most one equal item on the other side, as PowerShell matches them:
    # seventeen "state : Started" lines against sixteen leave one of them unmatched.
    unmatched_ref = list(range(len(ref)))
    equal, only_dif = [], []
    for o, k in zip(dif, dif_keys):
        hit = next((i for i in unmatched_ref if ref_keys[i] == k), None)
        if hit is None:
            only_dif.append(o)
        else:
            unmatched_ref.remove(hit)
            equal.append(ref[hit])
    if args.get("IncludeEqual"):
        out += [row(o, "==") for o in equal]
    if not args.get("ExcludeDifferent"):
        out += [row(o, "=>") for o in only_dif]
        out += [row(ref[i], "<=") for i in unmatched_ref]
    return out


@command("findstr", native=True)
def findstr(ctx, args, items):
    """findstr.exe over the pipeline's text (or files): /i /v /n /l /r /c:"text"."""
    opts, patterns, files = set(), [], []
    for a in args["args"]:
        low = a.lower()
        if low.startswith("/c:"):
            patterns.append(a[3:])
        elif re.fullmatch(r"/[ivnlrxbe]+", low):
            opts.update(low[1:])
        elif patterns or any(p for p in patterns):
            files.append(a)
        else:
            patterns.extend(a.split(" ") if a else [])
    if not patterns:
        return ["FINDSTR: Bad command line"]
    lines = formatted_lines(items) if not files else []
    for f in files:
        try:
            lines += ctx.server.fs.read(ctx.shell.resolve_fs_path(f)).split("\n")
        except FileNotFoundError:
            return [f"FINDSTR: Cannot open {f}"]
    flags = re.I if "i" in opts else 0
    def rx(p):
        if "l" in opts:
            return re.compile(re.escape(p), flags)
        # findstr's small regular-expression language: . * ^ $ [class]; everything else is literal.
        out = "".join(ch if ch in ".*^$[]" else re.escape(ch) for ch in p)
        try:
            return re.compile(out, flags)
        except re.error:
            return re.compile(re.escape(p), flags)
    rxs = [rx(p) for p in patterns]
    out = []
    for n, line in enumerate(lines, 1):
        hit = any(r.search(line) for r in rxs)
        if "x" in opts:
            hit = any(r.fullmatch(line) for r in rxs)
        if hit != ("v" in opts):
            out.append(f"{n}:{line}" if "n" in opts else line)
    return out


@command("Write-Output", aliases=("echo", "write"), module=UTIL, params=[
    Param("InputObject", "objects", position=0, pipeline=True)])
def write_output(ctx, args, items):
    """Send objects down the pipeline."""
    return items + list(args.get("InputObject") or [])


@command("Write-Host", module=UTIL, params=[Param("Object", "objects", position=0)])
def write_host(ctx, args, items):
    """Print text to the console."""
    return [FormattedText(" ".join(display(o) for o in (args.get("Object") or [])) + "\n")]


@command("Measure-Object", aliases=("measure",), module=UTIL, params=[
    Param("Property", "strings", position=0), Param("Sum", "switch"), Param("Average", "switch"),
    Param("Maximum", "switch"), Param("Minimum", "switch"), Param("InputObject", "object", pipeline=True)])
def measure_object(ctx, args, items):
    """Count objects (and sum a numeric property)."""
    prop = (args.get("Property") or [None])[0]
    vals = [o.get(prop) for o in items if isinstance(o, PSObject)] if prop else []
    nums = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return [PSObject("Microsoft.PowerShell.Commands.GenericMeasureInfo", {
        "Count": len(items), "Average": (sum(nums) / len(nums)) if args.get("Average") and nums else None,
        "Sum": sum(nums) if args.get("Sum") and nums else None,
        "Maximum": max(nums) if args.get("Maximum") and nums else None,
        "Minimum": min(nums) if args.get("Minimum") and nums else None, "Property": prop})]


@command("Clear-Host", aliases=("cls", "clear"), module=MGMT)
def clear_host(ctx, args, items):
    """Clear the screen (nothing to do in a notebook)."""
    return []


MODULES = {"webadministration": ("Manifest", "1.0.0.0", "WebAdministration")}
MODULE_VIEW = TableView((Column("ModuleType", "ModuleType", 10), Column("Version", "Version", 10),
                         Column("Name", "Name", 35), Column("ExportedCommands", "ExportedCommands", None)))


@command("Import-Module", aliases=("ipmo",), module="Microsoft.PowerShell.Core", params=[
    Param("Name", "strings", position=0, mandatory=True), Param("Force", "switch")],
    net_class="Microsoft.PowerShell.Commands.ImportModuleCommand")
def import_module(ctx, args, items):
    """Load a module (WebAdministration gives the IIS: drive and the Web cmdlets)."""
    for name in args["Name"]:
        if name.lower() in MODULES:
            ctx.shell.modules.add(name.lower())
        else:
            ctx.error(f"The specified module '{name}' was not loaded because no valid module file was found in "
                      f"any module directory.", category="ResourceUnavailable", target=name,
                      exception="FileNotFoundException", error_id="Modules_ModuleNotFound", token=ctx.token("Name"))
    return []


@command("Get-Module", aliases=("gmo",), module="Microsoft.PowerShell.Core", params=[
    Param("Name", "strings", position=0), Param("ListAvailable", "switch")])
def get_module(ctx, args, items):
    """List loaded modules (or the ones that could be loaded)."""
    names = MODULES if args.get("ListAvailable") else [m for m in sorted(ctx.shell.modules)]
    out = []
    for key in names:
        kind, ver, name = MODULES[key]
        cmds = sorted(s.name for s in REGISTRY.values() if s.module.lower() == key)
        out.append(PSObject("System.Management.Automation.PSModuleInfo", {
            "ModuleType": kind, "Version": ver, "Name": name, "ExportedCommands": cmds[:4] and
            "{" + ", ".join(cmds[:4]) + "...}"}, MODULE_VIEW))
    return out


COMMAND_VIEW = TableView((Column("CommandType", "CommandType", 15), Column("Name", "Name", 50),
                          Column("ModuleName", "ModuleName", None)))


@command("Get-Command", aliases=("gcm",), module="Microsoft.PowerShell.Core", params=[
    Param("Name", "strings", position=0), Param("Module", "strings"), Param("Verb", "strings"),
    Param("Noun", "strings")])
def get_command(ctx, args, items):
    """List the commands this lab's shell knows."""
    import fnmatch
    out = []
    for spec in sorted(REGISTRY.values(), key=lambda s: s.name.lower()):
        if spec.name.startswith("["):   # .NET calls such as [System.IO.File]::ReadAllBytes are not commands
            continue
        verb, _, noun = spec.name.partition("-")
        if args.get("Name") and not any(fnmatch.fnmatch(spec.name.lower(), n.lower()) for n in args["Name"]):
            continue
        if args.get("Module") and spec.module.lower() not in (m.lower() for m in args["Module"]):
            continue
        if args.get("Verb") and not any(fnmatch.fnmatch(verb.lower(), v.lower()) for v in args["Verb"]):
            continue
        if args.get("Noun") and not any(fnmatch.fnmatch(noun.lower(), v.lower()) for v in args["Noun"]):
            continue
        out.append(PSObject("System.Management.Automation.CmdletInfo", {
            "CommandType": "Application" if spec.native else "Cmdlet",
            "Name": spec.name + (".exe" if spec.native else ""), "ModuleName": "" if spec.native else spec.module},
            COMMAND_VIEW))
    return out
