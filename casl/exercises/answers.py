"""Answer cells are data: read them without running them.

A value answer cell may hold only assignments ``name = <literal>`` (comments allowed); an action
answer cell is a ``%%ps SERVER`` cell whose body is text for casl's shell. The grader reads
submissions with these functions, the learner view uses the same rule on the cell that last
assigned an answer in the kernel, and ``casl build`` uses them on the course's solutions. Anything
else raises :class:`Rejected` with the line and the reason.

>>> values = parse_value_answer("# the back end's port\\nbackend_port = 444\\n", ["backend_port"])
>>> values["backend_port"]
444
>>> parse_value_answer("backend_port = int('444')", ["backend_port"])
Traceback (most recent call last):
...
casl.exercises.outcomes.Rejected: line 1: `int('444')` is a function call; an answer cell may only assign literal values such as 444, 'text', [...] or {...}
>>> parse_action_answer("%%ps ServerA\\nGet-WebBinding\\n").server
'ServerA'
"""
from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass

from casl.exercises.outcomes import Rejected

PS_FIRST_LINE = re.compile(r"^%%ps[ \t]+([A-Za-z][A-Za-z0-9-]{0,30})[ \t]*$")
BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"

MAX_ANSWER_CHARS = 20_000      # a real answer is a few lines; anything this long is not an answer
MAX_ACTION_LINES = 200
MAX_INT_BITS = 256             # about 77 digits: more than any port, PID or count

_LITERAL_CONSTANTS = (str, bytes, int, float, complex, bool, type(None), type(Ellipsis))


@dataclass(frozen=True)
class ActionAnswer:
    """A ``%%ps`` answer: the server named on the first line, and the commands below it."""

    server: str
    commands: str

    @property
    def source(self) -> str:
        return f"%%ps {self.server}\n{self.commands}" if self.commands else f"%%ps {self.server}"


def _shown(node: ast.AST, source: str) -> str:
    text = ast.get_source_segment(source, node) or ast.dump(node)
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


