"""Chapter 2 speed targets: cvlab.filters against scipy.ndimage, measured side by side.

* ``gaussian_blur`` on a 512×512 float64 image, σ ∈ {1, 2, 4, 8}: at most the
  time of ``scipy.ndimage.gaussian_filter`` with the same radius ⌈3σ⌉ and border
  (median ratio ≤ 1.0);
* ``correlate2d`` with a 3×3 kernel on 512×512: median ratio to
  ``scipy.ndimage.correlate`` ≤ 2.0.

Each round times scipy and cvlab back to back, so both see the same machine
load; the reported ratio is the median over rounds of cvlab's time / scipy's.
Exits non-zero if a target is missed.
"""

import math
import sys

import numpy as np
import scipy.ndimage as ndi
from _paired import paired_ratio

from cvlab import filters


def main():
    image = np.random.default_rng(0).random((512, 512))
    kernel = np.random.default_rng(1).normal(size=(3, 3))
    cases = []
    for sigma in (1, 2, 4, 8):
        radius = math.ceil(3 * sigma)
        expected = ndi.gaussian_filter(image, sigma, mode="reflect", radius=radius)
        assert np.allclose(filters.gaussian_blur(image, sigma), expected, rtol=0, atol=1e-12)
        cases.append((
            f"gaussian_blur sigma={sigma} (r={radius})", 1.0,
            lambda s=sigma, r=radius: ndi.gaussian_filter(image, s, mode="reflect", radius=r),
            lambda s=sigma: filters.gaussian_blur(image, s),
        ))
    assert np.allclose(filters.correlate2d(image, kernel), ndi.correlate(image, kernel, mode="constant"), atol=1e-12)
    cases.append(("correlate2d 3x3", 2.0,
                  lambda: ndi.correlate(image, kernel, mode="constant"),
                  lambda: filters.correlate2d(image, kernel)))

    print(f"{'512x512 float64':34s} {'scipy ms':>8s} {'cvlab ms':>8s} {'ratio':>6s}  target")
    missed = []
    for name, target, reference, candidate in cases:
        ratio, ref_ms, cand_ms = paired_ratio(reference, candidate)
        verdict = "ok" if ratio <= target else "MISSED"
        if ratio > target:
            missed.append(name)
        print(f"{name:34s} {ref_ms:8.2f} {cand_ms:8.2f} {ratio:6.2f}  <= {target:.1f} {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
