"""Point operations g(x, y) = T(f(x, y)) and coordinate operations g(x, y) = f(T(x, y)).

Dtype policy: images are levels, uint8 in [0, 255] or floats in [0, 1]
(integer images of any dtype with values in [0, 255] count as uint8 levels).
Point operations compute in float64 and **saturate** to that range, then
return uint8 for integer input (rounded to the nearest level, halves up) and
float64 for float input. Raw NumPy arrays wrap around instead:
``np.array([250], np.uint8) + 20`` is ``[14]``.

Coordinate operations (:func:`flip_horizontal`, :func:`shift`) move pixels and
keep any real dtype.
"""

import numpy as np

from ._checks import as_image, as_int, as_levels, as_real
from .histogram import _histograms

__all__ = ["add", "invert", "scale", "gamma", "adjust", "saturated_fraction", "adjust_with_histogram", "to_uint8",
           "flip_horizontal", "shift"]


_ALL_LEVELS = np.arange(256, dtype=np.uint8)


def _white(levels):
    return 255.0 if levels.dtype == np.uint8 else 1.0


def _round_to_uint8(values):
    """Saturate to [0, 255] and round halves up, so no two levels merge.

    Rounding half to even (``np.rint``) would send 0.5 → 0 but 1.5 → 2: adding 0.5
    to every level would merge levels 1 and 2 and leave a gap elsewhere.
    """
    return np.floor(np.clip(values, 0.0, 255.0) + 0.5).astype(np.uint8)


def _saturate(values, like):
    """Clip float ``values`` to the range of ``like``'s levels (uint8: rounded to the nearest level)."""
    if like.dtype == np.uint8:
        return _round_to_uint8(values)
    return np.clip(values, 0.0, 1.0)


def _add(levels, delta):
    return _saturate(levels + delta, levels)


def _scale(levels, factor):
    with np.errstate(over="ignore"):  # a huge factor gives inf, which saturates to white as it should
        return _saturate(levels * factor, levels)


def _gamma(levels, exponent):
    white = _white(levels)
    return _saturate(white * (levels / white) ** exponent, levels)


def add(image, delta):
    """Brighten or darken: g(x, y) = f(x, y) + delta, saturated.

    Parameters
    ----------
    image : array_like
        Grey or RGB levels (uint8, or float in [0, 1]).
    delta : float
        Offset in the image's own units (e.g. 20 for uint8, 0.08 for floats).

    Returns
    -------
    ndarray, same shape as ``image``
        uint8 for integer levels (nearest level, halves up), float64 for floats.

    See Also
    --------
    scale, adjust

    Taught in: 01_histograms, "点操作".

    Examples
    --------
    >>> add(np.array([[0, 100, 250]], dtype=np.uint8), 20)
    array([[ 20, 120, 255]], dtype=uint8)
    >>> add(np.array([[0, 1, 2]], dtype=np.uint8), 0.5)      # every level moves up by one
    array([[1, 2, 3]], dtype=uint8)
    """
    levels = as_levels(image)
    return _add(levels, as_real(delta, "delta"))


def invert(image):
    """Negative image: g(x, y) = 255 − f(x, y) (or 1 − f for floats).

    Parameters
    ----------
    image : array_like
        Grey or RGB levels.

    Returns
    -------
    ndarray, same shape as ``image``
        uint8 for integer levels, float64 for floats.

    See Also
    --------
    add

    Taught in: 01_histograms, "点操作".

    Examples
    --------
    >>> invert(np.array([[0, 55, 255]], dtype=np.uint8))
    array([[255, 200,   0]], dtype=uint8)
    >>> invert(np.array([[0.25]], dtype=np.float32))
    array([[0.75]])
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

    Returns
    -------
    ndarray, same shape as ``image``
        uint8 for integer levels, float64 for floats.

    See Also
    --------
    add, adjust

    Taught in: 01_histograms, "点操作".

    Examples
    --------
    >>> scale(np.array([[10, 100, 200]], dtype=np.uint8), 2)
    array([[ 20, 200, 255]], dtype=uint8)
    """
    levels = as_levels(image)
    return _scale(levels, as_real(factor, "factor", minimum=0))


