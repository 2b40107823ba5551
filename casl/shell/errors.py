"""PowerShell's error records, rendered the way a console shows them.

>>> e = PSError("Cannot find any service with service name 'x'.", command="Get-Service",
...             category="ObjectNotFound", target="x", exception="ServiceCommandException",
...             error_id="NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand")
>>> print(e.render("Get-Service x", 0, 13))
Get-Service : Cannot find any service with service name 'x'.
At line:1 char:1
+ Get-Service x
+ ~~~~~~~~~~~~~
    + CategoryInfo          : ObjectNotFound: (x:String) [Get-Service], ServiceCommandException
    + FullyQualifiedErrorId : NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand
<BLANKLINE>
"""
from __future__ import annotations


class PSError(Exception):
    """A PowerShell error record. ``terminating`` errors stop the statement; others let it go on."""

    def __init__(self, message: str, *, command: str = "", category: str = "NotSpecified",
                 target: str = "", exception: str = "", error_id: str = "", start: int | None = None,
                 end: int | None = None, terminating: bool = True, target_type: str = "String",
                 invoked: str = ""):
        super().__init__(message)
        self.invoked = invoked     # the name as typed (an alias shows as the alias)
        self.message = message
        self.command = command
        self.category = category
        self.target = target
        self.target_type = target_type
        self.exception = exception
        self.error_id = error_id
        self.start, self.end = start, end
        self.terminating = terminating

    def render(self, script: str, start: int, end: int) -> str:
        start = self.start if self.start is not None else start
        end = self.end if self.end is not None else end
        line_no = script.count("\n", 0, start) + 1
        line_start = script.rfind("\n", 0, start) + 1
        line_end = script.find("\n", start)
        line = script[line_start:line_end if line_end != -1 else len(script)].rstrip("\r")
        col = start - line_start
        width = max(1, min(end, line_start + len(line)) - start)
        name = self.invoked or self.command
        head = f"{name} : {self.message}" if name else self.message
        tgt = f"({self.target}:{self.target_type})" if self.target else "(:)"
        return "\n".join([
            head,
            f"At line:{line_no} char:{col + 1}",
            f"+ {line}",
            "+ " + " " * col + "~" * width,
            f"    + CategoryInfo          : {self.category}: {tgt} [{self.command}], {self.exception}",
            f"    + FullyQualifiedErrorId : {self.error_id}",
            "",
        ])


def render_parse_error(message: str, error_id: str, script: str, start: int, end: int) -> str:
    """A parser error: PowerShell puts the position first for these."""
    line_no = script.count("\n", 0, start) + 1
    line_start = script.rfind("\n", 0, start) + 1
    line_end = script.find("\n", start)
    line = script[line_start:line_end if line_end != -1 else len(script)].rstrip("\r")
    col = start - line_start
    width = max(1, min(end, line_start + len(line)) - start)
    return "\n".join([
        f"At line:{line_no} char:{col + 1}",
        f"+ {line}",
        "+ " + " " * col + "~" * width,
        message,
        "    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException",
        f"    + FullyQualifiedErrorId : {error_id}",
        "",
    ])


def not_recognized(name: str, start: int, end: int) -> PSError:
    return PSError(f"The term '{name}' is not recognized as the name of a cmdlet, function, script file, or "
                   "operable program. Check the spelling of the name, or if a path was included, verify that "
                   "the path is correct and try again.", command=name, category="ObjectNotFound", target=name,
                   exception="CommandNotFoundException", error_id="CommandNotFoundException",
                   start=start, end=end)
