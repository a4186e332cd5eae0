"""Autograding one submission of every chapter takes at most 60 s on a 2-core machine (``make autograde``).

A temporary copy holds the course as a clean clone has it, its student versions
(``make assignments``, not timed: an instructor runs it once per term) and one
submission per chapter, the source itself, so every test cell runs to its end.
Then ``make autograde`` is timed twice, with the first chapter alone and with all
of them, which splits the cost into nbgrader's start-up and a cost per chapter and
gives the estimate for the course's eight chapters.

nbgrader and the kernels it starts run one after another, so their CPU time is
what the wall time comes to on an idle machine; on a shared one the wall time is
longer, hence both are printed, with the load. The target is checked on the CPU
time, the figure that does not depend on the neighbours.
"""

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_S = 60.0
PLANNED_CHAPTERS = 8
OUTPUTS = ("release", "submitted", "autograded", "feedback", "gradebook.db", "grades.csv")


def _make(target, course):
    subprocess.run(["make", "-C", str(ROOT), "-o", ".venv/.installed", target, f"COURSE={course}",
                    f"BIN={Path(sys.executable).parent}"], check=True, capture_output=True)


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _autograde(course, chapters):
    """(wall s, CPU s) of `make autograde` with one submission of each of ``chapters``."""
    shutil.rmtree(course / "submitted", ignore_errors=True)
    for chapter in chapters:
        folder = course / "submitted" / "student" / chapter
        folder.mkdir(parents=True)
        shutil.copyfile(course / "source" / chapter / f"{chapter}.ipynb", folder / f"{chapter}.ipynb")
    cpu, start = _children_cpu(), time.perf_counter()
    _make("autograde", course)
    return time.perf_counter() - start, _children_cpu() - cpu


def main():
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp) / "assignments"
        shutil.copytree(ROOT / "assignments", course, ignore=shutil.ignore_patterns(*OUTPUTS))
        _make("assignments", course)
        chapters = sorted(path.name for path in (course / "source").iterdir())
        one_wall, one_cpu = _autograde(course, chapters[:1])
        wall, cpu = _autograde(course, chapters)
    per_chapter = (cpu - one_cpu) / (len(chapters) - 1)
    estimate = cpu + (PLANNED_CHAPTERS - len(chapters)) * per_chapter
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"make autograde, one submission of each of {len(chapters)} chapters: {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"(first chapter alone: {one_wall:.1f} s wall, {one_cpu:.1f} s CPU); load average {load}")
    print(f"about {per_chapter:.1f} s CPU per chapter after {cpu - len(chapters) * per_chapter:.1f} s of start-up; "
          f"{PLANNED_CHAPTERS} chapters: about {estimate:.0f} s CPU (budget {BUDGET_S:.0f} s)")
    return 0 if cpu <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
