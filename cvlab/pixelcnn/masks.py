"""Causal masks: which kernel taps a masked convolution may use.

Pixels are visited in raster order i = r·W + c. A kernel tap at offset
(dr, dc) from the centre reads pixel (r + dr, c + dc); it is causal when that
pixel comes earlier in raster order: dr < 0, or dr = 0 and dc < 0.

Ceilings: ``MAX_KERNEL_SIZE`` = 15 and ``MAX_LAYER_CHANNELS`` = 1024, with at
most ``MAX_MASK_WEIGHTS`` = 2**24 entries per mask (128 MB in float64).
"""

import numpy as np

from .._checks import as_choice, as_int, as_odd

__all__ = ["causal_mask", "vertical_mask", "horizontal_mask"]

MAX_KERNEL_SIZE = 15
MAX_LAYER_CHANNELS = 1024
MAX_MASK_WEIGHTS = 2**24



def _check_shape(kernel_size, in_channels, out_channels):
    """Checked (k, C_in, C_out) of a mask within the ceilings."""
    k = as_odd(kernel_size, "kernel_size", minimum=1, maximum=MAX_KERNEL_SIZE)
    n_in = as_int(in_channels, "in_channels", minimum=1, maximum=MAX_LAYER_CHANNELS)
    n_out = as_int(out_channels, "out_channels", minimum=1, maximum=MAX_LAYER_CHANNELS)
    if n_in * n_out * k * k > MAX_MASK_WEIGHTS:
        raise ValueError(f"in_channels, out_channels and kernel_size must give at most MAX_MASK_WEIGHTS = "
                         f"{MAX_MASK_WEIGHTS} weights; got {n_out} × {n_in} × {k} × {k}")
    return k, n_in, n_out


def causal_mask(kernel_size, mask_type, in_channels=1, out_channels=1, color_groups=1):
    """Mask of a k×k masked convolution: 1 where the weight may be non-zero.

    m(o, c, u, v) = 1 if tap (u, v) lies above the centre row, or on the centre
    row left of the centre. At the centre tap (k//2, k//2), type 'A' (first
    layer) excludes the current pixel and type 'B' (later layers) includes it.
    With ``color_groups=3`` channels split into consecutive R, G, B groups and
    at the centre input group g feeds output group h only if g < h (type A) or
    g ≤ h (type B): p(x_R | x_<i) · p(x_G | x_<i, x_R) · p(x_B | x_<i, x_R, x_G).

    Parameters
    ----------
    kernel_size : int
        Odd k, 1 ≤ k ≤ ``MAX_KERNEL_SIZE`` = 15.
    mask_type : {'A', 'B'}
    in_channels, out_channels : int
        Multiples of ``color_groups``, at most ``MAX_LAYER_CHANNELS`` = 1024.
    color_groups : int
        1 (grey) or 3 (R → G → B).

    Returns
    -------
    ndarray of float64, shape (out_channels, in_channels, k, k), values 0 and 1

    See Also
    --------
    vertical_mask, horizontal_mask : the Gated PixelCNN's two stacks.
    cvlab.pixelcnn.MaskedConv2d : the convolution that applies it.

    Taught in: 07_pixelcnn, "Masked Convolution".
    References
    ----------
    .. [1] A. van den Oord, N. Kalchbrenner and K. Kavukcuoglu, "Pixel recurrent neural networks," ICML, 2016.

    Examples
    --------
    >>> causal_mask(3, "A")[0, 0]
    array([[1., 1., 1.],
           [1., 0., 0.],
           [0., 0., 0.]])
    >>> causal_mask(3, "B")[0, 0, 1]
    array([1., 1., 0.])
    >>> causal_mask(1, "A", 3, 3, color_groups=3)[:, :, 0, 0]
    array([[0., 0., 0.],
           [1., 0., 0.],
           [1., 1., 0.]])
    """
    k, n_in, n_out = _check_shape(kernel_size, in_channels, out_channels)
    mask_type = as_choice(mask_type, "mask_type", ("A", "B"))
    groups = as_int(color_groups, "color_groups", minimum=1)
    if groups not in (1, 3):
        raise ValueError(f"color_groups must be 1 or 3; got {groups}")
    if n_in % groups:
        raise ValueError(f"in_channels must be a multiple of color_groups={groups}; got {n_in}")
    if n_out % groups:
        raise ValueError(f"out_channels must be a multiple of color_groups={groups}; got {n_out}")
    return _causal_mask(k, mask_type, n_in, n_out, groups)


