"""Point operations g(x, y) = T(f(x, y)) and coordinate operations g(x, y) = f(T(x, y)).

Dtype policy: images are uint8 levels in [0, 255] or floats in [0, 1].
Point operations compute in float64 and **saturate** to that range, then
return the input's dtype (uint8 results are rounded to the nearest level).
Raw NumPy arrays wrap around instead: ``np.array([250], np.uint8) + 20`` is ``[14]``.
"""

import numpy as np

from ._checks import as_image, as_int, as_levels, as_real

__all__ = ["add", "invert", "scale", "gamma", "flip_horizontal", "shift"]


def _saturate(values, like):
    """Clip float ``values`` to the range of ``like``'s levels and cast back."""
    if like.dtype == np.uint8:
        return np.clip(np.rint(values), 0, 255).astype(np.uint8)
    return np.clip(values, 0.0, 1.0)


def _white(levels):
    return 255.0 if levels.dtype == np.uint8 else 1.0


def add(image, delta):
    """Brighten or darken: g(x, y) = f(x, y) + delta, saturated.

    Parameters
    ----------
    image : array_like
        Grey or RGB levels (uint8, or float in [0, 1]).
    delta : float
        Offset in the image's own units (e.g. 20 for uint8).

    Returns
    -------
    ndarray, same shape and dtype as ``image``

    Examples
    --------
    >>> add(np.array([[0, 100, 250]], dtype=np.uint8), 20)
    array([[ 20, 120, 255]], dtype=uint8)
    """
    levels = as_levels(image)
    return _saturate(levels + as_real(delta, "delta"), levels)


def invert(image):
    """Negative image: g(x, y) = 255 − f(x, y) (or 1 − f for floats).

    Examples
    --------
    >>> invert(np.array([[0, 55, 255]], dtype=np.uint8))
    array([[255, 200,   0]], dtype=uint8)
    """
    levels = as_levels(image)
    return _saturate(_white(levels) - levels.astype(np.float64), levels)


def scale(image, factor):
    """Contrast gain: g(x, y) = f(x, y) · factor, saturated.

    Parameters
    ----------
    image : array_like
        Grey or RGB levels.
    factor : float
        Non-negative gain; the notes' example is 2.

    Examples
    --------
    >>> scale(np.array([[10, 100, 200]], dtype=np.uint8), 2)
    array([[ 20, 200, 255]], dtype=uint8)
    """
    levels = as_levels(image)
    return _saturate(levels * as_real(factor, "factor", minimum=0), levels)


def gamma(image, g):
    """Gamma correction: f is normalized to [0, 1] and raised to the power g.

    g(x, y) = 255 · (f(x, y) / 255) ** g for uint8; g < 1 brightens the
    shadows, g > 1 darkens them.

    Examples
    --------
    >>> gamma(np.array([[0, 64, 255]], dtype=np.uint8), 0.5)
    array([[  0, 128, 255]], dtype=uint8)
    """
    levels = as_levels(image)
    exponent = as_real(g, "g", minimum=0, strict=True)
    white = _white(levels)
    return _saturate(white * (levels / white) ** exponent, levels)


def flip_horizontal(image):
    """Mirror left-right: g(x, y) = f(−x, y), with x counted from the centre.

    Examples
    --------
    >>> flip_horizontal(np.array([[1, 2, 3]]))
    array([[3, 2, 1]])
    """
    pixels = as_image(image)
    return pixels[:, ::-1].copy()


def shift(image, dy, dx, fill=0):
    """Translate: g(y, x) = f(y − dy, x − dx); pixels from outside become ``fill``.

    Positive ``dy`` moves the content down, positive ``dx`` to the right.
    This is the notes' f'(m, n) = f(m − m₀, n − n₀) with a zero border.

    Parameters
    ----------
    image : array_like
        Grey or RGB image of any real dtype.
    dy, dx : int
        Shift in rows and columns.
    fill : float
        Value for uncovered pixels; must fit the image's dtype.

    Examples
    --------
    >>> shift(np.array([[1, 2, 3], [4, 5, 6]]), 1, -1)
    array([[0, 0, 0],
           [2, 3, 0]])
    """
    pixels = as_image(image)
    dy = as_int(dy, "dy")
    dx = as_int(dx, "dx")
    fill = as_real(fill, "fill")
    if np.issubdtype(pixels.dtype, np.integer):
        info = np.iinfo(pixels.dtype)
        if fill != int(fill) or not info.min <= fill <= info.max:
            raise ValueError(f"fill must be a {pixels.dtype} value; got {fill:g}")
    out = np.full_like(pixels, fill)
    height, width = pixels.shape[:2]
    if abs(dy) < height and abs(dx) < width:
        out[max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = pixels[
            max(-dy, 0):height + min(-dy, 0), max(-dx, 0):width + min(-dx, 0)
        ]
    return out
