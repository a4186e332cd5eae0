"""Self-checks for chapter 7's exercises (PixelCNN)."""

import numpy as np

from ..pixelcnn import bits_per_dim, causal_mask
from ._runner import check

__all__ = ["check_type_a_mask", "check_bits_per_dim"]


def check_type_a_mask(student):
    """Check ``student(kernel_size)`` -> (k, k) 0/1 mask against ``causal_mask(k, 'A')[0, 0]``.

    Taught in: 07_pixelcnn, "Exercises".

    Examples
    --------
    >>> check_type_a_mask(lambda k: np.tril(np.ones((k, k)), -1)[::-1, ::-1].T)
    type-A mask: wrong values for an input of shape (). Hint: ones on every row above the centre and left of the
    centre on its row; the centre and everything after it are 0.
    False
    >>> check_type_a_mask(lambda k: causal_mask(k, "A")[0, 0])
    type-A mask: all 4 checks passed.
    True
    """
    return check(student, lambda k: causal_mask(k, "A")[0, 0], [(k,) for k in (1, 3, 5, 7)], "type-A mask",
                 "ones on every row above the centre and left of the centre on its row; "
                 "the centre and everything after it are 0.")


def check_bits_per_dim(student):
    """Check ``student(nll_nats, dims)`` against ``cvlab.pixelcnn.bits_per_dim``.

    Taught in: 07_pixelcnn, "Exercises".

    Examples
    --------
    >>> check_bits_per_dim(lambda nll, dims: nll / dims / np.log(2))
    bits/dim: all 4 checks passed.
    True
    """
    cases = [(np.float64(64 * np.log(17)), 64), (np.float64(100.0), 64), (np.array([50.0, 80.0]), 64),
             (np.float64(3.0), 1)]
    return check(student, bits_per_dim, cases, "bits/dim",
                 "divide the NLL in nats by the number of dimensions and by ln 2.")
