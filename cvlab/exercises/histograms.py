"""Self-checks for chapter 1's exercises."""

import numpy as np

from .. import histogram, pointops
from ._runner import check

__all__ = ["check_histogram", "check_saturated_add"]


def _images(seed, count=5):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, size=rng.integers(1, 40, size=2), dtype=np.uint8) for _ in range(count)]


def check_histogram(student):
    """Check ``student(image)`` against ``cvlab.histogram.histogram(image)`` on uint8 images.

    Taught in: 01_histograms, "练习".

    Examples
    --------
    >>> check_histogram(lambda image: np.bincount(image.ravel(), minlength=256))
    histogram: all 5 checks passed.
    True
    """
    return check(student, histogram.histogram, [(image,) for image in _images(0)], "histogram",
                 "count every level 0..255, so the result has 256 entries that sum to H*W.")


def check_saturated_add(student):
    """Check ``student(image, delta)`` against ``cvlab.pointops.add`` on uint8 images.

    Taught in: 01_histograms, "练习".

    Examples
    --------
    >>> check_saturated_add(lambda image, delta: image + delta)
    saturated add: wrong values for an input of shape (19, 20). Hint: compute in a wider dtype (e.g. int16), clip to
    [0, 255], then cast back to uint8.
    False
    """
    cases = [(image, delta) for image, delta in zip(_images(1), (20, -20, 100, -100, 255))]
    return check(student, pointops.add, cases, "saturated add",
                 "compute in a wider dtype (e.g. int16), clip to [0, 255], then cast back to uint8.")
