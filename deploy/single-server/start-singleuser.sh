#!/bin/sh
# A student's Jupyter server: c.Spawner.cmd in jupyterhub_config.py, with the venv's bin folder first.
# Build matplotlib's font cache in the student's home before any kernel needs it: built inside
# a kernel on a busy server it takes over 5 s, and matplotlib then prints a notice into the notebook.
bin="$1"
shift
"$bin/python" -c "import matplotlib.font_manager" || echo "matplotlib's font cache was not built" >&2
exec "$bin/jupyterhub-singleuser" "$@"
