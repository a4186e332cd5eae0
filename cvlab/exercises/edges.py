"""Self-checks for chapter 4's exercises: Sobel gradients, non-maximum suppression and hysteresis."""

import numpy as np
from scipy import ndimage as ndi

from .. import edges
from ._runner import check

__all__ = ["check_sobel_gradient", "check_non_max_suppression", "check_hysteresis"]


def _stacked_gradient(image):
    return np.stack(edges.gradient(image, "sobel"))


def check_sobel_gradient(student):
    """Check ``student(image)`` -> (gy, gx) against ``cvlab.edges.gradient(image, 'sobel')``.

    Taught in: 04_edges, "exercises".

    Examples
    --------
    >>> from cvlab.edges import gradient
    >>> check_sobel_gradient(gradient)
    Sobel gradient: all 4 checks passed.
    True
    >>> check_sobel_gradient(lambda image: gradient(image, "sobel")[::-1])   # (gx, gy): the wrong order
    Sobel gradient: wrong values for an input of shape (17, 23). Hint: gx = f ⋆ (1/8)[[-1, 0, 1], [-2, 0, 2], [-1, 0,
    1]] (correlation, x = column) and gy the same kernel transposed; replicate the edge pixels (np.pad(f, 1,
    mode='edge')); return (gy, gx).
    False
    """
    rng = np.random.default_rng(41)
    cases = [(rng.uniform(0, 255, size=(17, 23)),), (rng.integers(0, 256, size=(9, 9)).astype(np.uint8),),
             (np.tile(np.arange(12.0) * 3, (6, 1)),), (np.kron([[0.0, 1.0], [1.0, 0.0]], np.ones((6, 6))),)]
    return check(lambda image: np.stack(student(image)), _stacked_gradient, cases, "Sobel gradient",
                 "gx = f ⋆ (1/8)[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]] (correlation, x = column) and gy the same "
                 "kernel transposed; replicate the edge pixels (np.pad(f, 1, mode='edge')); return (gy, gx).")


def _smooth_field(rng, shape, sigma):
    """Magnitude and orientation of the gradient of smoothed noise: ridges like a photo's, no ties."""
    return edges.magnitude_orientation(*edges.gradient(ndi.gaussian_filter(rng.normal(size=shape), sigma)))


def check_non_max_suppression(student):
    """Check ``student(magnitude, orientation)`` against ``cvlab.edges.non_max_suppression``.

    Taught in: 04_edges, "exercises".

    Examples
    --------
    >>> from cvlab.edges import non_max_suppression
    >>> check_non_max_suppression(non_max_suppression)
    non-maximum suppression: all 3 checks passed.
    True
    >>> check_non_max_suppression(lambda magnitude, orientation: magnitude)
    non-maximum suppression: wrong values for an input of shape (24, 30). Hint: for each pixel off the one-pixel
    frame, step one pixel along (cos θ, sin θ) and back; interpolate |∇f| between the axis neighbour and the diagonal
    one with w = min(|sin θ|, |cos θ|) / max(|sin θ|, |cos θ|); keep the magnitude if it is > the point ahead and >=
    the point behind, else 0.
    False
    """
    rng = np.random.default_rng(42)
    cases = [_smooth_field(rng, shape, sigma) for shape, sigma in (((24, 30), 1.5), ((16, 16), 1.0), ((20, 12), 2.5))]
    return check(student, edges.non_max_suppression, cases, "non-maximum suppression",
                 "for each pixel off the one-pixel frame, step one pixel along (cos θ, sin θ) and back; interpolate "
                 "|∇f| between the axis neighbour and the diagonal one with w = min(|sin θ|, |cos θ|) / "
                 "max(|sin θ|, |cos θ|); keep the magnitude if it is > the point ahead and >= the point behind, "
                 "else 0.")


def check_hysteresis(student):
    """Check ``student(magnitude, low, high)`` -> bool edges against ``cvlab.edges.hysteresis``.

    Taught in: 04_edges, "exercises".

    Examples
    --------
    >>> from cvlab.edges import hysteresis
    >>> check_hysteresis(hysteresis)
    hysteresis: all 4 checks passed.
    True
    >>> check_hysteresis(lambda magnitude, low, high: magnitude >= high)   # strong pixels only, no linking
    hysteresis: wrong values for an input of shape (20, 25). Hint: label the 8-connected components of the weak
    pixels (magnitude >= low and > 0) with scipy.ndimage.label(weak, np.ones((3, 3))); keep every component that
    holds a pixel >= high.
    False
    """
    rng = np.random.default_rng(43)
    cases = []
    for shape, low, high in (((20, 25), 0.3, 0.7), ((12, 12), 0.5, 0.5), ((30, 18), 0.1, 0.9), ((8, 40), 0.0, 0.6)):
        magnitude = rng.random(shape) ** 2
        magnitude[rng.random(shape) < 0.5] = 0.0  # suppressed pixels, as after non-maximum suppression
        cases.append((magnitude, low, high))
    return check(student, edges.hysteresis, cases, "hysteresis",
                 "label the 8-connected components of the weak pixels (magnitude >= low and > 0) with "
                 "scipy.ndimage.label(weak, np.ones((3, 3))); keep every component that holds a pixel >= high.")
