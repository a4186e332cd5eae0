"""The nbgrader course in assignments/: the sources, the student versions, and autograding without shortcuts.

The module fixture copies the course as a clean clone holds it into a temporary
directory and runs the instructor's Make targets on it, ``make assignments``, then
``make autograde``, ``make feedback`` and ``make grades``, with five submissions
of every chapter:

* ``blank``: the student version, unchanged;
* ``solution``: the source itself, solutions and hidden tests included;
* ``wrong``: the student version with the solutions filled in and plausible
  mistakes (``WRONG`` below: one line of test data per mistake, at least one per
  chapter, each in a different task);
* ``shortcut``: every solution replaced by exactly what its hidden tests compare
  against, which is cvlab itself (read from the source's test cells, so a new
  chapter needs no data for it); this student also empties one test cell and
  deletes another, which autograding must put back;
* ``unguarded``: the same shortcut with the guard switched off first, the control
  that shows the guard, and nothing else, takes the shortcut's points.

Adding a chapter: put its source in ``assignments/source/<chapter>/<chapter>.ipynb``
and its mistakes in ``WRONG``.
"""

import ast
import csv
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "assignments"
CHAPTERS = sorted(path.parent.name for path in COURSE.glob("source/*/*.ipynb") if path.stem == path.parent.name)
BIN = Path(sys.executable).parent  # the interpreter's own environment (not resolved: a venv's python is a symlink)

#: Plausible mistakes per chapter, at most one per task, all made in the same ``wrong`` submission:
#: (the task it breaks, a line of that task's solution, the line written instead).
WRONG = {
    # c_min taken as c(0), which is 0 whenever the darkest level is not 0.
    "01_histograms": [("equalize", "c_min = cumulative[cumulative > 0][0]", "c_min = cumulative[0]")],
    # 'reflect' off by one on the far side (it repeats the edge pixel there, like 'symmetric').
    "02_filtering": [("pad", "return np.where(i < 0, -i, np.where(i >= size, 2 * size - 2 - i, i))",
                      "return np.where(i < 0, -i, np.where(i >= size, 2 * size - 1 - i, i))")],
    # The receptive field grown with this layer's jump instead of the previous layer's.
    "03_convolution_properties": [("receptive_field", "field += (k - 1) * jump", "field += (k - 1) * jump * s")],
    "04_edges": [
        # Zero padding instead of replicating the edge pixel.
        ("gradient", 'padded = np.pad(f, 1, mode="edge")', "padded = np.pad(f, 1)"),
        # atan2's arguments swapped: the angle from the y axis.
        ("magnitude_orientation", "return np.sqrt(gx**2 + gy**2), np.arctan2(gy, gx)",
         "return np.sqrt(gx**2 + gy**2), np.arctan2(gx, gy)"),
        # >= on both sides: both pixels of a two-pixel ridge stay.
        ("non_max_suppression", "np.where((centre > ahead) & (centre >= behind), centre, 0.0)",
         "np.where((centre >= ahead) & (centre >= behind), centre, 0.0)"),
        # ndi.label's default 4-connectivity: diagonal links break.
        ("hysteresis", "labels, count = ndi.label(weak, structure=np.ones((3, 3), dtype=bool))",
         "labels, count = ndi.label(weak)"),
    ],
    # Squared distances compared with an unsquared ratio.
    "05_corners": [("match", "distances = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))",
                    "distances = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)")],
    # A type-A mask that admits the centre pixel.
    "06_attention": [
        # Scores exponentiated without subtracting the maximum: large scores overflow.
        ("softmax", "shifted = np.exp(x - x.max(axis=axis, keepdims=True))", "shifted = np.exp(x)"),
        # Scores not divided by sqrt(d).
        ("scaled_dot_product_attention", "scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])",
         "scores = q @ np.swapaxes(k, -1, -2)"),
        # A token may not attend to itself (j < i): the first row allows nothing.
        ("causal_mask", "return j <= i", "return j < i"),
        # Reshaped without swapping the axes: each token is a strip of pixels, not a square patch.
        ("patchify", "grid = grid.transpose(0, 1, 3, 2, 4)  # (N, rows of patches, columns of patches, u, w)",
         "grid = grid.reshape(n, height // patch, width // patch, patch, patch)"),
    ],
    "07_pixelcnn": [("causal_mask", 'mask[:, :, centre, centre] = 1.0 if mask_type == "B" else 0.0',
                     "mask[:, :, centre, centre] = 1.0")],
    "08_vae": [
        # sigma taken for sigma squared in the KL.
        ("kl_standard_normal", "variance_minus_one = np.expm1(logvar)", "variance_minus_one = np.expm1(0.5 * logvar)"),
        # The variance taken for the standard deviation.
        ("reparameterize", "return mu + np.exp(0.5 * logvar) * eps", "return mu + np.exp(logvar) * eps"),
        # Nats per pixel, not bits.
        ("negative_elbo", "return (reconstruction + kl_standard_normal(mu, logvar)) / (pixels * np.log(2.0))",
         "return (reconstruction + kl_standard_normal(mu, logvar)) / pixels"),
        # log-sum-exp instead of log-mean-exp: the bound is off by log k.
        ("iwae_bound", "bound = top + np.log(np.mean(np.exp(log_w - top[:, None]), axis=1))",
         "bound = top + np.log(np.sum(np.exp(log_w - top[:, None]), axis=1))"),
    ],
}

