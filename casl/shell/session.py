"""A PowerShell session on one simulated server: runs command lines and returns the console text.

>>> import casl
>>> sh = casl.open_lab("single-server", state=None).shell("ServerA")
>>> print(sh.run("Get-Service W3SVC").strip())
Status   Name               DisplayName
------   ----               -----------
Running  W3SVC              World Wide Web Publishing Service
"""
from __future__ import annotations

import ntpath
import re
from dataclasses import dataclass, field

from casl.errors import LabError
from casl.shell import registry
from casl.shell.errors import PSError, not_recognized, render_parse_error
from casl.shell.format import FormattedText, out_default
from casl.shell.objects import PSObject
from casl.shell.syntax import Command, ParseError, Pipeline, Script, Token, parse

HOME = "C:\\Windows\\system32"
MAX_SCRIPT = 20_000          # characters: a cell of commands, not a program
MAX_OUTPUT_ITEMS = 100_000


@dataclass
class ScriptBlock:
    text: str
    start: int

    def __str__(self) -> str:
        return self.text


@dataclass
class Location:
    drive: str = "C"           # "C" (FileSystem) or "IIS"
    path: str = HOME

    def __str__(self) -> str:
        return self.path


class Context:
    """What a command implementation sees: the shell, the server, the command's own tokens."""

    def __init__(self, shell: "Shell", spec: registry.CommandSpec, cmd: Command, bound: registry.Bound):
        self.shell, self.spec, self.cmd, self.args = shell, spec, cmd, bound

    @property
    def server(self):
        return self.shell.server

    @property
    def lab(self):
        return self.shell.lab

    def error(self, message: str, *, category: str = "NotSpecified", target: str = "", exception: str = "",
              error_id: str = "", token: Token | None = None, terminating: bool = False,
              target_type: str = "String") -> PSError:
        """Report an error the PowerShell way; terminating errors stop the statement (raise it)."""
        tok = token or self.cmd.name_token
        start, end = (tok.start, tok.end) if token else (self.cmd.start, self.cmd.end)
        err = PSError(message, command=self.spec.name, category=category, target=target, exception=exception,
                      error_id=(error_id or "Error") + self.spec.error_suffix, start=start, end=end,
                      terminating=terminating, target_type=target_type, invoked=self.cmd.name)
        if terminating:
            raise err
        self.shell._errors.append(err)
        return err

    def token(self, name: str) -> Token | None:
        return self.args.tokens.get(name)


