"""Central-difference gradient checks shared by the tests of cvlab.nn and cvlab.pixelcnn.

>>> x = np.array([1.0, 2.0])
>>> numeric_gradient(lambda: float((x ** 2).sum()), x).round(6)
array([2., 4.])
"""

import numpy as np


def relative_error(a, b):
    """‖a − b‖ / (‖a‖ + ‖b‖), 0 when both vanish."""
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


def numeric_gradient(f, array, eps=1e-6, indices=None):
    """(f(θ + ε e_i) − f(θ − ε e_i)) / 2ε for every entry i of ``array`` (changed in place, then restored)."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape) if indices is None else indices:
        old = array[index]
        array[index] = old + eps
        plus = f()
        array[index] = old - eps
        minus = f()
        array[index] = old
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def randomize_biases(layer, generator):
    """Biases start at 0; random ones make the checks see every term of the backward pass."""
    for _, owner, key in layer.named_parameters():
        if key == "b":
            owner.params[key] = generator.standard_normal(owner.params[key].shape)


def check_layer(layer, x, tolerance=1e-6):
    """Backward against central differences of L = Σ y ⊙ R, for the input and every parameter."""
    generator = np.random.default_rng(1)
    randomize_biases(layer, generator)
    weights = generator.standard_normal(layer.forward(x).shape)

    def loss():
        return float((layer.forward(x) * weights).sum())

    layer.forward(x)
    dx = layer.backward(weights)
    grads = {name: owner.grads[key].copy() for name, owner, key in layer.named_parameters()}
    assert relative_error(dx, numeric_gradient(loss, x)) < tolerance
    for name, owner, key in layer.named_parameters():
        assert relative_error(grads[name], numeric_gradient(loss, owner.params[key])) < tolerance, name
