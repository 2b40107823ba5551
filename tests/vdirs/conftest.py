"""Register the virtual directory and Exchange admin commands (until casl.shell.commands lists them)."""
import casl.shell.commands  # noqa: F401  (appcmd must exist before exchange_admin extends it)
import casl.shell.commands.exchange_admin  # noqa: F401
import casl.shell.commands.exchange_vdirs  # noqa: F401