@dataclass
class Shell:
    """An interactive PowerShell session on ``server``. Use :meth:`run`."""
    lab: object
    server_name: str
    location: Location = field(default_factory=Location)
    fs_location: str = HOME
    variables: dict[str, object] = field(default_factory=dict)
    modules: set[str] = field(default_factory=set)
    snapins: set[str] = field(default_factory=set)
    strict: bool = False      # tests: let unexpected Python errors through instead of reporting them
    _errors: list = field(default_factory=list, repr=False)
    _script: str = field(default="", repr=False)

    @property
    def server(self):
        return self.lab.org.server(self.server_name)

    @property
    def prompt(self) -> str:
        return f"PS {self.location.path}> "

    # --- running ---------------------------------------------------------------------------
    def run(self, text: str) -> str:
        """Run one or more command lines; return what the console prints (output and errors)."""
        from casl.shell import commands  # noqa: F401  (registers every command)
        if not isinstance(text, str):
            raise TypeError("Shell.run takes the command line as a string")
        if len(text) > MAX_SCRIPT:
            return f"The command is {len(text)} characters long; the lab takes at most {MAX_SCRIPT} at once.\n"
        out = self._run(text)
        self.lab._after_command(self.server_name, text)
        return out

    def _run(self, text: str) -> str:
        try:
            script = parse(text)
        except ParseError as exc:
            return render_parse_error(exc.message, exc.error_id, text, exc.start, exc.end)
        chunks: list[str] = []
        for stmt in script.statements:
            self._errors = []
            self._script = text
            try:
                items = self.run_pipeline(stmt, text)
                if stmt.assign is not None:
                    self.variables[stmt.assign.lower()] = _unwrap(items)
                    items = []
                items = self._redirect(stmt, items)
                body = out_default(items) if items else ""
            except PSError as err:
                body = ""
                self._errors.append(err)
            except RecursionError:
                body = "The script failed due to call depth overflow.\n"
            except Exception as exc:  # a bug in casl: say so plainly rather than pretend
                if self.strict:
                    raise
                body = f"casl internal error while running this command ({type(exc).__name__}: {exc}).\n"
            for err in self._errors:
                body += err.render(text, stmt.start, stmt.end)
            chunks.append(body)
            self.lab.clock.tick()
        return _tidy("".join(chunks))

    def run_pipeline(self, stmt: Pipeline, text: str) -> list:
        items: list = []
        for idx, cmd in enumerate(stmt.commands):
            if cmd.expression is not None:
                val = self.evaluate(cmd.expression)
                items = list(val) if isinstance(val, list) else ([] if val is None else [val])
                continue
            spec = registry.lookup(cmd.name)
            if spec is None:
                path_like = "\\" in cmd.name or "/" in cmd.name
                raise not_recognized(cmd.name, cmd.name_token.start, cmd.name_token.end if not path_like
                                     else cmd.name_token.end)
            if spec.module == "WebAdministration":
                self.modules.add("webadministration")  # PowerShell 3+ loads modules on first use
            if spec.native:
                bound = registry.Bound({"args": [self._native_arg(t) for t in cmd.elements]},
                                       {"args": cmd.name_token})
            else:
                try:
                    bound = registry.bind(spec, cmd.elements, self.evaluate, cmd.name_token)
                    registry.check_mandatory(spec, bound, bool(items) or idx > 0, cmd.name_token)
                except PSError as err:
                    err.invoked = cmd.name
                    raise
            ctx = Context(self, spec, cmd, bound)
            if bound.get("WhatIf"):
                items = [f"What if: Performing the operation \"{spec.name}\" on target "
                         f"\"{_what_if_target(bound)}\"."]
                continue
            result = spec.func(ctx, bound, items)
            items = list(result) if result is not None else []
            if len(items) > MAX_OUTPUT_ITEMS:
                raise PSError("The pipeline produced more output than the lab keeps.", command=spec.name)
        return items

    def _native_arg(self, tok: Token) -> str:
        if tok.kind == "param":
            return tok.text
        if tok.kind == "word":
            # PowerShell strips the quotes inside a program's argument: /site.name:"Exchange Back End"
            return self._expand(tok.value)
        val = self.evaluate(tok)
        if isinstance(val, list):
            return ",".join(map(str, val))
        return "" if val is None else str(val)

    def _redirect(self, stmt: Pipeline, items: list) -> list:
        for op, target in stmt.redirects:
            if op == "2>&1":
                continue
            path = str(self.evaluate(target))
            text = out_default(items) if items else ""
            if op.startswith("2"):
                text = "".join(e.render(self._script, stmt.start, stmt.end) for e in self._errors)
                self._errors = []
            elif not items:
                text = ""
            self.write_file(path, _tidy(text), append=op.endswith(">>"), token=target)
            if not op.startswith("2"):
                items = []
        return items

    def write_file(self, path: str, text: str, *, append: bool, token: Token | None = None) -> None:
        """Write (or append) ``text`` to a file named as the learner typed it, on this or another server."""
        try:
            server, local = self.locate_file(path)
        except LabError:
            server, local = None, path
        if server is None or not server.fs.is_dir(ntpath.dirname(local)):
            shown = path if str(path).startswith("\\\\") else local
            raise PSError(f"Could not find a part of the path '{shown}'.", category="OpenError",
                          target="", exception="DirectoryNotFoundException",
                          error_id="FileOpenFailure,Microsoft.PowerShell.Commands.OutFileCommand",
                          start=token.start if token else None, end=token.end if token else None)
        server.fs.write(local, text, append=append, when=self.lab.clock.now())

    def locate_file(self, path: str):
        """(server, local path) for a file argument: local, relative, or ``\\\\ServerB\\c$\\...`` on another server."""
        text = str(path).strip()
        if text.startswith("\\\\"):
            return self.lab.org.locate(text, self.server)
        return self.server, self.resolve_fs_path(text)

    def resolve_fs_path(self, path: str) -> str:
        path = path.strip()
        if re.match(r"^[A-Za-z]:\\", path) or re.match(r"^[A-Za-z]:$", path):
            return ntpath.normpath(path)
        if path.lower().startswith("filesystem::"):
            return ntpath.normpath(path[12:])
        base = self.location.path if self.location.drive == "C" else self.fs_location
        return ntpath.normpath(ntpath.join(base, path))

    # --- values ----------------------------------------------------------------------------
    def evaluate(self, tok: Token):
        k = tok.kind
        if k in ("word", "number", "bool", "null"):
            return tok.value
        if k == "string":
            return self._expand(tok.value) if tok.text.startswith('"') else tok.value
        if k == "variable":
            return self.variable(tok.value, tok)
        if k == "array":
            return [self.evaluate(t) for t in tok.value]
        if k == "scriptblock":
            return ScriptBlock(tok.value, tok.start + 1)
        if k == "subexpr":
            script: Script = tok.value
            results: list = []
            for stmt in script.statements:
                items = self.run_pipeline(stmt, self._script)
                if stmt.assign is not None:
                    self.variables[stmt.assign.lower()] = _unwrap(items)
                else:
                    results.extend(items)
            return _unwrap(results)
        if k == "param":
            return tok.text
        return tok.value

    def variable(self, name: str, tok: Token | None = None):
        base, _, prop = name.partition(".")
        key = base.lower()
        if key in self.variables:
            val = self.variables[key]
        elif key == "pwd":
            val = self.location.path
        elif key == "env:computername":
            val = self.server.name.upper()
        else:
            val = None
        for part in [p for p in prop.split(".") if p]:
            if isinstance(val, PSObject):
                val = val.get(part)
            elif isinstance(val, list) and part.lower() == "count":
                val = len(val)
            elif isinstance(val, str) and part.lower() == "length":
                val = len(val)
            else:
                val = None
        return val

    def _expand(self, s: str) -> str:
        def sub(m: re.Match) -> str:
            v = self.variable(m.group(1))
            return "" if v is None else (" ".join(map(str, v)) if isinstance(v, list) else str(v))
        return re.sub(r"\$([A-Za-z_][\w]*(?::\w+)?)", sub, s)


def _unwrap(items: list):
    if not items:
        return None
    return items[0] if len(items) == 1 else list(items)


def _what_if_target(bound: registry.Bound) -> str:
    for k in ("Name", "Identity", "InputObject", "Path"):
        if k in bound.values:
            return str(bound.values[k])
    return ""


def _tidy(text: str) -> str:
    """Collapse the runs of blank lines that PowerShell's formatting leaves between blocks."""
    text = re.sub(r"\n{4,}", "\n\n\n", text)
    return text
