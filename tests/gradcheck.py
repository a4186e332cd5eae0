"""Central-difference gradient checks shared by the tests of every hand-written backward pass.

>>> x = np.array([1.0, 2.0])
>>> numeric_gradient(lambda: float((x ** 2).sum()), x).round(6)
array([2., 4.])
>>> relative_error([1.0, 0.0], [1.0, 0.0])
0.0
"""

import numpy as np


def relative_error(a, b):
    """‖a − b‖ / (‖a‖ + ‖b‖) in float64, 0 when both vanish."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


def numeric_gradient(f, array, eps=1e-6, indices=None):
    """(f(θ + ε e_i) − f(θ − ε e_i)) / 2ε for every entry i of ``array`` (changed in place, then restored).

    With ``indices``, only those entries are computed; the others stay 0.
    """
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


def sampled_indices(shape, generator, count):
    """``count`` distinct entries of an array of ``shape`` (all of them if it has fewer), in random order."""
    size = int(np.prod(shape))
    return [np.unravel_index(i, shape) for i in generator.choice(size, min(count, size), replace=False)]


def randomize_biases(layer, generator, scale=1.0):
    """Biases start at 0; random ones make the checks see every term of the backward pass."""
    for _, owner, key in layer.named_parameters():
        if key == "b":
            owner.params[key] = generator.standard_normal(owner.params[key].shape) * scale


def randomize_parameters(layer, generator, scale=0.3):
    """Every parameter moved by scale · N(0, 1): biases 0 and gains 1 would hide their gradients' errors."""
    for _, owner, key in layer.named_parameters():
        owner.params[key] = owner.params[key] + scale * generator.standard_normal(owner.params[key].shape)


def check_layer(layer, x, tolerance=1e-6, randomize=randomize_biases):
    """Backward against central differences of L = Σ y ⊙ R, for the input and every parameter.

    ``randomize(layer, generator)`` first sets the parameters the check should see away from their initial values.
    """
    generator = np.random.default_rng(1)
    randomize(layer, generator)
    weights = generator.standard_normal(layer.forward(x).shape)

    def loss():
        return float((layer.forward(x) * weights).sum())

    layer.forward(x)
    dx = layer.backward(weights)
    grads = {name: owner.grads[key].copy() for name, owner, key in layer.named_parameters()}
    error = relative_error(dx, numeric_gradient(loss, x))
    assert error < tolerance, f"input gradient: relative error {error:.2e}"
    for name, owner, key in layer.named_parameters():
        error = relative_error(grads[name], numeric_gradient(loss, owner.params[key]))
        assert error < tolerance, f"gradient of {name}: relative error {error:.2e}"


def assert_parameter_gradients(parameters, loss, generator, count=12, tolerance=1e-6):
    """Analytic ``grads`` (filled by the last backward pass) against central differences of ``loss``.

    ``count`` sampled entries (``sampled_indices``) of every parameter in ``parameters``, a list of
    ``(name, owner, key)`` as ``named_parameters`` yields them.
    """
    analytic = {name: owner.grads[key].copy() for name, owner, key in parameters}
    for name, owner, key in parameters:
        indices = sampled_indices(owner.params[key].shape, generator, count)
        numeric = numeric_gradient(loss, owner.params[key], indices=indices)
        rows = tuple(np.array(indices).T)
        error = relative_error(analytic[name][rows], numeric[rows])
        assert error < tolerance, f"gradient of {name}: relative error {error:.2e}"
