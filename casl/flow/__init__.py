"""What happens when a client acts: the request flow through DNS, TCP, TLS, IIS, the proxy to 444,
RPC Client Access and the Information Store (see :mod:`casl.flow.engine`).

>>> import casl
>>> lab = casl.open_lab("two-servers", state=None)
>>> r = lab.browse("UserB", "https://servera.contoso.com/owa", where="ServerA")
>>> r.outcome, r.status, [h.kind for h in r.hops][-3:]
('ok', 200, ['worker', 'rpc', 'store'])
"""
from __future__ import annotations

from casl.flow.engine import browse
from casl.flow.result import FlowResult, Hop

__all__ = ["browse", "FlowResult", "Hop"]
