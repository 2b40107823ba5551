"""What a request did: its hops, its outcome, and ways to show them (text, Markdown, Mermaid).

>>> r = FlowResult("UserA", "https://mail.contoso.com/owa", "browser", "inside", "ok", 200,
...                [Hop("WS01", "dns", "resolve mail.contoso.com", True, "10.0.0.11")])
>>> r.outcome, r.failed_hop is None
('ok', True)
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hop:
    """One step of a request: where it ran, what it did, whether it worked, and what was seen."""
    where: str            # "ServerA / Default Web Site / w3wp.exe (MSExchangeOWAAppPool) PID 4312"
    kind: str             # dns, tcp, tls, http, auth, proxy, worker, rpc, store
    action: str
    ok: bool
    detail: str = ""
    server: str = ""      # the machine the hop ran on
    pid: int | None = None

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        return f"[{mark}] {self.where}: {self.action}" + (f" -- {self.detail}" if self.detail else "")


@dataclass
class FlowResult:
    """The result of ``lab.browse``: ``.outcome`` (what the user sees), ``.status`` and ``.hops``."""
    user: str
    url: str
    client: str
    where: str
    outcome: str
    status: int | None
    hops: list[Hop] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)     # files this request wrote to, "Server:path"

    @property
    def failed_hop(self) -> Hop | None:
        """The first hop that failed (None when the request worked or only warned)."""
        return next((h for h in self.hops if not h.ok), None)

    def frame(self):
        """The hops as a DataFrame (one row per hop, in order).

        >>> FlowResult("U", "u", "browser", "inside", "ok", 200, [Hop("WS01", "dns", "resolve", True)]).frame().shape
        (1, 7)
        """
        import pandas as pd   # only when asked: importing casl stays cheap
        cols = ["where", "kind", "action", "ok", "detail", "server", "pid"]
        return pd.DataFrame([[getattr(h, c) for c in cols] for h in self.hops], columns=cols).astype(
            {"pid": "Int64", "ok": bool})

    def __repr__(self) -> str:
        status = f" (HTTP {self.status})" if self.status is not None else ""
        head = f"{self.user} -> {self.url} [{self.client}, {self.where}]: {self.outcome}{status}"
        return "\n".join([head] + ["  " + h.line() for h in self.hops])

    def _repr_markdown_(self) -> str:
        status = f" (HTTP {self.status})" if self.status is not None else ""
        rows = ["| # | where | what | result | detail |", "|---|---|---|---|---|"]
        for i, h in enumerate(self.hops, 1):
            rows.append(f"| {i} | {_md(h.where)} | {_md(h.action)} | {'ok' if h.ok else '**failed**'} | "
                        f"{_md(h.detail)} |")
        return (f"**{self.user}** → `{self.url}` ({self.client}, {self.where}): **{self.outcome}**{status}\n\n"
                + "\n".join(rows) + "\n\n```mermaid\n" + self.mermaid() + "```\n")

    def mermaid(self) -> str:
        """A Mermaid flowchart of the hops; the failing hop is drawn red.

        >>> print(FlowResult("U", "u", "browser", "inside", "ok", 200, [Hop("WS01", "dns", "resolve", True)]).mermaid())
        flowchart TD
            h1["WS01<br/>resolve"]
        <BLANKLINE>
        """
        lines = ["flowchart TD"]
        for i, h in enumerate(self.hops, 1):
            label = f"{h.where}<br/>{h.action}" + ("" if h.ok else f"<br/>{h.detail}")
            lines.append(f'    h{i}["{_mm(label)}"]')
            if i > 1:
                lines.append(f"    h{i - 1} --> h{i}")
        bad = next((i for i, h in enumerate(self.hops, 1) if not h.ok), None)
        if bad is not None:
            lines.append(f"    style h{bad} fill:#f8d7da,stroke:#b00020,stroke-width:2px")
        return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _mm(text: str) -> str:
    # Mermaid labels in double quotes: a quote inside must be an entity.
    return text.replace('"', "#quot;")
