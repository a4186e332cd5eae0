# Every target bootstraps .venv from the pinned lock, so stored notebook outputs stay valid.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST := $(BIN)/python -m pytest
NODE_STAMP := node_modules/.installed
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: lab test unit lint notebooks bench lock test-latest clean present html assignments autograde feedback grades

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@# Build matplotlib's font cache now, so its one-off notice never lands in a notebook's stderr.
	$(BIN)/python -c "import matplotlib.pyplot"
	@touch $@

# Jupyter refuses to run as root unless told; containers and Binder-like setups often are root.
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

test: $(STAMP) $(NODE_STAMP) lint
	$(PYTEST) cvlab notebooks assignments/source tests $(NBVAL)

unit: $(STAMP) $(NODE_STAMP)
	$(PYTEST) cvlab tests

# Style and common bugs (configuration in pyproject.toml); part of `make test`.
lint: $(STAMP)
	$(BIN)/ruff check .

notebooks: $(STAMP)
	$(BIN)/python scripts/run_notebooks.py notebooks/*.ipynb

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# Re-pin the lock from pyproject.toml (needs the registry).
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra lab --extra test --allow-unsafe --strip-extras \
	    --no-header --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

# Early warning before a term: the newest allowed releases instead of the lock.
# Stored outputs may legitimately differ across versions, hence --nbval-lax.
test-latest:
	@test -x .venv-latest/bin/python || $(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	.venv-latest/bin/python -m pip install --quiet --disable-pip-version-check --upgrade --upgrade-strategy eager -e ".[lab,test]"
	.venv-latest/bin/python -m pip freeze --exclude-editable > .venv-latest/versions.txt
	.venv-latest/bin/python -m pytest cvlab tests
	.venv-latest/bin/python -m pytest notebooks assignments/source --nbval-lax --nbval-current-env

clean:
	rm -rf $(VENV) .venv-latest node_modules


# Lecture mode: Voila on 127.0.0.1, code hidden, widgets live; prints the URL.
# `make present` serves a start page listing the chapters; NB=notebooks/02_filtering.ipynb serves one.
present: $(STAMP)
	$(BIN)/python scripts/present.py $(NB)

# npm packages pinned in package-lock.json (MathJax for the static site, configurable-http-proxy for the course JupyterHub), installed into node_modules/
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# Static site: every notebook exported to site/<chapter>.html plus site/index.html, with MathJax
# bundled into site/mathjax/ so the pages work offline.
html: $(STAMP) $(NODE_STAMP)
	$(BIN)/python scripts/build_site.py --out site


# The nbgrader course (README, "For instructors"), all offline. COURSE may name a copy of assignments/
# (the tests grade one in a temporary directory). nbgrader runs `alembic` and the kernels from PATH.
COURSE   ?= assignments
NBGRADER  = cd "$(COURSE)" && PATH="$(abspath $(BIN)):$$PATH" nbgrader
GENERATE  = $(NBGRADER) generate_assignment "*" --force

# Student versions of every chapter in $(COURSE)/source, written to $(COURSE)/release.
assignments: $(STAMP)
	$(GENERATE)

# The gradebook keeps the source cells (hidden tests included) that autograde puts back into each submission.
$(COURSE)/gradebook.db: $(wildcard $(COURSE)/source/*/*.ipynb) $(COURSE)/nbgrader_config.py $(STAMP)
	$(GENERATE)
	@touch "$@"

# Grades every submission in $(COURSE)/submitted/<student>/<chapter>/ into $(COURSE)/autograded.
autograde: $(COURSE)/gradebook.db
	@if [ -z "$$(ls "$(COURSE)"/submitted/*/*/*.ipynb 2>/dev/null)" ]; then \
	    echo "no submissions under $(COURSE)/submitted/<student>/<chapter>/"; else $(NBGRADER) autograde "*" --force; fi

# HTML feedback for every autograded submission, in $(COURSE)/feedback.
feedback: $(STAMP)
	$(NBGRADER) generate_feedback "*" --force

# Every student's score per chapter, in $(COURSE)/grades.csv.
grades: $(STAMP)
	$(NBGRADER) export --to grades.csv
