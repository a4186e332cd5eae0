"""Self-checks for chapter 8's exercises (autoencoders and VAEs)."""

import numpy as np

from ..vae.models import _categorical_nll, _kl_standard_normal
from ..vae.objectives import _reparameterize
from ._runner import check

__all__ = ["check_reparameterize", "check_kl_standard_normal", "check_negative_elbo_bits"]


def _cases(rng, shapes):
    return [(rng.standard_normal(shape), rng.uniform(-3, 2, shape), rng.standard_normal(shape)) for shape in shapes]


def check_reparameterize(student):
    """Check ``student(mu, logvar, eps)`` → z = μ + σ ⊙ ε, with σ = exp(½ log σ²).

    Examples
    --------
    >>> check_reparameterize(lambda mu, logvar, eps: mu + np.exp(logvar) * eps)
    reparameterized sample: wrong values for an input of shape (3,). Hint: sigma is exp(logvar / 2), the square
    root of the variance; z = mu + sigma * eps, elementwise.
    False
    >>> check_reparameterize(lambda mu, logvar, eps: mu + np.exp(0.5 * logvar) * eps)
    reparameterized sample: all 3 checks passed.
    True
    """
    cases = _cases(np.random.default_rng(0), [(3,), (4, 2), (5, 16)])
    return check(student, _reparameterize, cases, "reparameterized sample",
                 "sigma is exp(logvar / 2), the square root of the variance; z = mu + sigma * eps, elementwise.")


def check_kl_standard_normal(student):
    """Check ``student(mu, logvar)`` → KL(N(μ, diag σ²) ‖ N(0, I)) per row, summed over the last axis.

    Examples
    --------
    >>> check_kl_standard_normal(lambda mu, logvar: 0.5 * (mu ** 2 + np.exp(logvar) - 1 - logvar).sum(axis=-1))
    KL to N(0, I): all 3 checks passed.
    True
    """
    cases = [(mu, logvar) for mu, logvar, _ in _cases(np.random.default_rng(1), [(3,), (4, 2), (5, 16)])]
    return check(student, _kl_standard_normal, cases, "KL to N(0, I)",
                 "for each latent dimension 0.5 * (mu^2 + sigma^2 - 1 - log sigma^2), summed over the last axis; "
                 "sigma^2 = exp(logvar).")


def _negative_elbo_bits(logits, x, mu, logvar):
    """(−Σ_i log softmax(logits_i)[x_i] + KL) / (D ln 2) per image; logits (N, L, H, W), x (N, H, W)."""
    n, levels = logits.shape[:2]
    # the model's own NLL, which takes logits (N, pixels, levels) and x (N, pixels)
    nll, _ = _categorical_nll(logits.reshape(n, levels, -1).transpose(0, 2, 1), x.reshape(n, -1))
    return (nll + _kl_standard_normal(mu, logvar)) / (x[0].size * np.log(2.0))


def check_negative_elbo_bits(student):
    """Check ``student(logits, x, mu, logvar)`` → the one-sample negative ELBO of each image in bits/dim.

    ``logits`` (N, L, H, W) are the decoder's outputs for one draw z ~ q(z | x), ``x`` (N, H, W)
    the integer levels, ``mu`` and ``logvar`` (N, d) the encoder's outputs.

    Examples
    --------
    >>> from scipy.special import log_softmax
    >>> def answer(logits, x, mu, logvar):
    ...     logp = log_softmax(logits, axis=1)
    ...     nll = -np.take_along_axis(logp, x[:, None], axis=1)[:, 0].sum(axis=(1, 2))
    ...     kl = 0.5 * (mu ** 2 + np.exp(logvar) - 1 - logvar).sum(axis=1)
    ...     return (nll + kl) / (64 * np.log(2))
    >>> check_negative_elbo_bits(answer)
    negative ELBO in bits/dim: all 3 checks passed.
    True
    >>> check_negative_elbo_bits(lambda logits, x, mu, logvar: answer(logits, x, mu, logvar) * np.log(2))  # nats
    negative ELBO in bits/dim: wrong values for an input of shape (1, 17, 8, 8). Hint: reconstruction: minus the sum
    over pixels of log softmax(logits) at the true level (over axis 1); add the KL in closed form; divide by 64
    pixels and by ln 2.
    False
    """
    rng = np.random.default_rng(2)
    cases = []
    for n, d in [(1, 2), (3, 16), (5, 4)]:
        cases.append((rng.standard_normal((n, 17, 8, 8)) * 2, rng.integers(0, 17, (n, 8, 8)),
                      rng.standard_normal((n, d)), rng.uniform(-3, 1, (n, d))))
    return check(student, _negative_elbo_bits, cases, "negative ELBO in bits/dim",
                 "reconstruction: minus the sum over pixels of log softmax(logits) at the true level (over axis 1); "
                 "add the KL in closed form; divide by 64 pixels and by ln 2.")
