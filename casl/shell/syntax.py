"""PowerShell command-line syntax, as much of it as a troubleshooting session needs.

Statements separated by newlines or ``;``; pipelines with ``|``; ``>``/``>>`` redirection;
``$name = pipeline`` assignment; parameters ``-Name``, ``-Name:value``; bare words, both quote
styles, numbers, ``$true``/``$false``/``$null``, variables and ``$_.Property``, arrays ``a,b``,
script blocks ``{ ... }`` and sub-expressions ``( ... )``. Every token remembers where it stood,
so errors can point at it the way PowerShell does.

>>> [c.name for c in parse("Get-WebBinding -Port 444 | fl").statements[0].commands]
['Get-WebBinding', 'fl']
"""
from __future__ import annotations

from dataclasses import dataclass, field

SPECIAL = set("|;(){},\n\r") | {">"}


@dataclass
class Token:
    kind: str        # word, string, number, param, variable, scriptblock, subexpr, array, bool, null
    text: str        # the source text
    value: object    # the value (str, int, list of tokens, nested Script for subexpr ...)
    start: int
    end: int
    colon_value: "Token | None" = None   # -Name:value
    quoted: bool = False


@dataclass
class Command:
    name: str
    name_token: Token
    elements: list[Token]
    start: int
    end: int
    expression: Token | None = None   # a pipeline that starts with a value ($x, 'text', (...))


@dataclass
class Pipeline:
    commands: list[Command]
    redirects: list[tuple[str, Token]] = field(default_factory=list)
    assign: str | None = None
    start: int = 0
    end: int = 0


@dataclass
class Script:
    text: str
    statements: list[Pipeline]


class ParseError(Exception):
    """A PowerShell parser error: message, error id and where (offset into the script)."""

    def __init__(self, message: str, error_id: str, start: int, end: int | None = None):
        super().__init__(message)
        self.message, self.error_id, self.start = message, error_id, start
        self.end = end if end is not None else start + 1


def _read_quoted(text: str, i: int) -> tuple[str, int]:
    q = text[i]
    j = i + 1
    out = []
    while j < len(text):
        ch = text[j]
        if ch == q:
            if j + 1 < len(text) and text[j + 1] == q:   # doubled quote = one quote
                out.append(q)
                j += 2
                continue
            return "".join(out), j + 1
        if q == '"' and ch == "`" and j + 1 < len(text):
            nxt = text[j + 1]
            out.append({"n": "\n", "t": "\t", "0": "\0"}.get(nxt, nxt))
            j += 2
            continue
        out.append(ch)
        j += 1
    raise ParseError(f"The string is missing the terminator: {q}.", "TerminatorExpectedAtEndOfString", i, len(text))


def _read_balanced(text: str, i: int, open_ch: str, close_ch: str) -> int:
    """Index just past the bracket that closes the one at ``i``, skipping quoted text."""
    depth = 0
    j = i
    while j < len(text):
        ch = text[j]
        if ch in "'\"":
            _, j = _read_quoted(text, j)
            continue
        if ch == open_ch:
            depth += 1
        elif ch == close_ch:
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    if open_ch == "{":
        raise ParseError("Missing closing '}' in statement block or type definition.", "MissingEndCurlyBrace", i)
    raise ParseError("Missing closing ')' in expression.", "MissingEndParenthesisInExpression", i)


def _is_number(s: str) -> bool:
    # isascii: '²'.isdigit() is True, but int('²') fails; PowerShell numbers are ASCII digits
    return s.isascii() and (s.isdigit() or (s[:1] == "-" and s[1:].isdigit() and len(s) > 1))


