"""Run a call in a fresh interpreter under a memory ceiling, so a regression fails a test, not the machine.

The child gets one BLAS thread and an address-space limit (``resource.RLIMIT_AS``).
``run_limited(call, setup)`` runs ``setup`` (imports, inputs), then times
``call``, and returns what was printed, the seconds the call took and the
child's peak resident memory.

>>> result = run_limited("print(x + 1)", setup="x = 1")
>>> result.output, result.seconds < 10
('2', True)
"""

import os
import resource
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
Limited = namedtuple("Limited", "output seconds peak_bytes")

_TEMPLATE = """
import resource, time
{setup}
_start = time.perf_counter()
{call}
print(f"@@seconds {{time.perf_counter() - _start:.6f}}")
print(f"@@peak {{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}}")
"""


def run_limited(call, setup="", address_space=3 * 2**30, timeout=300):
    """Return Limited(output, seconds, peak_bytes) of ``call`` run after ``setup`` in a child process.

    ``address_space`` caps virtual memory; imports alone map several hundred MB,
    so it sits well above the resident peak that tests assert on.
    """
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    script = _TEMPLATE.format(setup=setup, call=call)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout,
                          preexec_fn=limit, env=env, cwd=ROOT)
    if done.returncode != 0:
        raise AssertionError(f"the limited call failed:\n{done.stderr[-3000:]}")
    lines = done.stdout.strip().splitlines()
    values = {line.split()[0]: float(line.split()[1]) for line in lines if line.startswith("@@")}
    output = "\n".join(line for line in lines if not line.startswith("@@"))
    return Limited(output, values["@@seconds"], int(values["@@peak"]))
