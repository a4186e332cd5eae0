"""Issue 18 targets for ``cvlab.filters.median_filter`` on camera (512 × 512) with a 31 × 31 window.

* peak memory at most 300 MB: each library runs in a fresh child process and
  reports its own peak resident set (``ru_maxrss``); the child's baseline
  (Python, NumPy, SciPy and the image) is reported too, and counted;
* time at most 3 × ``scipy.ndimage.median_filter``'s: the two alternate call
  by call (``_paired.paired_ratio``) so machine load hits both alike.

Both results are checked equal first. Exits non-zero if a target is missed.
"""

import json
import subprocess
import sys

import numpy as np
import scipy.ndimage as ndi
from _paired import paired_ratio

from cvlab import data, filters

SIZE = 31
MEMORY_TARGET_MB = 300.0
TIME_TARGET = 3.0

CHILD = f"""
import json, resource, sys
import numpy as np
import scipy.ndimage as ndi
from cvlab import data, filters
camera = data.load_image("camera")
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
if sys.argv[1] == "cvlab":
    filters.median_filter(camera, {SIZE})
else:
    ndi.median_filter(camera.astype(np.float64), size={SIZE}, mode="reflect")
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"baseline_mb": baseline, "peak_mb": peak}}))
"""


def peak_memory(which):
    """Peak resident memory, in MB, of a fresh process that runs one median filter."""
    child = subprocess.run([sys.executable, "-c", CHILD, which], capture_output=True, text=True, check=True)
    return json.loads(child.stdout.strip().splitlines()[-1])


def main():
    camera = data.load_image("camera")
    as_float = camera.astype(np.float64)
    assert np.array_equal(filters.median_filter(camera, SIZE), ndi.median_filter(as_float, size=SIZE, mode="reflect"))
    memory = {which: peak_memory(which) for which in ("cvlab", "scipy")}
    for which, figures in memory.items():
        print(f"median {SIZE}x{SIZE} on camera, {which}: peak {figures['peak_mb']:.0f} MB "
              f"(process baseline {figures['baseline_mb']:.0f} MB)")
    ratio, scipy_ms, cvlab_ms = paired_ratio(lambda: ndi.median_filter(as_float, size=SIZE, mode="reflect"),
                                             lambda: filters.median_filter(camera, SIZE), rounds=3)
    print(f"median {SIZE}x{SIZE} on camera: cvlab {cvlab_ms:.0f} ms, scipy {scipy_ms:.0f} ms, "
          f"median ratio {ratio:.2f} (target <= {TIME_TARGET})")
    missed = []
    if memory["cvlab"]["peak_mb"] > MEMORY_TARGET_MB:
        missed.append("memory")
    if ratio > TIME_TARGET:
        missed.append("time")
    print("ok" if not missed else f"MISSED: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
