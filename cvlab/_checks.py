"""Input checks shared by every cvlab module.

Each check names the offending parameter in its message, so a student sees
``ValueError: image must be 2-D (H, W) or 3-D (H, W, 3); got shape (5,)``
instead of an ``IndexError`` deep inside NumPy.

What cvlab accepts (the same everywhere):

* arrays or nested Python lists (converted with ``np.asarray``);
* grey images of shape (H, W) and RGB images of shape (H, W, 3);
  RGBA is rejected with a hint to drop the alpha channel (``image[..., :3]``);
* real numeric dtypes only: bool, complex, object, string, datetime and
  timedelta arrays are rejected, and so are masked arrays (their mask would be
  silently dropped) and float16 or long double (cvlab computes in float64);
* no NaN or infinity.

Size-like arguments (sigma, kernel size, patch size, window, iterations, sample
count) have a documented ceiling, a module constant such as ``MAX_SIGMA``, chosen
so that no single call on the course's data needs more than about 1 GB or 10 s.
Past it the call raises ``ValueError`` naming the parameter and the ceiling.

Point operations and histograms work on *levels*: uint8 in [0, 255], or
float in [0, 1]. Filters accept any finite real image and work in float64.
"""

import numbers

import numpy as np

__all__ = []


def as_array(value, name, *, ndim=None, min_size=1, finite=True):
    """Return ``value`` as a real numeric ndarray, or raise naming ``name``."""
    if value is None:
        raise TypeError(f"{name} must be an array, not None")
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(f"{name} must be a plain array, not a masked array; fill it first ({name}.filled(...))")
    try:
        array = np.asarray(value)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array: {error}") from None
    if array.dtype == bool or array.dtype.kind in "mM" or not (
        np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
    ):
        raise TypeError(f"{name} must have a real numeric dtype; got {array.dtype}")
    if array.dtype in (np.float16, np.longdouble) and array.dtype != np.float64:
        raise TypeError(f"{name} must be float32, float64 or an integer dtype; got {array.dtype}")
    if ndim is not None and array.ndim not in np.atleast_1d(ndim):
        raise ValueError(f"{name} must be {ndim}-D; got shape {array.shape}")
    if array.size < min_size or 0 in array.shape:
        raise ValueError(f"{name} must not be empty; got shape {array.shape}")
    if finite and np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
        raise ValueError(f"{name} must not contain NaN or infinity")
    return array


def as_image(image, name="image", *, color=True):
    """Return a grey (H, W) or, if ``color``, RGB (H, W, 3) image as an ndarray."""
    array = as_array(image, name)
    if array.ndim == 3 and array.shape[2] == 4:
        raise ValueError(f"{name} is RGBA (H, W, 4); drop the alpha channel with {name}[..., :3]")
    if array.ndim == 2 or (color and array.ndim == 3 and array.shape[2] == 3):
        return array
    expected = "2-D (H, W) or 3-D (H, W, 3)" if color else "2-D (H, W)"
    raise ValueError(f"{name} must be {expected}; got shape {array.shape}")


def as_levels(image, name="image", *, color=True):
    """Return an image of grey levels: uint8 in [0, 255] or float64 in [0, 1].

    Integer images with values in [0, 255] are converted to uint8.
    """
    array = as_image(image, name, color=color)
    if array.dtype == np.uint8:
        return array
    if np.issubdtype(array.dtype, np.integer):
        if array.min() < 0 or array.max() > 255:
            raise ValueError(f"integer {name} must lie in [0, 255]; got [{array.min()}, {array.max()}]")
        return array.astype(np.uint8)
    if array.min() < 0 or array.max() > 1:
        raise ValueError(
            f"float {name} must lie in [0, 1]; got [{array.min():.3g}, {array.max():.3g}]"
            " (divide by 255, or convert to uint8)"
        )
    return array.astype(np.float64, copy=False)


def as_float_image(image, name="image", *, color=True):
    """Return a finite image as float64, the working dtype of every filter."""
    return as_image(image, name, color=color).astype(np.float64, copy=False)


def as_real(value, name, *, minimum=None, maximum=None, strict=False):
    """Return a finite real scalar, optionally bounded below (``strict``: > minimum)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}")
    try:
        value = float(value)
    except OverflowError:
        raise ValueError(f"{name} must be finite; got an integer too large for a float") from None
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        relation = ">" if strict else ">="
        raise ValueError(f"{name} must be {relation} {minimum}; got {value:g}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}; got {value:g}")
    return value


def as_int(value, name, *, minimum=None, maximum=None):
    """Return an integer scalar within [minimum, maximum]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}; got {value}")
    return value


def as_odd(value, name, *, minimum=1, maximum=None):
    """Return an odd integer within [minimum, maximum]: a window or kernel with a centre pixel."""
    value = as_int(value, name, minimum=minimum, maximum=maximum)
    if value % 2 == 0:
        raise ValueError(f"{name} must be odd so it has a centre; got {value}")
    return value


def as_int_pair(value, name, *, minimum=None):
    """Return (rows, cols) from an int or a pair of ints, each at least ``minimum``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints; got {value!r}")
        return tuple(as_int(v, name, minimum=minimum) for v in value)
    value = as_int(value, name, minimum=minimum)
    return value, value


def as_choice(value, name, choices):
    """Return ``value`` if it is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}; got {value!r}")
    return value


def as_rng(rng, name="rng"):
    """Return a NumPy Generator: ``rng`` itself, or one seeded with the non-negative int ``rng``."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (bool, np.bool_)) or not isinstance(rng, numbers.Integral):
        raise TypeError(f"{name} must be a numpy.random.Generator or an int seed; got {type(rng).__name__}")
    return np.random.default_rng(as_int(rng, name, minimum=0))


def as_callable(value, name):
    """Return ``value`` if it can be called."""
    if not callable(value):
        raise TypeError(f"{name} must be callable; got {type(value).__name__}")
    return value
