"""The objects the WebAdministration provider and cmdlets return, with IIS's own console views.

Column widths follow the IIS 8.5 format definitions as they appear on a real console
(UNCONFIRMED to the character: widths were matched to published screenshots of the output).
"""
from __future__ import annotations

from casl.model.iis import Application, AppPool, Binding, Site
from casl.shell.objects import Column, ListView, PSObject, TableView


def _bindings_text(o: PSObject) -> str:
    return "\n".join(b.text() for b in o.source.bindings)


SITE_VIEW = TableView((
    Column("Name", "name", 16), Column("ID", "id", 4), Column("State", "state", 10),
    Column("Physical Path", "physicalPath", 30), Column("Bindings", _bindings_text, None),
), wrap=True)

POOL_VIEW = TableView((
    Column("Name", "name", 24), Column("State", "state", 12), Column("Applications", "Applications", None),
), wrap=True)

BINDING_VIEW = TableView((
    Column("protocol", "protocol", None), Column("bindingInformation", "bindingInformation", None),
    Column("sslFlags", "sslFlags", None, "right"),
))

APPLICATION_VIEW = TableView((
    Column("Name", "Name", 16), Column("Application pool", "applicationPool", 18),
    Column("Protocols", "enabledProtocols", 12), Column("Physical Path", "PhysicalPath", None),
), wrap=True)

CHILD_VIEW = TableView((
    Column("Type", "Type", 16), Column("Name", "Name", 24), Column("Physical Path", "PhysicalPath", None),
), wrap=True)

SSL_VIEW = TableView((
    Column("IP Address", "IPAddress", 16), Column("Port", "Port", 5), Column("Host Name", "Host", 16),
    Column("Store", "Store", 16), Column("Sites", "Sites", None),
), wrap=True)

CONTAINER_VIEW = TableView((Column("Name", "Name", None),))


def site_xpath(site: Site) -> str:
    return f"/system.applicationHost/sites/site[@name='{site.name}' and @id='{site.id}']"


def site_object(server, site: Site) -> PSObject:
    return PSObject("Microsoft.IIs.PowerShell.Framework.ConfigurationElement#site", {
        "name": site.name, "id": site.id, "serverAutoStart": site.server_auto_start,
        "state": server.site_state(site), "bindings": [b.text() for b in site.bindings],
        "physicalPath": site.physical_path, "applicationPool": site.application("/").pool if site.application("/")
        else "", "enabledProtocols": "http",
        "logFile": f"%SystemDrive%\\inetpub\\logs\\LogFiles\\W3SVC{site.id}",
        "ItemXPath": site_xpath(site), "PSPath": f"WebAdministration::\\\\{server.name.upper()}\\Sites\\{site.name}",
        "PSChildName": site.name, "PSIsContainer": True,
    }, SITE_VIEW, source=site)


def binding_object(server, site: Site, b: Binding) -> PSObject:
    thumb, store = server.ssl_cert_for(b)
    return PSObject("Microsoft.IIs.PowerShell.Framework.ConfigurationElement#site#bindings#binding", {
        "protocol": b.protocol, "bindingInformation": b.binding_information, "sslFlags": b.ssl_flags,
        "isDsMapperEnabled": False, "certificateHash": thumb, "certificateStoreName": store,
        "ItemXPath": site_xpath(site), "ElementTagName": "binding",
        "Methods": ["AddSslCertificate", "RebindSslCertificate", "RemoveSslCertificate"] if b.protocol == "https"
        else [], "Schema": "Microsoft.IIs.PowerShell.Framework.ConfigurationElementSchema",
    }, BINDING_VIEW, text="Microsoft.IIs.PowerShell.Framework.ConfigurationElement", source=(site, b))


def application_object(server, site: Site, app: Application) -> PSObject:
    return PSObject("Microsoft.IIs.PowerShell.Framework.ConfigurationElement#site#application", {
        "Name": app.name, "path": app.path, "applicationPool": app.pool, "enabledProtocols": app.enabled_protocols,
        "PhysicalPath": app.physical_path, "ItemXPath": f"{site_xpath(site)}/application[@path='{app.path}']",
        "PSPath": f"WebAdministration::\\\\{server.name.upper()}\\Sites\\{site.name}{app.path.replace('/', chr(92))}",
        "PSChildName": app.name.split("/")[-1], "Type": "application", "ElementTagName": "application",
    }, APPLICATION_VIEW, source=(site, app))


def child_object(kind: str, name: str, physical: str, source=None, extra: dict | None = None) -> PSObject:
    props = {"Type": kind, "Name": name, "PhysicalPath": physical}
    props.update(extra or {})
    return PSObject("casl.IIS.ChildItem", props, CHILD_VIEW, source=source)


def pool_object(server, pool: AppPool) -> PSObject:
    apps = []
    for site, app in server.iis.applications_in(pool.name):
        apps.append(site.name if app.path == "/" else app.path)
    return PSObject("Microsoft.IIs.PowerShell.Framework.ConfigurationElement#add", {
        "name": pool.name, "state": server.pool_state(pool), "Applications": "\n".join(apps),
        "managedPipelineMode": pool.pipeline, "managedRuntimeVersion": pool.runtime,
        "queueLength": pool.queue_length, "autoStart": pool.auto_start,
        "processModel": {"identityType": pool.identity}, "startMode": "OnDemand",
        "ItemXPath": f"/system.applicationHost/applicationPools/add[@name='{pool.name}']",
        "PSChildName": pool.name,
    }, POOL_VIEW, source=pool)


def ssl_binding_objects(server) -> list[PSObject]:
    """http.sys SSL bindings (IIS:\\SslBindings), with the sites whose https bindings use each."""
    out = []
    for key, (thumb, store) in sorted(server.ssl_certs.items(), key=lambda kv: (kv[0].rsplit(":", 1)[0],
                                                                                  int(kv[0].rsplit(":", 1)[1]))):
        ip, port = key.rsplit(":", 1)
        sites = [s.name for s in server.iis.sites for b in s.web_bindings("https")
                 if b.port == int(port) and ("0.0.0.0" if b.ip == "*" else b.ip) == ip]
        out.append(PSObject("casl.IIS.SslBinding", {
            "IPAddress": ip, "Port": int(port), "Host": "", "Store": store, "Sites": "\n".join(sites),
            "Thumbprint": thumb, "PSChildName": f"{ip}!{port}",
        }, SSL_VIEW))
    return out
