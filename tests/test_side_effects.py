"""Running the suite (and so every notebook, under ``make test``) writes nothing in the repository.

The snapshot is taken when this module is collected, before any test or
notebook cell runs; ``make test`` orders the notebooks before ``tests/`` so
this check sees what their execution left behind. Git-ignored paths
(.venv, caches, artifacts/) are outside the comparison, except the files the
course's Make targets write (``make assignments``, ``autograde``, ``feedback``,
``grades``): the assignment tests must run those on a temporary copy.
"""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Git-ignored, but written by the nbgrader Make targets inside the repository: watched all the same.
COURSE_OUTPUTS = ["assignments/release", "assignments/submitted", "assignments/autograded", "assignments/feedback",
                  "assignments/gradebook.db", "assignments/grades.csv"]


def _snapshot():
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=ROOT, capture_output=True, check=True,
        ).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        return None
    outputs = [path for name in COURSE_OUTPUTS for path in [ROOT / name, *(ROOT / name).rglob("*")]]
    state = {}
    for name in [*filter(None, listed), *(str(path.relative_to(ROOT)) for path in outputs)]:
        path = ROOT / name
        if path.is_file():
            stat = path.stat()
            state[name] = (stat.st_size, stat.st_mtime_ns)
    return state


BEFORE = _snapshot()


def test_nothing_was_written_inside_the_repository():
    if BEFORE is None:
        pytest.skip("not a git checkout: nothing to compare against")
    after = _snapshot()
    added = sorted(set(after) - set(BEFORE))
    changed = sorted(name for name in set(after) & set(BEFORE) if after[name] != BEFORE[name])
    assert not added and not changed, f"written during the run: added {added}, changed {changed}"
