"""Re-execute notebooks in place with the current environment's kernel (``make notebooks``).

Outputs are stored exactly as nbval will compare them, so run this in the
pinned ``.venv`` only. Execution starts in ``notebooks/`` like JupyterLab.
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def run(path):
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        notebook, timeout=600, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    nbformat.write(notebook, path)
    print(f"{path}: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        run(Path(name))