def _causal_mask(k, mask_type, n_in, n_out, groups):
    centre = k // 2
    mask = np.zeros((n_out, n_in, k, k))
    mask[:, :, :centre, :] = 1.0
    mask[:, :, centre, :centre] = 1.0
    group_in = np.arange(n_in) // (n_in // groups)
    group_out = np.arange(n_out) // (n_out // groups)
    if mask_type == "A":
        allowed = group_in[None, :] < group_out[:, None]
    else:
        allowed = group_in[None, :] <= group_out[:, None]
    mask[:, :, centre, centre] = allowed
    return mask


def vertical_mask(kernel_size, in_channels=1, out_channels=1):
    """Mask of the Gated PixelCNN's vertical stack: the k//2 + 1 rows up to the centre.

    m(o, c, u, v) = 1 for u ≤ k//2 (every column). The vertical feature at row
    r then sees rows r − k//2 … r; the stack is shifted down one row before it
    feeds the horizontal stack, so pixel (r, c) only receives rows < r.

    Parameters
    ----------
    kernel_size : int
        Odd k, 1 ≤ k ≤ ``MAX_KERNEL_SIZE`` = 15.
    in_channels, out_channels : int
        At most ``MAX_LAYER_CHANNELS`` = 1024.

    Returns
    -------
    ndarray of float64, shape (out_channels, in_channels, k, k)

    See Also
    --------
    horizontal_mask, causal_mask

    Taught in: 07_pixelcnn, "Receptive Field and Blind Spot".
    References
    ----------
    .. [1] A. van den Oord, N. Kalchbrenner, L. Espeholt, K. Kavukcuoglu, O. Vinyals and A. Graves,
       "Conditional image generation with PixelCNN decoders," NeurIPS, 2016.

    Examples
    --------
    >>> vertical_mask(3)[0, 0]
    array([[1., 1., 1.],
           [1., 1., 1.],
           [0., 0., 0.]])
    """
    return _vertical_mask(*_check_shape(kernel_size, in_channels, out_channels))


def _vertical_mask(k, n_in, n_out):
    mask = np.zeros((n_out, n_in, k, k))
    mask[:, :, : k // 2 + 1, :] = 1.0
    return mask


def horizontal_mask(kernel_size, mask_type, in_channels=1, out_channels=1):
    """Mask of the horizontal stack: on the centre row, the k//2 taps left of the centre, plus the centre for type B.

    m(o, c, k//2, v) = 1 for v < k//2, and at v = k//2 for type 'B' only.

    Parameters
    ----------
    kernel_size : int
        Odd k, 1 ≤ k ≤ ``MAX_KERNEL_SIZE`` = 15.
    mask_type : {'A', 'B'}
    in_channels, out_channels : int
        At most ``MAX_LAYER_CHANNELS`` = 1024.

    Returns
    -------
    ndarray of float64, shape (out_channels, in_channels, k, k)

    See Also
    --------
    vertical_mask, causal_mask

    Taught in: 07_pixelcnn, "Receptive Field and Blind Spot".
    References
    ----------
    .. [1] A. van den Oord, N. Kalchbrenner, L. Espeholt, K. Kavukcuoglu, O. Vinyals and A. Graves,
       "Conditional image generation with PixelCNN decoders," NeurIPS, 2016.

    Examples
    --------
    >>> horizontal_mask(3, "A")[0, 0]
    array([[0., 0., 0.],
           [1., 0., 0.],
           [0., 0., 0.]])
    >>> horizontal_mask(3, "B")[0, 0, 1]
    array([1., 1., 0.])
    """
    k, n_in, n_out = _check_shape(kernel_size, in_channels, out_channels)
    return _horizontal_mask(k, as_choice(mask_type, "mask_type", ("A", "B")), n_in, n_out)


def _horizontal_mask(k, mask_type, n_in, n_out):
    mask = np.zeros((n_out, n_in, k, k))
    mask[:, :, k // 2, : k // 2 + (mask_type == "B")] = 1.0
    return mask