STUDENTS = ("blank", "solution", "wrong", "shortcut", "unguarded")

#: The first cell of the ``unguarded`` control: the guard becomes a no-op before the setup cell imports it.
GUARD_OFF = """\
import contextlib

import cvlab.grading

cvlab.grading.forbid = lambda targets=("cvlab",): contextlib.nullcontext()
"""

REGIONS = {"solution": ("### BEGIN SOLUTION", "### END SOLUTION"),
           "hidden": ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")}


# ----------------------------------------------------------------------------- reading a source notebook

def _source(chapter):
    return nbformat.read(COURSE / "source" / chapter / f"{chapter}.ipynb", as_version=4)


def _grading(cell):
    return cell.metadata.get("nbgrader", {})


def _solution_cells(notebook):
    return [cell for cell in notebook.cells if _grading(cell).get("solution")]


def _tasks(notebook):
    """The graded tasks, in order: each solution cell's grade_id, which is also the function it defines."""
    return [_grading(cell)["grade_id"] for cell in _solution_cells(notebook)]


def _task_of(grade_id):
    """Test cells are named <task>_visible, <task>_reference, <task>_edges."""
    return grade_id.rsplit("_", 1)[0]


def _test_cells(notebook, task):
    return [cell for cell in notebook.cells
            if _grading(cell).get("grade") and _task_of(_grading(cell)["grade_id"]) == task]


def _solution(notebook, task):
    return next(cell for cell in _solution_cells(notebook) if _grading(cell)["grade_id"] == task)


def _split(source, region):
    """(lines inside the marked regions, lines outside them), each stripped; the markers belong to neither."""
    begin, end = REGIONS[region]
    inside, outside, within = [], [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == begin:
            within = True
        elif stripped == end:
            within = False
        elif stripped:
            (inside if within else outside).append(stripped)
    return inside, outside


def _secret_and_public_lines(notebook):
    secret, public = set(), set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            public.update(line.strip() for line in cell.source.splitlines())
            continue
        solution, rest = _split(cell.source, "solution")
        hidden, rest = _split("\n".join(rest), "hidden")
        secret.update(solution + hidden)
        public.update(rest)
    return secret, public


def _shortcut(notebook, task):
    """Source that binds ``task`` to exactly what its hidden tests compare it with (the first ``check`` call)."""
    for cell in _test_cells(notebook, task):
        tree = ast.parse(cell.source)
        imports = [ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "check"
                    and isinstance(node.args[0], ast.Name) and node.args[0].id == task):
                return "\n".join([*imports, f"{task} = {ast.unparse(node.args[1])}"])
    raise AssertionError(f"no test cell of {task} calls check({task}, reference, ...)")


# ----------------------------------------------------------------------------- the graded course

def _make(target, course):
    """Run a Make target on ``course`` with this interpreter's environment; never rebuild the venv."""
    result = subprocess.run(
        ["make", "-C", str(ROOT), "-o", ".venv/.installed", target, f"COURSE={course}", f"BIN={BIN}"],
        capture_output=True, text=True, timeout=1800,
    )
    if result.returncode:
        lines = result.stderr.splitlines()
        first_error = next((i for i, line in enumerate(lines) if "Traceback" in line or "ERROR" in line), len(lines))
        pytest.fail(f"make {target} failed:\n" + "\n".join(lines[max(0, first_error - 10):first_error + 60]))
    return result


def _clean_clone_files():
    """The course's files as a clean clone has them: tracked, or new and not ignored."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", "assignments"],
        cwd=ROOT, capture_output=True,
    )
    if listed.returncode:
        pytest.skip("not a git checkout: cannot tell a clean clone's files")
    return [ROOT / name for name in listed.stdout.decode().split("\0") if name and (ROOT / name).is_file()]


def _submission(student, chapter, release):
    """The notebook ``student`` hands in for ``chapter``, built from the student version ``release``."""
    source = _source(chapter)
    if student == "solution":
        return source
    notebook = nbformat.reads(nbformat.writes(release), as_version=4)
    if student == "blank":
        return notebook
    for cell in _solution_cells(notebook):
        task = _grading(cell)["grade_id"]
        if student == "wrong":
            cell.source = _solution(source, task).source
            for broken, line, mistake in WRONG[chapter]:
                if task == broken:
                    cell.source = cell.source.replace(line, mistake)
        else:
            cell.source = _shortcut(source, task)
    if student == "shortcut":
        first = _tasks(source)[0]
        notebook.cells = [cell for cell in notebook.cells if _grading(cell).get("grade_id") != f"{first}_edges"]
        next(cell for cell in notebook.cells if _grading(cell).get("grade_id") == f"{first}_visible").source = "pass"
    if student == "unguarded":
        notebook.cells.insert(0, nbformat.v4.new_code_cell(GUARD_OFF))
    return notebook


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A clean copy of the course after make assignments, autograde, feedback and grades."""
    course = tmp_path_factory.mktemp("course") / "assignments"
    for path in _clean_clone_files():
        target = course / path.relative_to(COURSE)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    _make("assignments", course)
    for chapter in CHAPTERS:
        release = nbformat.read(course / "release" / chapter / f"{chapter}.ipynb", as_version=4)
        for student in STUDENTS:
            folder = course / "submitted" / student / chapter
            folder.mkdir(parents=True)
            nbformat.write(_submission(student, chapter, release), folder / f"{chapter}.ipynb")
    _make("autograde", course)
    _make("feedback", course)
    _make("grades", course)
    return course


@pytest.fixture(scope="module")
def scores(course):
    """(student, chapter) -> {grade cell: (score, max score)}, read from the gradebook."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbgrader's SQLAlchemy models warn about deprecated APIs on import
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            return {(student, chapter): {grade.name: (grade.score, grade.max_score)
                                         for grade in gradebook.find_submission_notebook(chapter, chapter,
                                                                                         student).grades}
                    for student in STUDENTS for chapter in CHAPTERS}


def _by_task(cells):
    """{task: (score, max score)} from {grade cell: (score, max score)}: a task's points are its cells' points."""
    tasks = {}
    for name, (score, maximum) in cells.items():
        got, most = tasks.get(_task_of(name), (0.0, 0.0))
        tasks[_task_of(name)] = (got + score, most + maximum)
    return tasks


def _autograded(course, student, chapter):
    return nbformat.read(course / "autograded" / student / chapter / f"{chapter}.ipynb", as_version=4)


# ----------------------------------------------------------------------------- the sources

def test_the_course_has_the_chapters_and_a_mistake_for_each():
    assert {"01_histograms", "02_filtering", "03_convolution_properties", "04_edges", "05_corners", "06_attention",
            "07_pixelcnn", "08_vae"} <= set(CHAPTERS)
    assert set(WRONG) == set(CHAPTERS), "add a mistake to WRONG for every chapter in assignments/source"
    for chapter, mistakes in WRONG.items():
        broken = [task for task, _, _ in mistakes]
        assert broken and len(set(broken)) == len(broken), f"{chapter}: one mistake per task"
        for task, line, _ in mistakes:
            assert _solution(_source(chapter), task).source.count(line) == 1, (chapter, task, line)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_task_defines_its_function_and_has_visible_and_hidden_tests(chapter):
    notebook = _source(chapter)
    tasks = _tasks(notebook)
    assert len(tasks) >= 3, f"{chapter}: at least three graded tasks"
    graded = {_grading(cell)["grade_id"] for cell in notebook.cells if _grading(cell).get("grade")}
    assert {_task_of(name) for name in graded} == set(tasks), f"{chapter}: a test cell belongs to no task"
    for task in tasks:
        definitions = [node.name for node in ast.parse(_solution(notebook, task).source).body
                       if isinstance(node, ast.FunctionDef)]
        assert definitions == [task], f"{chapter}: the solution cell {task} must define exactly def {task}(...)"
        assert _split(_solution(notebook, task).source, "solution")[0], f"{chapter}: {task} has no solution region"
        cells = _test_cells(notebook, task)
        hidden = [cell for cell in cells if _split(cell.source, "hidden")[0]]
        assert len(cells) - len(hidden) == 1 and hidden, f"{chapter}: {task} needs one visible and hidden test cells"
        for cell in cells:
            assert _grading(cell)["points"] > 0 and _grading(cell)["locked"]
            calls = {node.func.id for node in ast.walk(ast.parse(cell.source))
                     if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
            assert calls & {"forbid", "check"}, f"{chapter}: {_grading(cell)['grade_id']} runs {task} unguarded"
        assert _shortcut(notebook, task)  # a hidden test compares it with a reference


def test_source_assignments_pass_nbgrader_validate(tmp_path):
    paths = [str(COURSE / "source" / chapter / f"{chapter}.ipynb") for chapter in CHAPTERS]
    result = subprocess.run([str(BIN / "nbgrader"), "validate", *paths], cwd=tmp_path, capture_output=True, text=True,
                            env=dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"), timeout=1800)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.count("Success! Your notebook passes all the tests.") == len(paths), result.stdout[-3000:]


# ----------------------------------------------------------------------------- the student versions

@pytest.mark.parametrize("chapter", CHAPTERS)
def test_student_version_reveals_no_solution_line_and_no_hidden_test(course, chapter):
    source = _source(chapter)
    student = nbformat.read(course / "release" / chapter / f"{chapter}.ipynb", as_version=4)
    secret, public = _secret_and_public_lines(source)
    shown = {line.strip() for cell in student.cells for line in cell.source.splitlines()}
    # A secret line that the source also shows outside every region (e.g. `with forbid(SHORTCUTS):`) reveals nothing.
    leaked = sorted((secret - public) & shown)
    assert not leaked, f"{chapter}: the student version shows {leaked}"
    code = "\n".join(cell.source for cell in student.cells if cell.cell_type == "code")
    assert "BEGIN SOLUTION" not in code and "HIDDEN TESTS" not in code
    assert code.count("raise NotImplementedError()") == len(_tasks(source))
    assert all(not cell.get("outputs") for cell in student.cells)


# ----------------------------------------------------------------------------- autograding

@pytest.mark.parametrize("chapter", CHAPTERS)
def test_blank_submission_scores_zero_on_every_task(scores, chapter):
    cells = scores["blank", chapter]
    assert {_task_of(name) for name in cells} == set(_tasks(_source(chapter)))  # every cell was graded
    assert all(score == 0 for score, _ in cells.values()), cells


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_source_as_submission_scores_full_points(scores, chapter):
    cells = scores["solution", chapter]
    assert all(score == maximum > 0 for score, maximum in cells.values()), cells


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_plausible_mistakes_lose_points_on_the_tasks_they_break_only(scores, chapter):
    broken = {task for task, _, _ in WRONG[chapter]}
    tasks = _by_task(scores["wrong", chapter])
    for task in broken:
        assert tasks[task][0] < tasks[task][1], f"{chapter}: the mistake in {task} went unnoticed: {tasks}"
    source = _source(chapter)
    for task, (score, maximum) in tasks.items():
        names = {node.id for node in ast.walk(ast.parse(_solution(source, task).source)) if isinstance(node, ast.Name)}
        if task not in broken and not broken & names:  # a task that calls a broken function may lose points too
            assert score == maximum, f"{chapter}: {task} lost points for a mistake in {sorted(broken)}: {tasks}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_calling_cvlab_instead_of_implementing_loses_every_task(course, scores, chapter):
    tasks = _by_task(scores["shortcut", chapter])
    assert all(score == 0 for score, _ in tasks.values()), tasks
    # Every test cell ran, the emptied and the deleted one too, and each stopped at the guard.
    errors = {_grading(cell)["grade_id"]: {output.get("ename") for output in cell.outputs}
              for cell in _autograded(course, "shortcut", chapter).cells if _grading(cell).get("grade")}
    graded = {_grading(cell)["grade_id"] for cell in _source(chapter).cells if _grading(cell).get("grade")}
    assert set(errors) == graded and all(names == {"ShortcutError"} for names in errors.values()), errors


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_same_shortcut_scores_full_points_once_the_guard_is_off(scores, chapter):
    cells = scores["unguarded", chapter]
    assert all(score == maximum for score, maximum in cells.values()), cells


def test_feedback_and_grades_cover_every_submission(course, scores):
    for student in STUDENTS:
        for chapter in CHAPTERS:
            page = course / "feedback" / student / chapter / f"{chapter}.html"
            assert page.exists() and "Score" in page.read_text(encoding="utf-8"), page
    with open(course / "grades.csv", newline="") as file:
        rows = {(row["student_id"], row["assignment"]): row for row in csv.DictReader(file)}
    for student in STUDENTS:
        for chapter in CHAPTERS:
            total = sum(score for score, _ in scores[student, chapter].values())
            maximum = sum(most for _, most in scores[student, chapter].values())
            row = rows[student, chapter]
            assert float(row["score"]) == total and float(row["max_score"]) == maximum, row


def test_make_autograde_without_submissions_says_so(course, tmp_path):
    empty = tmp_path / "assignments"
    shutil.copytree(course, empty, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback"))
    assert re.search(r"no submissions under .*submitted", _make("autograde", empty).stdout)
