"""Run a notebook top to bottom in a fresh kernel of this Python, in a folder of the caller's choice.

The kernel is this environment's own ``python -m ipykernel`` (as nbval's ``--nbval-current-env``
does), so a ``python3`` kernelspec elsewhere on the Jupyter path cannot take over. Timing
metadata and widget state are not recorded: executing the same notebook twice gives the same bytes.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from casl.errors import CaslError


def _kernel_manager():
    import ipykernel.kernelspec
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    class CurrentEnvironment(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                          **ipykernel.kernelspec.get_kernel_dict())

    return AsyncKernelManager(kernel_name="python3", kernel_spec_manager=CurrentEnvironment())


def execute(nb, *, cwd: Path, name: str, timeout: float = 120) -> None:
    """Execute ``nb`` in place with ``cwd`` as the kernel's working folder.

    A cell that raises (unless tagged ``raises-exception``) stops the run with a :class:`CaslError`
    naming the notebook, the cell and the error.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    client = NotebookClient(nb, km=_kernel_manager(), timeout=timeout, record_timing=False,
                            store_widget_state=False, resources={"metadata": {"path": str(cwd)}})
    try:
        # cleanup_kc: shut the kernel down even though the client does not own its manager.
        client.execute(cleanup_kc=True, stderr=subprocess.DEVNULL, env=_kernel_environment())
    except CellExecutionError as exc:
        raise CaslError(f"{name}, {_failed_cell(nb)}: raised {exc.ename}: {exc.evalue}") from None
    except CellTimeoutError:
        raise CaslError(f"{name}: a cell ran longer than {timeout:g} seconds") from None
    except DeadKernelError:
        raise CaslError(f"{name}: the kernel died while running the notebook") from None


def _kernel_environment() -> dict[str, str]:
    """This process's environment minus what would let lab state from elsewhere leak into the run."""
    env = dict(os.environ)
    for name in ("CASL_STATE_DIR", "JPY_SESSION_NAME"):
        env.pop(name, None)
    return env


def _failed_cell(nb) -> str:
    for n, cell in enumerate(nb.cells, 1):
        if "raises-exception" in cell.get("metadata", {}).get("tags", []):
            continue
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            first = (cell.source.splitlines() or [""])[0][:60]
            return f"cell {n} (id {cell.get('id')}, `{first}`)"
    return "a cell"