def _value_token(text: str, i: int) -> tuple[Token, int]:
    """Read one value (not a parameter) starting at ``i``."""
    ch = text[i]
    if ch in "'\"":
        val, j = _read_quoted(text, i)
        return Token("string", text[i:j], val, i, j, quoted=True), j
    if ch == "{":
        j = _read_balanced(text, i, "{", "}")
        return Token("scriptblock", text[i:j], text[i + 1:j - 1], i, j), j
    if ch == "(" or text.startswith("$(", i) or text.startswith("@(", i):
        k = i if ch == "(" else i + 1
        j = _read_balanced(text, k, "(", ")")
        inner = text[k + 1:j - 1]
        try:
            script = parse(inner)
        except ParseError as exc:
            raise ParseError(exc.message, exc.error_id, exc.start + k + 1, exc.end + k + 1) from None
        _shift(script, k + 1)
        return Token("subexpr", text[i:j], script, i, j), j
    j = i
    pieces: list[str] = []
    while j < len(text) and not text[j].isspace() and text[j] not in SPECIAL:
        if text[j] == "`" and j + 1 < len(text) and text[j + 1] not in "\r\n":   # escaped character
            pieces.append(text[j + 1])
            j += 2
            continue
        if text[j] in "'\"":   # abc"d e" is one argument, abcd e, as PowerShell reads it
            inner, k = _read_quoted(text, j)
            pieces.append(inner)
            j = k
            continue
        pieces.append(text[j])
        j += 1
    if j == i:   # a lone '}' or ',' where a value belongs: PowerShell stops here too
        raise ParseError(f"Unexpected token '{ch}' in expression or statement.", "UnexpectedToken", i, i + 1)
    word = text[i:j]
    if "".join(pieces) != word:
        return Token("word", word, "".join(pieces), i, j, quoted=True), j
    low = word.lower()
    if low in ("$true", "$false"):
        return Token("bool", word, low == "$true", i, j), j
    if low == "$null":
        return Token("null", word, None, i, j), j
    if word.startswith("$") and len(word) > 1:
        return Token("variable", word, word[1:], i, j), j
    if _is_number(word):
        return Token("number", word, int(word), i, j), j
    return Token("word", word, word, i, j), j


def _shift(script: Script, offset: int) -> None:
    for p in script.statements:
        p.start += offset
        p.end += offset
        for c in p.commands:
            c.start += offset
            c.end += offset
            for t in [c.name_token, *c.elements] + ([c.expression] if c.expression else []):
                _shift_token(t, offset)
        for _, t in p.redirects:
            _shift_token(t, offset)


