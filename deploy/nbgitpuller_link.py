"""Print an nbgitpuller link that hands a chapter out to every student of a JupyterHub.

Clicking the link logs the student in, starts their server if needed, pulls this
repository into ``~/cvlab`` (a clone the first time; later a merge that keeps the
student's own edits) and opens the chapter in JupyterLab or Notebook 7:

    .venv/bin/python deploy/nbgitpuller_link.py https://hub.example.edu \\
        --repo https://github.com/ORG/cvlab --chapter 07_pixelcnn [--ui notebook]

The hub needs nbgitpuller in the students' environment (it is in the lock and in
``environment.yml``). ``tests/test_hub.py`` follows such links as students do.
"""

import argparse
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
#: Where each front end opens a notebook, relative to the student's server.
OPEN_NOTEBOOK = {"lab": "lab/tree/{path}", "notebook": "notebooks/{path}"}


def chapter_link(hub, repo, chapter, *, branch="main", ui="lab", folder="cvlab"):
    """The nbgitpuller link that pulls ``repo`` into ``~/folder`` and opens ``notebooks/<chapter>.ipynb``.

    ``hub`` is the hub's public address (``https://hub.example.edu``, or with a base
    URL such as ``https://example.edu/jupyter``); ``ui`` is ``"lab"`` (JupyterLab) or
    ``"notebook"`` (Notebook 7).

    >>> chapter_link("https://hub.example.edu", "https://github.com/ORG/cvlab", "02_filtering", ui="notebook")
    'https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2FORG%2Fcvlab&branch=main&targetpath=cvlab&urlpath=notebooks%2Fcvlab%2Fnotebooks%2F02_filtering.ipynb'
    """
    if ui not in OPEN_NOTEBOOK:
        raise ValueError(f"ui must be one of {sorted(OPEN_NOTEBOOK)}, got {ui!r}")
    if not chapter or "/" in chapter or chapter.endswith(".ipynb"):
        raise ValueError(f"chapter must be a notebook name such as '07_pixelcnn', got {chapter!r}")
    notebook = f"{folder}/notebooks/{chapter}.ipynb"
    query = {"repo": repo, "branch": branch, "targetpath": folder, "urlpath": OPEN_NOTEBOOK[ui].format(path=notebook)}
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{urlencode(query, quote_via=quote, safe='')}"


def main(argv=None):
    chapters = sorted(path.stem for path in NOTEBOOKS.glob("*.ipynb"))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("hub", help="the hub's public address, e.g. https://hub.example.edu")
    parser.add_argument("--repo", required=True, help="a git URL of this repository the hub can reach")
    parser.add_argument("--chapter", required=True, choices=chapters)
    parser.add_argument("--branch", default="main")
    parser.add_argument("--ui", choices=sorted(OPEN_NOTEBOOK), default="lab",
                        help="lab: JupyterLab (default); notebook: Notebook 7")
    args = parser.parse_args(argv)
    print(chapter_link(args.hub, args.repo, args.chapter, branch=args.branch, ui=args.ui))


if __name__ == "__main__":
    sys.exit(main())
