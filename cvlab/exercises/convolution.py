"""Self-checks for chapter 3's exercises: measure a property, count a layer's parameters."""

import numpy as np

from .. import convolution, filters
from ._runner import check

__all__ = ["check_linearity_gap", "check_conv_params", "check_receptive_field"]


def _operators():
    """A linear filter, a threshold and a square: gaps 0, clearly > 0, clearly > 0."""
    box = filters.box_kernel(3)
    return [
        lambda f: filters.correlate2d(f, box, mode="wrap"),
        lambda f: convolution.threshold(f, 0.5),
        np.square,
    ]


def check_linearity_gap(student):
    """Check ``student(op, f, g, a, b)`` against ``cvlab.convolution.linearity_gap``.

    Taught in: 03_convolution_properties, "练习".

    Examples
    --------
    >>> def gap(op, f, g, a, b):
    ...     return float(np.max(np.abs(op(a * f + b * g) - (a * op(f) + b * op(g)))))
    >>> check_linearity_gap(gap)
    linearity gap: all 6 checks passed.
    True
    >>> check_linearity_gap(lambda op, f, g, a, b: float(np.max(np.abs(op(f + g) - op(f) - op(g)))))
    linearity gap: wrong values for an input of shape (). Hint: combine then apply op once, apply op to f and g and
    combine, then take the largest absolute difference: max |op(a·f + b·g) − (a·op(f) + b·op(g))|.
    False
    """
    rng = np.random.default_rng(3)
    cases = []
    for op in _operators():
        for a, b in ((2.0, 0.0), (0.5, -1.5)):
            cases.append((op, rng.random((8, 10)), rng.random((8, 10)), a, b))
    return check(student, convolution.linearity_gap, cases, "linearity gap",
                 "combine then apply op once, apply op to f and g and combine, then take the largest "
                 "absolute difference: max |op(a·f + b·g) − (a·op(f) + b·op(g))|.")


def check_conv_params(student):
    """Check ``student(c_in, c_out, k, bias)`` against ``cvlab.convolution.conv_params``.

    Taught in: 03_convolution_properties, "练习".

    Examples
    --------
    >>> check_conv_params(lambda c_in, c_out, k, bias: k * k * c_in * c_out + (c_out if bias else 0))
    conv params: all 6 checks passed.
    True
    >>> check_conv_params(lambda c_in, c_out, k, bias: k * k * c_out + (c_out if bias else 0))
    conv params: wrong values for an input of shape (). Hint: each of the C_out kernels has one K x K slice per
    input channel (K·K·C_in weights), plus one bias per output channel.
    False
    """
    cases = [(1, 1, 3, True), (3, 16, 3, True), (3, 16, 3, False), (16, 32, 5, True), (64, 64, 1, False),
             (128, 10, 7, True)]
    return check(student, convolution.conv_params, cases, "conv params",
                 "each of the C_out kernels has one K x K slice per input channel (K·K·C_in weights), "
                 "plus one bias per output channel.")


def check_receptive_field(student):
    """Check ``student(layers)`` against ``cvlab.convolution.receptive_field`` for (K, S) stacks.

    Taught in: 03_convolution_properties, "练习".

    Examples
    --------
    >>> check_receptive_field(lambda layers: 1 + sum(k - 1 for k, s in layers))
    receptive field: wrong values for an input of shape (2, 2). Hint: a layer adds (K − 1) times the jump, the
    product of the strides of the layers before it.
    False
    """
    cases = [([(3, 1)] * 3,), ([(3, 2), (3, 1)],), ([(5, 2), (3, 2), (3, 1)],), ([],), ([(1, 1), (7, 1)],)]
    return check(student, convolution.receptive_field, cases, "receptive field",
                 "a layer adds (K − 1) times the jump, the product of the strides of the layers before it.")