def gamma(image, g):
    """Gamma correction: f is normalized to [0, 1] and raised to the power g.

    g(x, y) = 255 · (f(x, y) / 255) ** g for uint8; g < 1 brightens the
    shadows, g > 1 darkens them.

    Parameters
    ----------
    image : array_like
        Grey or RGB levels.
    g : float
        Exponent > 0.

    Returns
    -------
    ndarray, same shape as ``image``
        uint8 for integer levels, float64 for floats.

    See Also
    --------
    adjust

    Taught in: 01_histograms, "点操作".

    Examples
    --------
    >>> gamma(np.array([[0, 64, 255]], dtype=np.uint8), 0.5)
    array([[  0, 128, 255]], dtype=uint8)
    """
    levels = as_levels(image)
    return _gamma(levels, as_real(g, "g", minimum=0, strict=True))


def adjust(image, factor=1.0, delta=0.0, g=1.0):
    """Contrast, then brightness, then gamma: g(x, y) = gamma(sat(f(x, y) · factor) + delta), each step saturated.

    The chain an image editor's three sliders apply, checked once. Each step
    saturates (and for uint8 rounds) before the next, exactly as
    ``gamma(add(scale(f, factor), delta), g)``.

    Parameters
    ----------
    image : array_like
        Grey or RGB levels.
    factor : float
        Contrast gain ≥ 0.
    delta : float
        Brightness offset in the image's units.
    g : float
        Gamma exponent > 0.

    Returns
    -------
    ndarray, same shape as ``image``
        uint8 for integer levels, float64 for floats.

    See Also
    --------
    scale, add, gamma, saturated_fraction

    Taught in: 01_histograms, "点操作".

    Examples
    --------
    >>> adjust(np.array([[10, 100, 200]], dtype=np.uint8), factor=2, delta=-20, g=1.0)
    array([[  0, 180, 235]], dtype=uint8)
    """
    return _adjust(*_adjust_arguments(image, factor, delta, g))


def _adjust_arguments(image, factor, delta, g):
    levels = as_levels(image)
    factor = as_real(factor, "factor", minimum=0)
    delta = as_real(delta, "delta")
    exponent = as_real(g, "g", minimum=0, strict=True)
    return levels, factor, delta, exponent


def _adjust(levels, factor, delta, exponent):
    if levels.dtype == np.uint8:
        # Each step maps a level to a level, so the chain is a 256-entry lookup table:
        # computed on the 256 levels once, then indexed, instead of on every pixel.
        table = _gamma(_add(_scale(_ALL_LEVELS, factor), delta), exponent)
        return table[levels]
    return _gamma(_add(_scale(levels, factor), delta), exponent)


def saturated_fraction(image):
    """Fraction of pixels (or channel values) at either end of the range: #{f = 0 or f = white} / N.

    After a saturating point operation these are the values that were clipped
    (plus any that were already black or white).

    Parameters
    ----------
    image : array_like
        Grey or RGB levels (white = 255 for uint8, 1 for floats).

    Returns
    -------
    float, in [0, 1]

    See Also
    --------
    adjust

    Taught in: 01_histograms, "点操作".

    Examples
    --------
    >>> saturated_fraction(np.array([[0, 17, 255, 255]], dtype=np.uint8))
    0.75
    """
    return _saturated_fraction(as_levels(image))


def _saturated_fraction(levels):
    return float(np.mean((levels == 0) | (levels == _white(levels))))


