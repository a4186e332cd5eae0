"""Central finite differences in float64, shared by the VAE and GAN gradient checks."""

import numpy as np


def relative_error(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


def numeric_gradient(loss, array, indices, eps=1e-6):
    """∂loss/∂array at the given indices, by central differences; ``array`` is restored."""
    out = []
    for index in indices:
        original = array[index]
        array[index] = original + eps
        up = loss()
        array[index] = original - eps
        down = loss()
        array[index] = original
        out.append((up - down) / (2 * eps))
    return np.array(out)


def picked_indices(shape, rng, count):
    size = int(np.prod(shape))
    return [np.unravel_index(i, shape) for i in rng.choice(size, min(count, size), replace=False)]


def assert_parameter_gradients(parameters, loss, rng, count=12, tolerance=1e-6):
    """Analytic ``grads`` (filled by the last backward pass) against central differences, every parameter."""
    analytic = {name: layer.grads[key].copy() for name, layer, key in parameters}
    for name, layer, key in parameters:
        indices = picked_indices(layer.params[key].shape, rng, count)
        numeric = numeric_gradient(loss, layer.params[key], indices)
        got = np.array([analytic[name][i] for i in indices])
        assert relative_error(got, numeric) < tolerance, name