def _shift_token(t: Token, offset: int) -> None:
    t.start += offset
    t.end += offset
    if t.colon_value is not None:
        _shift_token(t.colon_value, offset)
    if t.kind == "array":
        for x in t.value:
            _shift_token(x, offset)


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.i = 0

    def skip_space(self) -> None:
        t = self.text
        while self.i < len(t):
            if t[self.i].isspace() and t[self.i] not in "\r\n":   # PowerShell treats every Unicode blank alike
                self.i += 1
            elif t[self.i] == "`" and t[self.i + 1:self.i + 2] in ("\n", "\r"):   # line continuation
                self.i += 2
            elif t[self.i] == "#":
                while self.i < len(t) and t[self.i] != "\n":
                    self.i += 1
            else:
                break

    def at_end_of_statement(self) -> bool:
        self.skip_space()
        return self.i >= len(self.text) or self.text[self.i] in ";\n\r"

    def script(self) -> Script:
        stmts = []
        while True:
            self.skip_space()
            while self.i < len(self.text) and self.text[self.i] in ";\n\r":
                self.i += 1
                self.skip_space()
            if self.i >= len(self.text):
                break
            stmts.append(self.pipeline())
        return Script(self.text, stmts)

    def pipeline(self) -> Pipeline:
        start = self.i
        assign = None
        t = self.text
        if t[self.i] == "$":
            j = self.i + 1
            while j < len(t) and (t[j].isalnum() or t[j] == "_"):
                j += 1
            k = j
            while k < len(t) and t[k] in " \t":
                k += 1
            if k < len(t) and t[k] == "=" and t[k + 1:k + 2] != "=" and j > self.i + 1:
                assign = t[self.i + 1:j]
                self.i = k + 1
                self.skip_space()
                if self.at_end_of_statement():
                    raise ParseError("You must provide a value expression following the '=' operator.",
                                     "ExpectedValueExpression", k, k + 1)
        pipe = Pipeline([], assign=assign, start=start)
        while True:
            self.skip_space()
            if self.i >= len(self.text) or self.text[self.i] in "|;\n\r":
                raise ParseError("An empty pipe element is not allowed.", "EmptyPipeElement",
                                 max(self.i - 1, 0) if self.i >= len(self.text) else self.i)
            pipe.commands.append(self.command(pipe))
            self.skip_space()
            if self.i < len(self.text) and self.text[self.i] == "|":
                self.i += 1
                self.skip_space()
                if self.at_end_of_statement():
                    raise ParseError("An empty pipe element is not allowed.", "EmptyPipeElement",
                                     self.i - 1 if self.i >= len(self.text) else self.i)
                continue
            break
        pipe.end = self.i
        return pipe

    def command(self, pipe: Pipeline) -> Command:
        t = self.text
        start = self.i
        first, self.i = _value_token(t, self.i)
        expression = None
        if first.kind in ("word",) and not first.text.startswith(("-", ">")):
            name = first.text
        elif first.kind in ("string", "number", "variable", "bool", "null", "subexpr"):
            if pipe.commands:
                raise ParseError("Expressions are only allowed as the first element of a pipeline.",
                                 "ExpressionsMustBeFirstInPipeline", first.start, first.end)
            name, expression = "", first
        else:
            raise ParseError(f"Unexpected token '{first.text}' in expression or statement.",
                             "UnexpectedToken", first.start, first.end)
        elements: list[Token] = []
        while True:
            self.skip_space()
            if self.i >= len(t) or t[self.i] in "|;\n\r)":
                if self.i < len(t) and t[self.i] == ")":
                    raise ParseError("Unexpected token ')' in expression or statement.", "UnexpectedToken",
                                     self.i, self.i + 1)
                break
            if t[self.i] == ">" or (t[self.i] == "2" and t[self.i + 1:self.i + 2] == ">"):
                self.redirect(pipe)
                continue
            if t[self.i] == "-" and self.i + 1 < len(t) and (t[self.i + 1].isalpha() or t[self.i + 1] in "_?"):
                j = self.i + 1
                while j < len(t) and not t[j].isspace() and t[j] not in SPECIAL and t[j] != ":":
                    j += 1
                tok = Token("param", t[self.i:j], t[self.i + 1:j], self.i, j)
                self.i = j
                if j < len(t) and t[j] == ":":
                    self.i = j + 1
                    if self.i >= len(t) or t[self.i].isspace() and not t[self.i + 1:].strip():
                        tok.text += ":"
                        tok.end = self.i
                    else:
                        self.skip_space()
                        tok.colon_value = self.element()
                        tok.text = t[tok.start:tok.colon_value.end]
                elements.append(tok)
                continue
            elements.append(self.element())
        end = elements[-1].end if elements else first.end
        return Command(name, first, elements, start, end, expression)

    def element(self) -> Token:
        t = self.text
        if t[self.i] == ",":
            raise ParseError("Missing expression after unary operator ','.", "MissingExpressionAfterOperator",
                             self.i, self.i + 1)
        tok, self.i = _value_token(t, self.i)
        if self.i < len(t) and t[self.i] == "," or (self.i < len(t) and t[self.i] in " \t"
                                                      and t[self.i:].lstrip(" \t").startswith(",")):
            items = [tok]
            while True:
                self.skip_space()
                if self.i < len(t) and t[self.i] == ",":
                    self.i += 1
                    self.skip_space()
                    if self.i >= len(t) or t[self.i] in "|;\n\r)":
                        raise ParseError("Missing expression after ','.", "MissingExpressionAfterToken",
                                         self.i - 1, self.i)
                    nxt, self.i = _value_token(t, self.i)
                    items.append(nxt)
                else:
                    break
            return Token("array", t[tok.start:self.i], items, tok.start, items[-1].end)
        return tok

    def redirect(self, pipe: Pipeline) -> None:
        t = self.text
        start = self.i
        if t.startswith("2>&1", self.i):
            self.i += 4
            pipe.redirects.append(("2>&1", Token("word", "2>&1", "", start, self.i)))
            return
        op = ">>" if t.startswith(">>", self.i) else ">"
        if t[self.i] == "2":
            op = "2" + op
            self.i += 1
        self.i += len(op.lstrip("2"))
        self.skip_space()
        if self.i >= len(t) or t[self.i] in "|;\n\r":
            raise ParseError("Missing file specification after redirection operator.",
                             "MissingFileSpecification", start, start + len(op))
        target = self.element()
        pipe.redirects.append((op, target))


MAX_NESTING = 100   # PowerShell itself gives up on very deep nesting; so does Python's recursion


def _too_deep(text: str) -> int | None:
    """Offset where brackets nest deeper than MAX_NESTING (quotes are not skipped: a bound, not a parse)."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "({":
            depth += 1
            if depth > MAX_NESTING:
                return i
        elif ch in ")}":
            depth = max(depth - 1, 0)
    return None


def parse(text: str) -> Script:
    """Parse a script; raises :class:`ParseError` with PowerShell's message and error id."""
    at = _too_deep(text)
    if at is not None:
        raise ParseError(f"The script is nested more than {MAX_NESTING} levels deep.", "ScriptTooComplicated", at)
    return _Parser(text).script()