def adjust_with_histogram(image, factor=1.0, delta=0.0, g=1.0):
    """:func:`adjust`, with what it did to the levels: the result g, its histogram and its saturated fraction.

    g = gamma(sat(f · factor) + delta), each step saturated as in :func:`adjust`;
    h_g(k) = #{(x, y) : g(x, y) in bin k} over 256 bins, as
    :func:`cvlab.histogram.histogram`; s = #{g = 0 or g = white} / N, as
    :func:`saturated_fraction`. The image is checked once, so a slider that
    moves the three parameters pays for one check, not three.

    Parameters
    ----------
    image : array_like
        Grey or RGB levels.
    factor, delta, g : float
        As for :func:`adjust`.

    Returns
    -------
    adjusted : ndarray, same shape as ``image``
        uint8 for integer levels, float64 for floats.
    hist : ndarray of int64
        Shape (256,) for a grey image, (3, 256) for RGB.
    saturated : float, in [0, 1]

    See Also
    --------
    adjust, saturated_fraction, cvlab.histogram.histogram

    Taught in: 01_histograms, "点操作".

    Examples
    --------
    >>> out, hist, saturated = adjust_with_histogram(np.array([[10, 100, 200]], dtype=np.uint8), factor=2)
    >>> out, hist[[20, 200, 255]], round(saturated, 3)
    (array([[ 20, 200, 255]], dtype=uint8), array([1, 1, 1]), 0.333)
    """
    adjusted = _adjust(*_adjust_arguments(image, factor, delta, g))
    return adjusted, _histograms(adjusted), _saturated_fraction(adjusted)


def to_uint8(image):
    """Quantize levels to uint8: g(x, y) = ⌊255 · f(x, y) + 1/2⌋ for floats in [0, 1]; uint8 stays as is.

    Parameters
    ----------
    image : array_like
        Grey or RGB levels (uint8, or float in [0, 1]).

    Returns
    -------
    ndarray of uint8, same shape as ``image``

    See Also
    --------
    add : saturates and rounds the same way.

    Taught in: 01_histograms, "像素矩阵".

    Examples
    --------
    >>> to_uint8(np.array([[0.0, 0.5, 1.0]]))
    array([[  0, 128, 255]], dtype=uint8)
    """
    levels = as_levels(image)
    if levels.dtype == np.uint8:
        return levels.copy()
    return _round_to_uint8(255.0 * levels)


def flip_horizontal(image):
    """Mirror left-right: g(x, y) = f(−x, y), with x counted from the centre.

    Parameters
    ----------
    image : array_like
        Grey or RGB image of any real dtype.

    Returns
    -------
    ndarray, same shape and dtype as ``image``

    See Also
    --------
    shift

    Taught in: 01_histograms, "坐标操作".

    Examples
    --------
    >>> flip_horizontal(np.array([[1, 2, 3]]))
    array([[3, 2, 1]])
    """
    pixels = as_image(image)
    return pixels[:, ::-1].copy()


def _shift(pixels, dy, dx, fill=0):
    out = np.full_like(pixels, fill)
    height, width = pixels.shape[:2]
    if abs(dy) < height and abs(dx) < width:
        out[max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = pixels[
            max(-dy, 0):height + min(-dy, 0), max(-dx, 0):width + min(-dx, 0)
        ]
    return out


def shift(image, dy, dx, fill=0):
    """Translate: g(y, x) = f(y − dy, x − dx); pixels from outside become ``fill``.

    Positive ``dy`` moves the content down, positive ``dx`` to the right.
    This is the notes' f'(m, n) = f(m − m₀, n − n₀) with a zero border.

    Parameters
    ----------
    image : array_like
        Grey or RGB image of any real dtype.
    dy, dx : int
        Shift in rows and columns (any size; past the image everything is ``fill``).
    fill : float
        Value for uncovered pixels; must fit the image's dtype.

    Returns
    -------
    ndarray, same shape and dtype as ``image``

    See Also
    --------
    flip_horizontal, cvlab.convolution.shift_paths

    Taught in: 01_histograms, "坐标操作".

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
    return _shift(pixels, dy, dx, fill)
