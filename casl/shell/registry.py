"""The command registry and PowerShell-style parameter binding.

Each command is declared once, with its parameters beside its behaviour::

    @command("Get-WebBinding", module="WebAdministration", params=[
        Param("Name", position=0), Param("Port", type="uint32"), ...])
    def get_web_binding(ctx, args, pipeline_input): ...

Binding follows PowerShell's rules: named parameters by any unique prefix (case-insensitive),
``-Name:value``, switches, positional arguments, the common parameters, and the same error
messages when something does not fit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from casl.shell.errors import PSError
from casl.shell.syntax import Token

COMMON = ("Verbose", "Debug", "ErrorAction", "WarningAction", "ErrorVariable", "WarningVariable",
          "OutVariable", "OutBuffer", "PipelineVariable")
SHOULD_PROCESS = ("WhatIf", "Confirm")
_SWITCH_COMMON = {"verbose", "debug", "whatif", "confirm"}

# .NET type names PowerShell quotes in binding errors.
NET_TYPES = {"string": "System.String", "int": "System.Int32", "uint32": "System.UInt32",
             "strings": "System.String[]", "switch": "System.Management.Automation.SwitchParameter",
             "bool": "System.Boolean", "scriptblock": "System.Management.Automation.ScriptBlock",
             "object": "System.Object", "objects": "System.Object[]", "int64": "System.Int64"}


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "string"
    position: int | None = None
    mandatory: bool = False
    aliases: tuple[str, ...] = ()
    values: tuple[str, ...] = ()       # ValidateSet
    pipeline: bool = False             # takes pipeline input by value


@dataclass
class CommandSpec:
    name: str
    func: Callable
    params: tuple[Param, ...] = ()
    aliases: tuple[str, ...] = ()
    module: str = "Microsoft.PowerShell.Management"
    net_class: str = ""                # for FullyQualifiedErrorId
    native: bool = False               # an .exe: arguments are passed as text
    changes_state: bool = False        # accepts -WhatIf/-Confirm and is journalled
    help: str = ""

    @property
    def error_suffix(self) -> str:
        return f",{self.net_class}" if self.net_class else ""


REGISTRY: dict[str, CommandSpec] = {}
ALIASES: dict[str, str] = {}


def command(name: str, *, params: list[Param] | tuple = (), aliases: tuple[str, ...] = (), module: str = "",
            net_class: str = "", native: bool = False, changes_state: bool = False) -> Callable:
    """Register a command implementation. ``func(ctx, args: dict, input: list) -> list``."""
    def deco(func: Callable) -> Callable:
        spec = CommandSpec(name, func, tuple(params), aliases, module or "Microsoft.PowerShell.Management",
                           net_class, native, changes_state, (func.__doc__ or "").strip().split("\n")[0])
        REGISTRY[name.lower()] = spec
        for a in aliases:
            ALIASES[a.lower()] = name
        return func
    return deco


def lookup(name: str) -> CommandSpec | None:
    key = name.lower()
    if "\\" in key or "/" in key:
        # A path to a program (C:\Windows\System32\inetsrv\appcmd.exe, .\appcmd): programs only.
        base = key.replace("/", "\\").rsplit("\\", 1)[-1]
        base = base[:-4] if base.endswith(".exe") else base
        spec = REGISTRY.get(base)
        return spec if spec is not None and spec.native else None
    if key.endswith(".exe"):
        key = key[:-4]
    key = ALIASES.get(key, key).lower()
    return REGISTRY.get(key)


@dataclass
class Bound:
    values: dict[str, object] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)

    def __getitem__(self, k):
        return self.values[k]

    def get(self, k, default=None):
        return self.values.get(k, default)

    def __contains__(self, k):
        return k in self.values


def _err(spec: CommandSpec, msg: str, error_id: str, tok: Token, category: str = "InvalidArgument",
         exception: str = "ParameterBindingException") -> PSError:
    return PSError(msg, command=spec.name, category=category, exception=exception,
                   error_id=error_id + spec.error_suffix, start=tok.start, end=tok.end)


def _resolve_param(spec: CommandSpec, tok: Token) -> str:
    """Match ``-Na`` against parameter names: exact name or alias first, then a unique prefix."""
    given = tok.value.lower()
    names = [p.name for p in spec.params] + list(COMMON) + (list(SHOULD_PROCESS) if spec.changes_state else [])
    for p in spec.params:
        if given == p.name.lower() or given in (a.lower() for a in p.aliases):
            return p.name
    for n in names:
        if n.lower() == given:
            return n
    matches = [n for n in names if n.lower().startswith(given)]
    matches += [p.name for p in spec.params for a in p.aliases if a.lower().startswith(given) and p.name not in matches]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise _err(spec, f"A parameter cannot be found that matches parameter name '{tok.value}'.",
                   "NamedParameterNotFound", tok)
    raise _err(spec, f"Parameter cannot be processed because the parameter name '{tok.value}' is ambiguous. "
                     f"Possible matches include: {' '.join('-' + m for m in matches)}.",
               "AmbiguousParameter", tok)


def convert(spec: CommandSpec, param: Param, value, tok: Token):
    """Convert an argument to the parameter's type, with PowerShell's error when it cannot."""
    t = param.type
    def fail(reason: str):
        shown = value if not isinstance(value, list) else " ".join(map(str, value))
        raise _err(spec, f"Cannot bind parameter '{param.name}'. Cannot convert value \"{shown}\" to type "
                         f"\"{NET_TYPES.get(t, t)}\". Error: \"{reason}\"", "CannotConvertArgumentNoMessage", tok)
    if t in ("int", "uint32", "int64"):
        if isinstance(value, bool) or isinstance(value, list):
            fail("Input string was not in a correct format.")
        try:
            n = int(str(value).strip())
        except ValueError:
            fail("Input string was not in a correct format.")
        if t == "uint32" and not 0 <= n <= 4294967295:
            fail("Value was either too large or too small for a UInt32.")
        if t == "int" and not -2147483648 <= n <= 2147483647:
            fail("Value was either too large or too small for an Int32.")
        return n
    if t == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        fail(f"Cannot convert value \"System.String\" to type \"System.Boolean\". Boolean parameters accept "
             f"only Boolean values and numbers, such as $True, $False, 1 or 0.")
    if t == "strings":
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if t in ("object", "objects", "scriptblock"):
        return value
    if isinstance(value, list):
        fail("Specified method is not supported.")
    if value is None:
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    s = str(value)
    if param.values and s.lower() not in (v.lower() for v in param.values):
        raise _err(spec, f"Cannot validate argument on parameter '{param.name}'. The argument \"{s}\" does not "
                         f"belong to the set \"{','.join(param.values)}\" specified by the ValidateSet attribute. "
                         f"Supply an argument that is in the set and then try the command again.",
                   "ParameterArgumentValidationError", tok)
    if param.values:
        s = next(v for v in param.values if v.lower() == s.lower())
    return s


def bind(spec: CommandSpec, elements: list[Token], evaluate: Callable[[Token], object], cmd_tok: Token) -> Bound:
    """Bind a command's elements to its parameters the way PowerShell does."""
    bound = Bound()
    params = {p.name: p for p in spec.params}
    positional: list[tuple[object, Token]] = []
    i = 0
    while i < len(elements):
        tok = elements[i]
        if tok.kind == "param":
            name = _resolve_param(spec, tok)
            p = params.get(name)
            if name in bound.values:
                raise _err(spec, f"Cannot bind parameter because parameter '{name}' is specified more than once. "
                                 f"To provide multiple values to parameters that can accept multiple values, use "
                                 f"the array syntax. For example, \"-parameter value1,value2,value3\".",
                           "ParameterAlreadyBound", tok)
            is_switch = (p is not None and p.type == "switch") or (p is None and name.lower() in _SWITCH_COMMON)
            if tok.colon_value is not None:
                raw = evaluate(tok.colon_value)
                val = bool(raw) if is_switch else raw
                vt = tok.colon_value
            elif is_switch:
                val, vt = True, tok
            else:
                if i + 1 >= len(elements) or elements[i + 1].kind == "param":
                    tname = NET_TYPES.get(p.type if p else "string", "System.String")
                    raise _err(spec, f"Missing an argument for parameter '{name}'. Specify a parameter of type "
                                     f"'{tname}' and try again.", "MissingArgument", tok)
                i += 1
                vt = elements[i]
                val = evaluate(vt)
            if p is not None:
                val = val if p.type == "switch" else convert(spec, p, val, vt)
            bound.values[name] = val
            bound.tokens[name] = vt
        else:
            positional.append((evaluate(tok), tok))
        i += 1
    pos_params = sorted((p for p in spec.params if p.position is not None and p.name not in bound.values),
                        key=lambda p: p.position)
    for (val, tok), p in zip(positional, pos_params):
        bound.values[p.name] = convert(spec, p, val, tok)
        bound.tokens[p.name] = tok
    if len(positional) > len(pos_params):
        val, tok = positional[len(pos_params)]
        shown = " ".join(map(str, val)) if isinstance(val, list) else val
        raise _err(spec, f"A positional parameter cannot be found that accepts argument '{shown}'.",
                   "PositionalParameterNotFound", tok)
    return bound


def check_mandatory(spec: CommandSpec, bound: Bound, has_input: bool, cmd_tok: Token) -> None:
    missing = [p.name for p in spec.params if p.mandatory and p.name not in bound.values
               and not (p.pipeline and has_input)]
    if missing:
        raise PSError(f"Cannot process command because of one or more missing mandatory parameters: "
                      f"{' '.join(missing)}.", command=spec.name, category="InvalidArgument",
                      exception="ParameterBindingException",
                      error_id="MissingMandatoryParameter" + spec.error_suffix, start=cmd_tok.start, end=cmd_tok.end)
