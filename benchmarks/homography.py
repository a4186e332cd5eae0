"""Time cvlab's homography fits against scikit-image's, side by side.

* ``estimate_homography`` on 1000 noisy correspondences against
  ``ProjectiveTransform.from_estimate`` (both a normalized DLT);
* ``ransac(model="homography")`` on 300 matches with 50 % outliers against
  ``skimage.measure.ransac`` with ``ProjectiveTransform``, at the same
  threshold (2 px), the same confidence (0.99, skimage's ``stop_probability``)
  and the same ceiling on samples (1000).

Calls alternate, so machine load hits both alike; the score is the median
of the per-pair time ratios. Exits non-zero if either ratio exceeds 2.
"""

import sys

import numpy as np
from _paired import paired_ratio
from skimage.measure import ransac as sk_ransac
from skimage.transform import ProjectiveTransform

from cvlab import features

TARGET = 2.0
THRESHOLD, CONFIDENCE, CEILING = 2.0, 0.99, 1000


def _swap(points):
    """(row, col) <-> (x, y): scikit-image's transforms take (col, row)."""
    return points[:, ::-1].copy()


def _matches(n, outlier_share, rng):
    truth = np.array([[0.95, 0.08, 12.0], [-0.05, 1.02, -30.0], [2e-4, -1e-4, 1.0]])
    src = rng.uniform(0, 500, size=(n, 2))
    dst = features.transform_points(truth, src) + rng.normal(scale=0.3, size=(n, 2))
    wrong = rng.choice(n, int(outlier_share * n), replace=False)
    dst[wrong] = rng.uniform(0, 500, size=(len(wrong), 2))
    return src, dst


def main():
    rng = np.random.default_rng(0)
    failed = False

    src, dst = _matches(1000, 0.0, rng)
    src_xy, dst_xy = _swap(src), _swap(dst)
    ratio, theirs, ours = paired_ratio(lambda: ProjectiveTransform.from_estimate(src_xy, dst_xy),
                                       lambda: features.estimate_homography(src, dst), rounds=41)
    print(f"estimate_homography, 1000 points: cvlab {ours:.2f} ms, skimage {theirs:.2f} ms, "
          f"median ratio {ratio:.2f} (target <= {TARGET})")
    failed |= ratio > TARGET

    src, dst = _matches(300, 0.5, rng)
    data = (_swap(src), _swap(dst))
    seeds = iter(range(10**6))

    def theirs_ransac():
        return sk_ransac(data, ProjectiveTransform, min_samples=4, residual_threshold=THRESHOLD,
                         max_trials=CEILING, stop_probability=CONFIDENCE, rng=next(seeds))

    def ours_ransac():
        return features.ransac(src, dst, THRESHOLD, CEILING, next(seeds), model="homography", confidence=CONFIDENCE)

    ratio, theirs, ours = paired_ratio(theirs_ransac, ours_ransac, rounds=21)
    print(f"ransac homography, 300 matches, 50 % outliers: cvlab {ours:.1f} ms, skimage {theirs:.1f} ms, "
          f"median ratio {ratio:.2f} (target <= {TARGET})")
    failed |= ratio > TARGET
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
