"""Interactive views over a lab (ipywidgets). They read the lab each time; they hold no state.

In a notebook::

    from casl.render.widgets import site_explorer
    site_explorer(lab, "ServerA")      # pick a site, then bindings or applications
"""
from __future__ import annotations

VIEWS = ("bindings", "applications")


def site_explorer(lab, server: str = ""):
    """A site picker and a view picker above a table of that site's bindings or applications."""
    import ipywidgets as w

    from casl.render import frames

    srv = lab.server(server or lab.servers[0])
    site = w.Dropdown(options=tuple(s.name for s in srv.iis.sites), description="Site")
    view = w.ToggleButtons(options=VIEWS, description="Show")
    # An HTML widget rather than an Output widget: it renders the same in JupyterLab and in
    # nbclient, which cannot replay an Output widget's clear_output when executing headless.
    table = w.HTML()

    def draw(_=None):
        df = getattr(frames, view.value)(lab.server(srv.name))
        df = df[df["site"] == site.value].drop(columns=["site"]).reset_index(drop=True)
        table.value = df.to_html(index=False, border=0, classes="casl-table")

    site.observe(draw, names="value")
    view.observe(draw, names="value")
    draw()
    return w.VBox([site, view, table])


# Set-WebBinding's -PropertyName for each editable part of a binding
EDITABLE = (("ip", "IPAddress"), ("port", "Port"), ("host", "HostHeader"))


def binding_editor(lab, server: str = "", *, user: str = "UserA", url: str = "https://mail.contoso.com/owa"):
    """Both sites' http/https bindings as editable rows, plus a "Refresh browser" button.

    Applying an edit runs a real ``Set-WebBinding`` in the lab (shown under the table); refreshing
    runs ``lab.browse(user, url)`` and shows the outcome and its diagram. Nothing is kept in the
    widget: every redraw reads the lab.
    """
    import ipywidgets as w
    from IPython.display import Markdown

    srv_name = lab.server(server or lab.servers[0]).name
    rows_box = w.VBox()
    log = w.HTML()
    out = w.Output()

    def current():
        srv = lab.server(srv_name)
        for site in srv.iis.sites:
            for b in site.bindings:
                if b.protocol in ("http", "https"):
                    cert = srv.ssl_cert_for(b)[0] if b.protocol == "https" else ""
                    yield site.name, b, cert

    def draw():
        header = w.HTML("<b>site</b> · <b>protocol</b> · <b>IP address</b> · <b>port</b> · <b>host name</b> · "
                        "<b>certificate</b>")
        rows = [header]
        for site, b, cert in current():
            ip = w.Text(value=b.ip, layout=w.Layout(width="130px"))
            port = w.IntText(value=b.port or 0, layout=w.Layout(width="80px"))
            host = w.Text(value=b.host, layout=w.Layout(width="160px"))
            apply = w.Button(description="Apply", layout=w.Layout(width="70px"))
            apply.on_click(lambda _, s=site, info=b.binding_information, fields=(ip, port, host):
                           _apply(s, info, fields))
            rows.append(w.HBox([w.Label(f"{site} · {b.protocol}", layout=w.Layout(width="220px")), ip, port, host,
                                w.Label(cert[:12] + "..." if cert else "(none)", layout=w.Layout(width="120px")),
                                apply]))
        rows_box.children = rows

    def _apply(site, info, fields):
        ip, port, host = fields
        old_ip, old_port, old_host = info.split(":", 2) if info.count(":") >= 2 else ("*", info, "")
        wanted = {"ip": ip.value.strip() or "*", "port": str(port.value), "host": host.value.strip()}
        before = {"ip": old_ip or "*", "port": old_port, "host": old_host}
        ran = []
        for key, prop in EDITABLE:
            if wanted[key] != before[key]:
                cmd = (f"Set-WebBinding -Name '{site}' -BindingInformation '{info}' -PropertyName {prop} "
                       f"-Value '{wanted[key]}'")
                text = lab.run(srv_name, cmd)
                ran.append(f"<code>{cmd}</code>" + (f"<pre>{text.strip()}</pre>" if text.strip() else ""))
                info = _info(wanted, before, key)
                before[key] = wanted[key]
        log.value = "<br/>".join(ran) or "nothing changed"
        draw()

    def refresh(_=None):
        result = lab.browse(user, url)
        # Replace the outputs outright rather than clear_output()/display: the same in a kernel,
        # in nbclient and in a test without one.
        out.outputs = ()
        out.append_display_data(Markdown(f"**{user}** → `{url}`: **{result.outcome}**"
                                         f"{f' (HTTP {result.status})' if result.status else ''}\n\n"
                                         f"```mermaid\n{result.mermaid()}\n```"))

    button = w.Button(description="Refresh browser", button_style="primary", icon="refresh")
    button.on_click(refresh)
    draw()
    return w.VBox([rows_box, log, button, out])


def _info(wanted: dict, before: dict, changed: str) -> str:
    parts = dict(before, **{changed: wanted[changed]})
    return f"{parts['ip']}:{parts['port']}:{parts['host']}"
