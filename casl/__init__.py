"""casl: the Client Access Server Lab.

A simulated Exchange 2013 organisation to inspect, break and repair, parsers for the real
outputs of Exchange and Windows servers, real X.509 tooling and checked exercises.

>>> import casl
>>> lab = casl.open_lab("single-server", state=None)
>>> print(lab.shell("ServerA").run("Get-WebBinding -Port 444").strip())
protocol bindingInformation sslFlags
-------- ------------------ --------
https    *:444:                    0
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["open_lab", "current_lab", "exercise", "progress", "doctor", "__version__"]


def open_lab(name_or_path="single-server", **kw):
    """Open a lab by name or TOML path (see :func:`casl.labs.open_lab`)."""
    from casl.labs import open_lab as _open
    return _open(name_or_path, **kw)


def current_lab():
    """The lab most recently opened in this kernel."""
    from casl.labs import current_lab as _cur
    return _cur()


def __getattr__(name: str):
    # Heavier parts load on first use, so `import casl` stays quick.
    if name in ("exercise", "progress"):
        from casl import exercises
        return getattr(exercises, name)
    if name == "doctor":
        from casl.doctor import doctor
        return doctor
    if name in ("parse", "certs", "render"):
        import importlib
        return importlib.import_module(f"casl.{name}")
    raise AttributeError(f"module 'casl' has no attribute '{name}'")


def _register_magics() -> None:
    try:
        from IPython import get_ipython
    except ImportError:
        return
    ip = get_ipython()
    if ip is not None:
        from casl.magics import register
        register(ip)


_register_magics()
