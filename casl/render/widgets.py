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
