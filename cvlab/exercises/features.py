"""Self-checks for chapter 5's exercises: the structure tensor and Lowe's ratio test."""

import numpy as np

from .. import features
from ._runner import check

__all__ = ["check_structure_tensor", "check_ratio_test"]


def _stacked_structure_tensor(image, sigma):
    return np.stack(features.structure_tensor(image, sigma))


def check_structure_tensor(student):
    """Check ``student(image, sigma)`` -> (Axx, Axy, Ayy) against ``cvlab.features.structure_tensor``.

    Taught in: 05_corners, "Exercises".

    Examples
    --------
    >>> from cvlab.features import structure_tensor
    >>> check_structure_tensor(structure_tensor)
    structure tensor: all 4 checks passed.
    True
    >>> check_structure_tensor(lambda image, sigma: structure_tensor(image, 1.0))
    structure tensor: wrong values for an input of shape (23, 31). Hint: use cvlab.features.gradients for (Iy, Ix),
    multiply them pairwise, then smooth each product with scipy.ndimage.gaussian_filter(..., sigma, mode='nearest').
    False
    """
    rng = np.random.default_rng(4)
    cases = [(rng.uniform(0, 255, size=(23, 31)), sigma) for sigma in (0.7, 1.0, 2.0)]
    cases.append((np.kron([[0.0, 1.0], [1.0, 0.0]], np.ones((10, 10))), 1.5))
    return check(lambda image, sigma: np.stack(student(image, sigma)), _stacked_structure_tensor, cases,
                 "structure tensor",
                 "use cvlab.features.gradients for (Iy, Ix), multiply them pairwise, then smooth each product "
                 "with scipy.ndimage.gaussian_filter(..., sigma, mode='nearest').")


def check_ratio_test(student):
    """Check ``student(desc1, desc2, ratio)`` -> (M, 2) index pairs against ``cvlab.features.match``.

    Taught in: 05_corners, "Exercises".

    Examples
    --------
    >>> from cvlab.features import match
    >>> check_ratio_test(match)
    ratio test: all 4 checks passed.
    True
    >>> def nearest_only(desc1, desc2, ratio):
    ...     d = np.linalg.norm(desc1[:, None] - desc2[None], axis=2)
    ...     return np.column_stack([np.arange(len(desc1)), d.argmin(1)])
    >>> check_ratio_test(nearest_only)
    ratio test: expected shape (7, 2), got (12, 2). Hint: keep pair (i, j) only if the nearest distance is below
    ratio times the second-nearest distance; return an (M, 2) integer array in increasing i.
    False
    """
    rng = np.random.default_rng(5)
    cases = []
    for ratio in (0.6, 0.8, 0.9, 1.0):
        a, b = rng.normal(size=(12, 8)), rng.normal(size=(15, 8))
        b[:6] = a[:6] + 0.05 * rng.normal(size=(6, 8))
        cases.append((a, b, ratio))
    return check(student, features.match, cases, "ratio test",
                 "keep pair (i, j) only if the nearest distance is below ratio times the second-nearest "
                 "distance; return an (M, 2) integer array in increasing i.")
