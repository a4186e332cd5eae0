"""Exact dependency maps: which input pixels can change the output at one position."""

import copy

import numpy as np

from .._checks import as_int
from .layers import Layer
from .models import _AutoregressiveModel

__all__ = ["dependency_map", "dependency_category", "raster_causal"]


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
        (H, W) of the input.
    per_channel : bool
        Return (C_in, H, W) instead of the union over input channels.
    out_channels : slice, list or None
        For a layer, which output channels to follow (default all).

    Returns
    -------
    ndarray of bool, shape (H, W) (or (C_in, H, W))

    Examples
    --------
    >>> from cvlab.pixelcnn.layers import MaskedConv2d
    >>> dependency_map(MaskedConv2d(1, 1, 3, "A"), (1, 1), (3, 3)).astype(int)
    array([[1, 1, 1],
           [1, 0, 0],
           [0, 0, 0]])
    """
    h, w = (as_int(s, "shape", minimum=1) for s in shape)
    if len(position) != 2:
        raise ValueError(f"position must be (row, column); got {position!r}")
    r = as_int(position[0], "position", minimum=0, maximum=h - 1)
    c = as_int(position[1], "position", minimum=0, maximum=w - 1)
    if isinstance(model, _AutoregressiveModel):
        probe = _positive_probe(model)
        x = np.eye(model.levels)[np.zeros((1, h, w), dtype=int)]
        forward, backward = probe._net_forward, probe._net_backward
    elif isinstance(model, Layer):
        probe = _positive_probe(model)
        x = np.ones((1, h, w, model.in_channels))
        forward, backward = probe.forward, probe.backward
    else:
        raise TypeError("model must be a PixelCNN, GatedPixelCNN or Layer")
    out = forward(x)
    dout = np.zeros(out.shape)
    chosen = np.arange(out.shape[-1])[out_channels if out_channels is not None else slice(None)]
    dout[:, r, c, chosen] = 1.0
    support = backward(dout)[0] > 0  # (H, W, C_in)
    return np.moveaxis(support, -1, 0) if per_channel else support.any(axis=-1)


def dependency_category(dependency, position):
    """Label every pixel: 0 future, 1 earlier but unseen, 2 seen, 3 the output pixel itself.

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
    if len(position) != 2:
        raise ValueError(f"position must be (row, column); got {position!r}")
    return dependency, (as_int(position[0], "position", minimum=0, maximum=h - 1),
                        as_int(position[1], "position", minimum=0, maximum=w - 1))
