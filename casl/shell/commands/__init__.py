"""Every command the lab's shell knows, one module per family; importing registers them.

Order matters where a module extends another's command: network after processes, the Exchange
modules after native (they extend appcmd), certificates last (it extends Get-ChildItem and Get-Content).
"""
from casl.shell.commands import location, native, processes, services, utility, webadmin  # noqa: F401
from casl.shell.commands import network, netstat  # noqa: F401
from casl.shell.commands import exchange_vdirs, exchange_admin  # noqa: F401
from casl.shell.commands import certreq  # noqa: F401
from casl.shell.commands import certificates  # noqa: F401
