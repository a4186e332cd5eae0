"""Exact dependency maps (which input pixels can change the output at one position) and computation orders."""

import copy
import numbers

import numpy as np

from .._checks import as_choice, as_int
from .layers import Layer
from .models import _as_side_pair, _AutoregressiveModel

__all__ = ["dependency_map", "dependency_category", "raster_causal", "computation_order"]


def _as_position(position, h, w, name="position"):
    """(row, column) of ints inside an h×w grid."""
    if isinstance(position, (str, bytes)) or not hasattr(position, "__len__"):
        raise TypeError(f"{name} must be a pair (row, column) of ints; got {type(position).__name__}")
    if len(position) != 2:
        raise ValueError(f"{name} must be a pair (row, column) of ints; got {position!r}")
    return (as_int(position[0], name, minimum=0, maximum=h - 1),
            as_int(position[1], name, minimum=0, maximum=w - 1))


def dependency_map(model, position, shape=(8, 8), per_channel=False, out_channels=None):
    """Input pixels on which the output at ``position`` can depend: the structure the masks allow.

    D(j) = [∂ z_i / ∂ x_j ≠ 0], where z_i are the outputs at position
    i = (r, c) and x_j the one-hot (or float) input at pixel j, computed on a
    *probe*: a float64 copy of ``model`` whose every weight is a small
    positive number (masked taps stay exactly zero) and every bias positive.
    Then no two paths can cancel and no ReLU or gate is switched off, so the
    gradient is non-zero exactly where a chain of unmasked taps joins j to i,
    whatever values the trained weights happen to have.

    Parameters
    ----------
    model : PixelCNN, GatedPixelCNN or Layer
        A layer maps (N, H, W, C_in) to (N, H, W, C_out) and has ``in_channels``.
    position : tuple of int
        (r, c) of the output pixel.
    shape : tuple of int
        (H, W) of the input, each at most ``MAX_SIDE`` = 64.
    per_channel : bool
        Return (C_in, H, W) instead of the union over input channels.
    out_channels : slice, list of int or None
        For a layer, which output channels to follow (default all).

    Returns
    -------
    ndarray of bool, shape (H, W) (or (C_in, H, W))

    See Also
    --------
    dependency_category, raster_causal

    Notes
    -----
    A ReLU whose input is exactly 0 passes no gradient; the probe's positive
    biases keep every unit strictly active, which is why the map does not
    depend on the trained weights. Gates work as well: σ and tanh have
    non-zero derivatives everywhere.

    Taught in: 07_pixelcnn, "Receptive Field and Blind Spot".

    References
    ----------
    .. [1] A. van den Oord, N. Kalchbrenner, L. Espeholt, K. Kavukcuoglu, O. Vinyals and A. Graves,
       "Conditional image generation with PixelCNN decoders," NeurIPS, 2016.

    Examples
    --------
    >>> from cvlab.pixelcnn.layers import MaskedConv2d
    >>> dependency_map(MaskedConv2d(1, 1, 3, "A"), (1, 1), (3, 3)).astype(int)
    array([[1, 1, 1],
           [1, 0, 0],
           [0, 0, 0]])
    """
    if not isinstance(model, (_AutoregressiveModel, Layer)):
        raise TypeError(f"model must be a PixelCNN, GatedPixelCNN or Layer; got {type(model).__name__}")
    h, w = _as_side_pair(shape, "shape")
    r, c = _as_position(position, h, w)
    if not isinstance(per_channel, (bool, np.bool_)):
        raise TypeError(f"per_channel must be True or False; got {type(per_channel).__name__}")
    if isinstance(model, _AutoregressiveModel):
        probe = _positive_probe(model)
        x = np.eye(model.levels)[np.zeros((1, h, w), dtype=int)]
        forward, backward = probe._net_forward, probe._net_backward
    else:
        if not isinstance(getattr(model, "in_channels", None), numbers.Integral):
            raise TypeError("model must be a layer with an in_channels attribute (a convolution or a stack of them)")
        probe = _positive_probe(model)
        x = np.ones((1, h, w, model.in_channels))
        forward, backward = probe.forward, probe.backward
    out = forward(x)
    chosen = _as_channels(out_channels, out.shape[-1])
    dout = np.zeros(out.shape)
    dout[:, r, c, chosen] = 1.0
    support = backward(dout)[0] > 0  # (H, W, C_in)
    return np.moveaxis(support, -1, 0) if per_channel else support.any(axis=-1)


def _as_channels(out_channels, count):
    """Indices of the output channels to follow: None (all), a slice, or a list of ints in range."""
    if out_channels is None:
        return np.arange(count)
    if isinstance(out_channels, slice):
        chosen = np.arange(count)[out_channels]
    else:
        chosen = np.asarray(out_channels)
        if chosen.ndim != 1 or not np.issubdtype(chosen.dtype, np.integer) or chosen.dtype == bool:
            raise TypeError("out_channels must be None, a slice or a list of ints")
        if chosen.size and (chosen.min() < -count or chosen.max() >= count):
            raise ValueError(f"out_channels must lie in [0, {count - 1}]; got {out_channels!r}")
    if chosen.size == 0:
        raise ValueError(f"out_channels must select at least one of the {count} output channels")
    return chosen


