"""Self-checks for chapter 2's exercises: zero padding, a correlation with loops, a Gaussian kernel."""

import numpy as np

from .. import filters
from ._runner import check

__all__ = ["check_zero_pad", "check_correlate2d", "check_gaussian_kernel"]


def _grey_images(seed, count=4):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, size=rng.integers(3, 14, size=2)).astype(np.float64) for _ in range(count)]


def check_zero_pad(student):
    """Check ``student(image, P)`` against ``cvlab.filters.pad(image, P, 'constant')``.

    Taught in: 02_filtering, "练习".

    Examples
    --------
    >>> def zero_pad(image, P):
    ...     out = np.zeros((image.shape[0] + 2 * P, image.shape[1] + 2 * P))
    ...     out[P:P + image.shape[0], P:P + image.shape[1]] = image
    ...     return out
    >>> check_zero_pad(zero_pad)
    zero padding: all 4 checks passed.
    True
    >>> check_zero_pad(lambda image, P: np.pad(image, P, mode="edge"))
    zero padding: wrong values for an input of shape (12, 10). Hint: make a zero array of shape (H + 2P, W + 2P) and
    copy the image into its centre, rows P..P+H-1 and columns P..P+W-1.
    False
    """
    cases = list(zip(_grey_images(0), (1, 2, 0, 3)))
    return check(student, lambda image, P: filters.pad(image, P, "constant"), cases, "zero padding",
                 "make a zero array of shape (H + 2P, W + 2P) and copy the image into its centre, "
                 "rows P..P+H-1 and columns P..P+W-1.")


def check_correlate2d(student):
    """Check ``student(image, kernel)`` against ``cvlab.filters.correlate2d(image, kernel)`` ('same', zero border).

    The kernels are odd (3 × 3, 5 × 5, 3 × 5) and asymmetric, so a flipped
    kernel (a convolution) is caught.

    Taught in: 02_filtering, "练习".

    Examples
    --------
    >>> def loops(image, kernel):
    ...     kh, kw = kernel.shape
    ...     padded = np.pad(image, ((kh // 2, kh // 2), (kw // 2, kw // 2)))
    ...     out = np.zeros(image.shape)
    ...     for m in range(image.shape[0]):
    ...         for n in range(image.shape[1]):
    ...             out[m, n] = np.sum(kernel * padded[m:m + kh, n:n + kw])
    ...     return out
    >>> check_correlate2d(loops)
    correlate2d: all 4 checks passed.
    True
    >>> check_correlate2d(lambda image, kernel: loops(image, kernel[::-1, ::-1]))
    correlate2d: wrong values for an input of shape (12, 10). Hint: pad k = K // 2 zeros on each side, then S(m, n)
    = sum over i, j of w(i, j) * padded(m + i, n + j); do not flip the kernel (that would be a convolution).
    False
    """
    rng = np.random.default_rng(1)
    shapes = [(3, 3), (5, 5), (3, 5), (1, 3)]
    cases = [(image, rng.normal(size=shape)) for image, shape in zip(_grey_images(0), shapes)]
    return check(student, filters.correlate2d, cases, "correlate2d",
                 "pad k = K // 2 zeros on each side, then S(m, n) = sum over i, j of w(i, j) * padded(m + i, n + j); "
                 "do not flip the kernel (that would be a convolution).")


def check_gaussian_kernel(student):
    """Check ``student(sigma, radius)`` against ``cvlab.filters.gaussian_kernel2d(sigma, radius)``.

    Taught in: 02_filtering, "练习".

    Examples
    --------
    >>> def gaussian(sigma, radius):
    ...     i = np.arange(-radius, radius + 1)
    ...     w = np.exp(-(i[:, None] ** 2 + i[None, :] ** 2) / (2 * sigma**2)) / (2 * np.pi * sigma**2)
    ...     return w / w.sum()
    >>> check_gaussian_kernel(gaussian)
    gaussian kernel: all 4 checks passed.
    True
    >>> check_gaussian_kernel(lambda sigma, radius: gaussian(sigma, radius) * gaussian(sigma, radius).size)
    gaussian kernel: wrong values for an input of shape (). Hint: sample (1 / 2 pi sigma^2) exp(-(i^2 + j^2) / 2
    sigma^2) for i, j in -radius..radius, then divide by the sum so the kernel sums to 1.
    False
    """
    cases = [(1.0, 3), (0.5, 1), (2.0, 6), (1.5, 2)]
    return check(student, filters.gaussian_kernel2d, cases, "gaussian kernel",
                 "sample (1 / 2 pi sigma^2) exp(-(i^2 + j^2) / 2 sigma^2) for i, j in -radius..radius, "
                 "then divide by the sum so the kernel sums to 1.")
