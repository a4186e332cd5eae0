"""Time cvlab.features.harris_response against skimage.feature.corner_harris on 512x512.

Both run at the same σ and k, alternating call by call so machine load hits
both alike; the score is the median of the per-pair time ratios.
Exits non-zero if the median ratio exceeds 1.5.
"""

import sys

from _paired import paired_ratio
from skimage.feature import corner_harris

from cvlab import data
from cvlab.features import harris_response

TARGET = 1.5


def main():
    image = data.load_image("camera")  # 512x512 uint8
    assert image.shape == (512, 512)
    image = image / 255.0  # float input for both, so neither pays for a conversion the other skips
    ratio, theirs, ours = paired_ratio(lambda: corner_harris(image, k=0.05, sigma=1.0),
                                       lambda: harris_response(image, sigma=1.0, k=0.05), rounds=30)
    print(f"harris_response 512x512: cvlab {ours:.1f} ms, skimage {theirs:.1f} ms, "
          f"median ratio {ratio:.2f} (target <= {TARGET})")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
