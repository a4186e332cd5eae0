"""Time cvlab.features.harris_response against skimage.feature.corner_harris on 512x512.

Both run at the same σ and k, alternating call by call so machine load hits
both alike; the score is the median of the per-pair time ratios.
Exits non-zero if the median ratio exceeds 1.5.
"""

import statistics
import sys
import time

from skimage.feature import corner_harris

from cvlab import data
from cvlab.features import harris_response

TARGET = 1.5


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


def main(pairs=30):
    image = data.load_image("camera")  # 512x512 uint8
    assert image.shape == (512, 512)
    image = image / 255.0  # float input for both, so neither pays for a conversion the other skips
    for _ in range(3):  # warm up
        harris_response(image, 1.0, 0.05), corner_harris(image, k=0.05, sigma=1.0)
    ours, theirs, ratios = [], [], []
    for _ in range(pairs):
        a = timed(harris_response, image, sigma=1.0, k=0.05)
        b = timed(corner_harris, image, k=0.05, sigma=1.0)
        ours.append(a), theirs.append(b), ratios.append(a / b)
    ratio = statistics.median(ratios)
    print(f"harris_response 512x512: cvlab {1000 * statistics.median(ours):.1f} ms, "
          f"skimage {1000 * statistics.median(theirs):.1f} ms, median ratio {ratio:.2f} (target <= {TARGET})")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