def dependency_category(dependency, position):
    """Label every pixel: 0 future, 1 earlier but unseen, 2 seen, 3 the output pixel itself.

    label(j) = 3 if j = i; 2 if D(j); 1 if j < i in raster order and not D(j); 0 otherwise.

    Parameters
    ----------
    dependency : ndarray of bool, shape (H, W)
        A map from :func:`dependency_map`.
    position : tuple of int
        (r, c) of the output pixel i.

    Returns
    -------
    ndarray of int64, shape (H, W)

    See Also
    --------
    dependency_map, cvlab.plot.DEPENDENCY_CMAP : its four colours.

    Taught in: 07_pixelcnn, "Receptive Field and Blind Spot".

    Examples
    --------
    >>> dependency_category(np.array([[True, False], [False, False]]), (1, 0))
    array([[2, 1],
           [3, 0]])
    """
    dependency, (r, c) = _map_and_position(dependency, position, ndim=(2,))
    h, w = dependency.shape
    earlier = np.arange(h * w).reshape(h, w) < r * w + c
    labels = np.where(dependency, 2, np.where(earlier, 1, 0))
    labels[r, c] = 3
    return labels


def _positive_probe(model):
    """A float64 copy with weights 0.01 and biases 0.1: every unit stays in its active, unsaturated range."""
    probe = copy.deepcopy(model)
    for _name, layer, key in probe.named_parameters():
        layer.params[key] = np.full(layer.params[key].shape, 0.1 if key == "b" else 0.01)
    return probe


def raster_causal(dependency, position):
    """True if every dependency lies strictly before ``position`` in raster order.

    causal ⇔ D(j) = 0 for every j = r'·W + c' ≥ i = r·W + c.

    Parameters
    ----------
    dependency : ndarray of bool, shape (H, W) or (C, H, W)
    position : tuple of int
        (r, c) of the output pixel.

    Returns
    -------
    bool

    See Also
    --------
    dependency_map

    Taught in: 07_pixelcnn, "The Notes' Gated Block".

    Examples
    --------
    >>> raster_causal(np.array([[True, False], [False, False]]), (0, 1))
    True
    """
    dependency, (r, c) = _map_and_position(dependency, position, ndim=(2, 3))
    h, w = dependency.shape[-2:]
    index = np.arange(h * w).reshape(h, w)
    return bool(not dependency[..., index >= r * w + c].any())


def _map_and_position(dependency, position, ndim):
    """A non-empty boolean map of ``ndim`` dimensions and a (row, column) inside its last two axes."""
    if dependency is None:
        raise TypeError("dependency must be a boolean array, not None")
    dependency = np.asarray(dependency)
    if dependency.dtype != bool:
        raise TypeError(f"dependency must be a boolean array; got {dependency.dtype}")
    if dependency.ndim not in ndim or dependency.size == 0:
        raise ValueError(f"dependency must be a non-empty array of {' or '.join(map(str, ndim))} dimensions;"
                         f" got shape {dependency.shape}")
    h, w = dependency.shape[-2:]
    return dependency, _as_position(position, h, w)


def computation_order(shape, order):
    """The step at which each pixel (or sub-pixel) can be computed; the number of steps is its maximum + 1.

    * 'sampling': generation, by any autoregressive model: one sub-pixel per
      step, t = (r·W + c)·C + channel (R → G → B within a pixel), H·W·C steps;
    * 'row_lstm': PixelRNN's Row LSTM on a known image: a whole row at once,
      t = r, H steps;
    * 'diagonal_bilstm': PixelRNN's Diagonal BiLSTM: one diagonal at once,
      t = r + c, H + W − 1 steps;
    * 'pixelcnn': PixelCNN on a known image: every conditional in the same
      pass, t = 0, one step (of a fixed depth).

    Parameters
    ----------
    shape : tuple of int
        (H, W) or, for colour, (H, W, C); H and W at most ``MAX_SIDE`` = 64, C ≤ 4.
    order : {'sampling', 'row_lstm', 'diagonal_bilstm', 'pixelcnn'}

    Returns
    -------
    ndarray of int64, shape ``shape``

    Notes
    -----
    On a known image the colour channels of one pixel are handled inside a
    step by masks, so only 'sampling' depends on C.

    Taught in: 07_pixelcnn, "PixelRNN".

    References
    ----------
    .. [1] A. van den Oord, N. Kalchbrenner and K. Kavukcuoglu, "Pixel recurrent neural networks," ICML, 2016.

    Examples
    --------
    >>> computation_order((3, 4), "diagonal_bilstm")
    array([[0, 1, 2, 3],
           [1, 2, 3, 4],
           [2, 3, 4, 5]])
    >>> int(computation_order((32, 32, 3), "sampling").max()) + 1
    3072
    """
    if not isinstance(shape, (tuple, list)) or len(shape) not in (2, 3):
        raise ValueError(f"shape must be (H, W) or (H, W, C); got {shape!r}")
    h, w = _as_side_pair(tuple(shape[:2]), "shape")
    channels = as_int(shape[2], "shape", minimum=1, maximum=4) if len(shape) == 3 else 1
    order = as_choice(order, "order", ("sampling", "row_lstm", "diagonal_bilstm", "pixelcnn"))
    r, c, k = np.meshgrid(np.arange(h), np.arange(w), np.arange(channels), indexing="ij")
    steps = {"sampling": (r * w + c) * channels + k, "row_lstm": r, "diagonal_bilstm": r + c,
             "pixelcnn": np.zeros_like(r)}[order]
    return steps.reshape(tuple(shape)).astype(np.int64)