def _check_literal(node: ast.AST, source: str) -> None:
    """Raise Rejected unless ``node`` is a literal (numbers, text, ``...``, None, and containers of them)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, _LITERAL_CONSTANTS):
        if type(node.value) is int and node.value.bit_length() > MAX_INT_BITS:
            # such a number cannot even be printed in decimal; it is not an answer
            raise Rejected(f"line {node.lineno}: that number is far too large to be an answer")
        return
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) \
            and isinstance(node.operand, ast.Constant) and type(node.operand.value) in (int, float, complex):
        _check_literal(node.operand, source)
        return
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        for item in node.elts:
            _check_literal(item, source)
        return
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if key is None:
                raise Rejected(f"line {node.lineno}: `**` unpacking is not a literal value")
            _check_literal(key, source)
            _check_literal(value, source)
        return
    what = {
        ast.Call: "is a function call",
        ast.Name: "is a name, not a value",
        ast.Attribute: "reads an attribute, not a value",
        ast.JoinedStr: "is an f-string; write plain text",
        ast.BinOp: "is a calculation; write the result",
        ast.Subscript: "is a lookup, not a value",
        ast.Lambda: "is a function",
    }.get(type(node), "is not a literal value")
    raise Rejected(f"line {node.lineno}: `{_shown(node, source)}` {what}; an answer cell may only assign "
                   "literal values such as 444, 'text', [...] or {...}")


def parse_value_answer(source: str, names: Sequence[str]) -> dict[str, object]:
    """The values a value answer cell assigns, by name; Rejected if the cell does anything else.

    Only ``name = literal`` statements for the given names are allowed. A name assigned twice keeps
    its last value; a name not assigned is absent from the result.

    >>> parse_value_answer("a = 1\\nb = ['x', 'y']  # two names\\n", ["a", "b"])
    {'a': 1, 'b': ['x', 'y']}
    >>> parse_value_answer("import os", ["a"])
    Traceback (most recent call last):
    ...
    casl.exercises.outcomes.Rejected: line 1: `import os` is not an assignment; an answer cell may only assign values to a
    """
    return {name: ast.literal_eval(node) for name, node in value_nodes(source, names).items()}


def value_nodes(source: str, names: Sequence[str]) -> dict[str, ast.expr]:
    """Like :func:`parse_value_answer`, but the literal expressions themselves (for rebuilding a cell)."""
    if len(source) > MAX_ANSWER_CHARS:
        raise Rejected(f"the answer cell holds {len(source)} characters; an answer is at most {MAX_ANSWER_CHARS}")
    allowed = ", ".join(names)
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    if first.startswith(("%", "!")):
        raise Rejected(f"line 1: `{first[:40]}` is a notebook command; this answer cell holds values, "
                       f"such as {names[0] if names else 'answer'} = 444")
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise Rejected(f"line {exc.lineno}: this is not valid Python ({exc.msg}); an answer cell holds "
                       f"assignments such as {names[0] if names else 'answer'} = 444") from None
    except (RecursionError, MemoryError, ValueError):
        raise Rejected("the answer cell is too deeply nested to be read as data") from None
    found: dict[str, ast.expr] = {}
    for stmt in tree.body:
        if not isinstance(stmt, ast.Assign):
            raise Rejected(f"line {stmt.lineno}: `{_shown(stmt, source)}` is not an assignment; "
                           f"an answer cell may only assign values to {allowed}")
        if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
            raise Rejected(f"line {stmt.lineno}: assign one name per line, as in `{names[0] if names else 'answer'} = ...`"
                           if names else f"line {stmt.lineno}: assign one name per line")
        name = stmt.targets[0].id
        if name not in names:
            raise Rejected(f"line {stmt.lineno}: this answer cell may only assign {allowed}, not `{name}`")
        _check_literal(stmt.value, source)
        found[name] = stmt.value
    return found


def value_source(nodes: dict[str, ast.expr], names: Sequence[str]) -> str:
    """Canonical source for a value answer: one ``name = literal`` line per name, ``...`` when missing.

    >>> value_source({"a": ast.parse("a = [1,  2]").body[0].value}, ["a", "b"])
    'a = [1, 2]\\nb = ...'
    """
    return "\n".join(f"{n} = {ast.unparse(nodes[n]) if n in nodes else '...'}" for n in names)


def assigned_names(source: str) -> list[str]:
    """Names a literal-assignment block assigns, in order (for deriving a release placeholder).

    >>> assigned_names("a = 1\\nb = 2\\na = 3")
    ['a', 'b']
    """
    names: list[str] = []
    for stmt in ast.parse(source).body:
        for target in getattr(stmt, "targets", []):
            if isinstance(target, ast.Name) and target.id not in names:
                names.append(target.id)
    return names


def parse_action_answer(source: str, server: str | None = None) -> ActionAnswer:
    """A ``%%ps SERVER`` answer; Rejected if the first line is not exactly that (or names another server).

    >>> parse_action_answer("%%ps serverA\\nGet-Website", server="ServerA")
    ActionAnswer(server='ServerA', commands='Get-Website')
    >>> parse_action_answer("import os\\nos.system('x')")
    Traceback (most recent call last):
    ...
    casl.exercises.outcomes.Rejected: line 1: an action answer cell starts with `%%ps SERVER` on its own line; found `import os`
    """
    if len(source) > MAX_ANSWER_CHARS:
        raise Rejected(f"the answer cell holds {len(source)} characters; an answer is at most {MAX_ANSWER_CHARS}")
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    first, _, body = text.partition("\n")
    match = PS_FIRST_LINE.match(first)
    if not match:
        raise Rejected(f"line 1: an action answer cell starts with `%%ps SERVER` on its own line; found `{first[:40]}`")
    name = match.group(1)
    if server is not None:
        if name.lower() != server.lower():
            raise Rejected(f"line 1: these commands are meant for {server}, not {name}")
        name = server
    if body.count("\n") + 1 > MAX_ACTION_LINES:
        raise Rejected(f"the answer has more than {MAX_ACTION_LINES} lines of commands")
    return ActionAnswer(name, body.rstrip("\n"))


def solution_region(source: str) -> tuple[str, str, str] | None:
    """Split an authored answer cell into (before, solution, after) around the solution markers.

    >>> solution_region("# text\\n### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION\\n")
    ('# text\\n', 'x = 1\\n', '')
    """
    lines = source.splitlines(keepends=True)
    marks = [i for i, line in enumerate(lines) if line.strip() in (BEGIN_SOLUTION, END_SOLUTION)]
    if len(marks) != 2 or lines[marks[0]].strip() != BEGIN_SOLUTION or lines[marks[1]].strip() != END_SOLUTION:
        return None
    begin, end = marks
    return "".join(lines[:begin]), "".join(lines[begin + 1:end]), "".join(lines[end + 1:])
