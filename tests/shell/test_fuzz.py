"""Property-based: random command lines only ever produce casl's own shell output or errors."""
from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import casl

LAB = casl.open_lab("two-servers", state=None)
WORDS = ["Get-WebBinding", "Get-Website", "dir", "cd", "Get-Service", "appcmd", "list", "site", "wp", "fl", "ft",
         "Select-Object", "Where-Object", "-Name", "-Port", "-First", "'Exchange Back End'", "444", "$true", "$_",
         "IIS:\\Sites", "\\\\ServerB\\c$\\x.txt", "\\\\ServerQ\\share\\y", "Out-File", "..", "{", "}", "(", ")", "|", ";", ">", ">>", "C:\\x.txt", ",", "-eq", "$a", "=",
         "Compare-Object", "Get-Content", "findstr", "/i", "iisreset", "/status", "`", '"', "'", "-Confirm:$false",
         "Stop-WebAppPool", "Restart-WebAppPool", "MSExchangeOWAAppPool", "Sort-Object", "-Descending", "#", "@(",
         "$(", "-", ":", "Import-Module", "WebAdministration", "Get-Process", "-Id", "4", "New-WebBinding",
         "Remove-WebBinding", "Set-WebBinding", "-PropertyName", "-Value", "Format-List", "*", "?", "\n"]

line = st.one_of(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line)
@example("}")                      # once looped forever: a lone closing brace
@example("Get-Process -Id ²")      # once raised: '²'.isdigit() but int('²') fails
@example("dir\u000b ..")          # a Unicode blank between arguments
@example("(" * 5000 + ")" * 5000)  # once overflowed Python's recursion
def test_random_lines_never_raise(text):
    sh = LAB.shell("ServerA")
    sh.strict = True      # an unexpected Python exception fails the test instead of being reported
    out = sh.run(text)
    assert isinstance(out, str)
    assert "casl internal error" not in out
