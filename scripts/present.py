"""Lecture mode: serve the chapters with Voila on 127.0.0.1, code hidden, widgets live.

    python scripts/present.py                                # start page listing the chapters
    python scripts/present.py notebooks/02_filtering.ipynb   # one chapter

``make present`` and ``make present NB=notebooks/02_filtering.ipynb`` call this.
The server listens on loopback only (port 8866, or the next free one; set
``PORT=...`` to choose) and prints the URL to open. Ctrl+C stops it.
Figures and explorers use the projector style (``cvlab.plot.lecture_style``:
larger fonts, thicker lines) because ``CVLAB_LECTURE=1`` is passed to the
kernels, which makes ``notebook_style()`` apply it; ``--no-lecture-style``
keeps the notebook style.
"""

import argparse
import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
HOST = "127.0.0.1"
#: The JupyterLab extensions a chapter page loads: the widget managers. The others in the
#: environment (nbgrader's, Notebook 7's) are built for JupyterLab 4.6, fail to load in
#: Voila's 4.2 page and only add requests and console errors.
VOILA_EXTENSIONS = ["@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8"]
#: A Jupyter data folder holding ``voila/templates/cvlab``: Voila's lab template without its
#: links to a public CDN.
JUPYTER_DATA = ROOT / "scripts" / "jupyter"


def free_port(preferred=8866, tries=50):
    """``preferred`` if nothing listens on it, else the next free loopback port."""
    for port in range(preferred, preferred + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {preferred}..{preferred + tries - 1} on {HOST}")


def voila_command(target, port):
    """The Voila command line serving ``target`` (a notebook or a folder) on loopback, code hidden."""
    voila = Path(sys.executable).with_name("voila")
    return [
        str(voila), str(target),
        f"--Voila.ip={HOST}", f"--port={port}", "--no-browser",
        "--strip_sources=True", "--theme=light", "--template=cvlab",
        f"--VoilaConfiguration.extension_allowlist={VOILA_EXTENSIONS!r}",
        # Chapters with long computations (the PixelCNN chapter) need more than
        # the default per-cell wait; nothing in a chapter takes 10 minutes.
        "--VoilaExecutor.timeout=600",
        # A reloaded page leaves its old kernel behind (Voila's shutdown-on-leave
        # request needs an _xsrf cookie a directly opened chapter does not have):
        # free kernels that have had no open page for 10 minutes.
        "--MappingKernelManager.cull_idle_timeout=600",
        "--MappingKernelManager.cull_interval=60",
    ]


def voila_environment(environ):
    """``environ`` with the cvlab template on Voila's search path (``JUPYTER_PATH``)."""
    paths = [str(JUPYTER_DATA)] + [p for p in environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    return dict(environ, JUPYTER_PATH=os.pathsep.join(paths))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", nargs="?", help="one chapter notebook; omit for the start page")
    parser.add_argument("--no-lecture-style", action="store_true", help="keep the notebook figure style")
    args = parser.parse_args(argv)
    if not args.no_lecture_style:
        os.environ["CVLAB_LECTURE"] = "1"  # inherited by Voila's kernels
    port = free_port(int(os.environ.get("PORT", "8866")))
    if args.notebook:
        target = Path(args.notebook).resolve()
        if target.suffix != ".ipynb" or not target.is_file():
            parser.error(f"notebook must be an existing .ipynb file, got {args.notebook!r}")
        what = f"chapter {target.name}"
    else:
        target = NOTEBOOKS
        chapters = sorted(p.name for p in NOTEBOOKS.glob("[0-9]*.ipynb"))
        what = "start page: " + (", ".join(chapters) if chapters else "no chapters yet")
    url = f"http://{HOST}:{port}/"
    print(f"Lecture mode, {what}", flush=True)
    print(f"Open {url}  (code hidden, widgets live; Ctrl+C stops the server)", flush=True)
    command = voila_command(target, port)
    os.execve(command[0], command, voila_environment(os.environ))


if __name__ == "__main__":
    main()
