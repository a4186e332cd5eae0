"""Chapter 4 speed target: cvlab.edges.canny against skimage.feature.canny on 512×512.

The camera image (uint8), σ ∈ {1, 2, 3}, with scikit-image's default thresholds
and with quantile thresholds (0.8, 0.9). Each round times scikit-image and cvlab
back to back, so both see the same machine load; the score is the median over
rounds of cvlab's time / scikit-image's. Target: ≤ 1.5. Exits non-zero if a
case misses it, or if the two edge maps differ in any pixel (chapter 4 asserts they are identical).
"""

import sys

from _paired import paired_ratio
from skimage.feature import canny as skimage_canny

from cvlab import data, edges

TARGET = 1.5


def main():
    image = data.load_image("camera")
    assert image.shape == (512, 512)
    print(f"{'canny 512x512 uint8':34s} {'skimage ms':>10s} {'cvlab ms':>8s} {'ratio':>6s}  target")
    missed = []
    for sigma in (1.0, 2.0, 3.0):
        for label, thresholds in (("default", {}), ("quantiles", dict(low_threshold=0.8, high_threshold=0.9,
                                                                       use_quantiles=True))):
            name = f"sigma={sigma:g}, {label} thresholds"
            ours = edges.canny(image, sigma, **thresholds)
            theirs = skimage_canny(image, sigma, **thresholds)
            different = int((ours != theirs).sum())
            ratio, theirs_ms, ours_ms = paired_ratio(lambda s=sigma, t=thresholds: skimage_canny(image, s, **t),
                                                     lambda s=sigma, t=thresholds: edges.canny(image, s, **t),
                                                     rounds=31)
            ok = ratio <= TARGET and different == 0
            if not ok:
                missed.append(name)
            print(f"{name:34s} {theirs_ms:10.1f} {ours_ms:8.1f} {ratio:6.2f}  <= {TARGET} "
                  f"{'ok' if ok else 'MISSED'} ({different} pixels differ)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
