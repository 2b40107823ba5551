"""Every command the lab's shell knows, one module per family; importing registers them."""
from casl.shell.commands import location, native, processes, services, utility, webadmin  # noqa: F401
