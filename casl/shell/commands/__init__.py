"""Every command the lab's shell knows, one module per family; importing registers them."""
from casl.shell.commands import location, native, processes, services, utility, webadmin  # noqa: F401
from casl.shell.commands import network  # noqa: F401  (after processes: its netstat yields to one there)
from casl.shell.commands import exchange_vdirs, exchange_admin  # noqa: F401  (after native: extends appcmd)
from casl.shell.commands import certificates  # noqa: F401  (last: extends Get-ChildItem and Get-Content)
from casl.shell.commands import certreq  # noqa: F401
