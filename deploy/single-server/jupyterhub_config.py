"""JupyterHub for one course server: each student gets a Jupyter server running cvlab.

Start it as root from a clone of this repository (README, "Teaching a whole class"):

    make .venv/.installed node_modules/.installed
    .venv/bin/jupyterhub -f deploy/single-server/jupyterhub_config.py

Students log in with their Unix account (PAM) and must be in the Unix group
``CVLAB_HUB_STUDENTS`` (default ``students``); members of ``CVLAB_HUB_TEACHERS``
(default ``teachers``) are admins. Each student's server runs as that student,
from this repository's ``.venv``, and opens JupyterLab in their home folder;
hand the chapters out with nbgitpuller links (``deploy/nbgitpuller_link.py``).

Settings from the environment (defaults in brackets):

- ``CVLAB_HUB_URL``: where the hub listens [``http://:8000``, every interface];
  put it behind a TLS proxy, or set ``CVLAB_HUB_SSL_CERT`` and ``CVLAB_HUB_SSL_KEY``.
- ``CVLAB_HUB_STATE``: folder for the database, cookie secret and proxy PID [``/srv/cvlab-hub``].
- ``CVLAB_HUB_IDLE_TIMEOUT``: seconds without activity before the idle culler stops
  a student's server and kernels [3600]; ``CVLAB_HUB_CULL_EVERY``: how often it looks [300].
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub defines get_config while it loads this file)

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent  # the hub runs from .venv; so do the students' servers
STATE = Path(os.environ.get("CVLAB_HUB_STATE", "/srv/cvlab-hub"))
STATE.mkdir(mode=0o700, parents=True, exist_ok=True)

# --- where it listens, and its state --------------------------------------------------------
c.JupyterHub.bind_url = os.environ.get("CVLAB_HUB_URL", "http://:8000")
if os.environ.get("CVLAB_HUB_SSL_CERT"):
    c.JupyterHub.ssl_cert = os.environ["CVLAB_HUB_SSL_CERT"]
    c.JupyterHub.ssl_key = os.environ["CVLAB_HUB_SSL_KEY"]
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")

# --- the proxy: configurable-http-proxy pinned in package-lock.json (npm ci) ----------------
c.ConfigurableHTTPProxy.command = [str(ROOT / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")

# --- who may log in --------------------------------------------------------------------------
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {os.environ.get("CVLAB_HUB_STUDENTS", "students")}
c.PAMAuthenticator.admin_groups = {os.environ.get("CVLAB_HUB_TEACHERS", "teachers")}

# --- each student's server -------------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"  # one process per student, as that student's Unix user
c.Spawner.cmd = ["/bin/sh", str(Path(__file__).with_name("start-singleuser.sh")), str(VENV_BIN)]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
# Dozens of kernels share a few cores: one BLAS thread each avoids oversubscribing them
# (capacity table in the README); the course's results do not depend on it.
c.Spawner.environment = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
# A whole class logging in at once queues for the cores: give starts time.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120

# --- the idle culler: stops servers (and their kernels) nobody has used for a while ----------
idle_timeout = int(os.environ.get("CVLAB_HUB_IDLE_TIMEOUT", "3600"))
cull_every = int(os.environ.get("CVLAB_HUB_CULL_EVERY", "300"))
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                    f"--timeout={idle_timeout}", f"--cull-every={cull_every}"],
    },
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
]
