"""The VAE's objective: the closed-form KL, the reparameterized sample, the ELBO and the IWAE bound.

All bounds are returned as negative log-likelihoods in bits per dimension,
−bound / (D ln 2) with D = H·W = 64, the scale of :func:`cvlab.pixelcnn.bits_per_dim`.
Lower is better, and every bound lies above the true −log₂ p(x) / D.
"""

import numpy as np
from scipy.special import logsumexp

from .._checks import as_array, as_callable, as_int, as_rng
from .models import VAE, _kl_standard_normal

__all__ = ["kl_standard_normal", "reparameterize", "elbo", "elbo_terms", "iwae_bound",
           "score_function_gradient", "reparameterized_gradient", "MAX_SAMPLES", "MAX_IMPORTANCE_SAMPLES"]

#: Ceilings on Monte Carlo sample counts. The ELBO's reconstruction term with 64 samples and
#: the IWAE bound with k = 1024 each decode 297 × k latents: about 10 s for the shipped VAE.
MAX_SAMPLES = 64
MAX_IMPORTANCE_SAMPLES = 1024
#: Per-sample gradient estimates per call: 10⁶ rows of a 64-d latent take 0.5 GB.
MAX_GRADIENT_SAMPLES = 1_000_000

_ROWS = 8192  # latents decoded per pass of the IWAE bound: bounds the memory of the logits
_LOG_2PI = np.log(2.0 * np.pi)


def _moments(mu, logvar):
    mu = as_array(mu, "mu").astype(np.float64)
    logvar = as_array(logvar, "logvar").astype(np.float64)
    if mu.shape != logvar.shape:
        raise ValueError(f"mu and logvar must have the same shape; got {mu.shape} and {logvar.shape}")
    return mu, logvar


def kl_standard_normal(mu, logvar):
    """KL divergence of a diagonal Gaussian from the standard normal, in nats, in closed form.

    KL(N(μ, diag σ²) ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²),
    summed over the last axis (the latent dimensions j).

    Parameters
    ----------
    mu, logvar : array_like, shape (..., d)
        Means μ and log-variances log σ² of q(z | x).

    Returns
    -------
    ndarray of float64, shape (...)
        One KL per row; 0 exactly when μ = 0 and σ = 1.

    See Also
    --------
    reparameterize : a draw from the same Gaussian.

    Notes
    -----
    Both distributions factorise over j, so the KL is a sum of 1-D terms
    E_q[log q(z_j) − log p(z_j)] = −½ log σ_j² − ½ + ½ (σ_j² + μ_j²).

    References
    ----------
    .. [1] D. P. Kingma and M. Welling, "Auto-encoding variational Bayes," ICLR, 2014 (appendix B).

    Taught in: 08_vae, "KL".

    Examples
    --------
    >>> kl_standard_normal([[0.0, 0.0], [1.0, 0.0]], [[0.0, 0.0], [0.0, np.log(4.0)]]).round(4)
    array([0.    , 1.3069])
    """
    mu, logvar = _moments(mu, logvar)
    return _kl_standard_normal(mu, logvar)


def _reparameterize(mu, logvar, eps):
    return mu + np.exp(0.5 * logvar) * eps


def reparameterize(mu, logvar, rng):
    """A draw z ~ N(μ, diag σ²) written as a differentiable function of (μ, log σ²): z = μ + σ ⊙ ε.

    ε ~ N(0, I) carries all the randomness, so ∂z/∂μ = 1 and ∂z/∂log σ² = ½ σ ⊙ ε.

    Parameters
    ----------
    mu, logvar : array_like, same shape
    rng : numpy.random.Generator or int

    Returns
    -------
    ndarray of float64, the shape of ``mu``

    See Also
    --------
    kl_standard_normal, reparameterized_gradient

    References
    ----------
    .. [1] D. P. Kingma and M. Welling, "Auto-encoding variational Bayes," ICLR, 2014.

    Taught in: 08_vae, "重参数化".

    Examples
    --------
    >>> z = reparameterize(np.full(100_000, 3.0), np.full(100_000, np.log(0.25)), rng=0)
    >>> round(float(z.mean()), 2), round(float(z.std()), 2)
    (3.0, 0.5)
    """
    mu, logvar = _moments(mu, logvar)
    rng = as_rng(rng)
    return _reparameterize(mu, logvar, rng.standard_normal(mu.shape))


def _check_vae(model):
    if not isinstance(model, VAE):
        raise TypeError(f"model must be a cvlab.vae.VAE; got {type(model).__name__}")
    return model


def _elbo_terms(model, x, rng, samples):
    """Reconstruction −E_q[log p(x|z)] (mean over ``samples`` draws) and KL, per image, in nats."""
    mu, logvar = model._encode(x)
    mu, logvar = mu.astype(np.float64), logvar.astype(np.float64)
    reconstruction = np.zeros(len(x))
    for _ in range(samples):
        z = _reparameterize(mu, logvar, rng.standard_normal(mu.shape)).astype(model.dtype)
        reconstruction -= model._log_likelihood(x, z)
    return reconstruction / samples, _kl_standard_normal(mu, logvar)


def _checked_elbo_terms(model, x, rng, samples):
    """The inputs of elbo and elbo_terms checked once, then their two terms in nats."""
    model = _check_vae(model)
    x = model._levels_input(x)
    rng = as_rng(rng)
    samples = as_int(samples, "samples", minimum=1, maximum=MAX_SAMPLES)
    return _elbo_terms(model, x, rng, samples)


def elbo_terms(model, x, rng, samples=1):
    """The two parts of the negative ELBO of each image, in bits/dim: reconstruction and KL.

    −ELBO(x) = E_q[−log p_θ(x | z)] + KL(q_φ(z | x) ‖ p(z)); the first part is
    estimated with ``samples`` reparameterized draws z = μ + σ ⊙ ε, the KL is exact.
    Each is divided by D ln 2 (D = 64 pixels).

    Parameters
    ----------
    model : VAE
    x : array_like of int, shape (N, H, W)
    rng : numpy.random.Generator or int
    samples : int
        Draws of z per image, at most ``MAX_SAMPLES``.

    Returns
    -------
    reconstruction, kl : ndarray of float64, each shape (N,)

    See Also
    --------
    elbo : their sum.

    Taught in: 08_vae, "ELBO".

    Examples
    --------
    >>> from cvlab.vae import load_pretrained
    >>> from cvlab.data import digits
    >>> reconstruction, kl = elbo_terms(load_pretrained("vae"), digits()[1][:5], rng=0)
    >>> reconstruction.shape, bool((kl > 0).all())
    ((5,), True)
    """
    reconstruction, kl = _checked_elbo_terms(model, x, rng, samples)
    scale = model.pixels * np.log(2.0)
    return reconstruction / scale, kl / scale


def elbo(model, x, rng, samples=1):
    """The negative ELBO of each image in bits/dim: an upper bound on −log₂ p_θ(x) / D.

    −ELBO(x) / (D ln 2) with −ELBO(x) = E_q[−log p_θ(x | z)] + KL(q_φ(z | x) ‖ p(z)),
    the expectation estimated with ``samples`` reparameterized draws per image.

    Parameters
    ----------
    model : VAE
    x : array_like of int, shape (N, H, W)
    rng : numpy.random.Generator or int
    samples : int
        At most ``MAX_SAMPLES``.

    Returns
    -------
    ndarray of float64, shape (N,)

    See Also
    --------
    elbo_terms : the two parts. iwae_bound : a tighter bound.

    References
    ----------
    .. [1] D. P. Kingma and M. Welling, "Auto-encoding variational Bayes," ICLR, 2014.

    Taught in: 08_vae, "ELBO".

    Examples
    --------
    >>> from cvlab.vae import load_pretrained
    >>> from cvlab.data import digits
    >>> bits = elbo(load_pretrained("vae"), digits()[1], rng=0)
    >>> bits.shape, bool(2.0 < bits.mean() < 2.1)
    ((297,), True)
    """
    reconstruction, kl = _checked_elbo_terms(model, x, rng, samples)
    return (reconstruction + kl) / (model.pixels * np.log(2.0))


def _iwae(model, x, k, rng):
    mu, logvar = model._encode(x)
    mu, logvar = mu.astype(np.float64), logvar.astype(np.float64)
    per_pass = max(1, _ROWS // k)
    bound = np.empty(len(x))
    for start in range(0, len(x), per_pass):
        rows = slice(start, start + per_pass)
        m, lv = mu[rows, None], logvar[rows, None]
        eps = rng.standard_normal((len(m), k, model.latent_dim))
        z = _reparameterize(m, lv, eps)
        images = np.repeat(x[rows], k, axis=0)
        log_px_z = model._log_likelihood(images, z.reshape(-1, model.latent_dim).astype(model.dtype))
        log_pz = -0.5 * (z * z + _LOG_2PI).sum(axis=-1)
        log_qz = -0.5 * (eps * eps + lv + _LOG_2PI).sum(axis=-1)
        log_w = log_px_z.reshape(len(m), k) + log_pz - log_qz
        bound[rows] = logsumexp(log_w, axis=1) - np.log(k)
    return bound


def iwae_bound(model, x, k, rng):
    """The importance-weighted bound (IWAE) of each image, as a negative log-likelihood in bits/dim.

    L_k(x) = log (1/k) Σ_{s=1}^{k} p_θ(x | z_s) p(z_s) / q_φ(z_s | x), z_s ~ q_φ(z | x) independently.
    E[L_1] is the ELBO, E[L_k] never decreases with k, and E[L_k] → log p_θ(x) as k → ∞.
    Returned as −L_k(x) / (D ln 2).

    Parameters
    ----------
    model : VAE
    x : array_like of int, shape (N, H, W)
    k : int
        Importance samples per image, at most ``MAX_IMPORTANCE_SAMPLES``.
    rng : numpy.random.Generator or int

    Returns
    -------
    ndarray of float64, shape (N,)

    See Also
    --------
    elbo : the k = 1 bound with the KL in closed form.

    References
    ----------
    .. [1] Y. Burda, R. Grosse and R. Salakhutdinov, "Importance weighted autoencoders," ICLR, 2016.

    Taught in: 08_vae, "IWAE".

    Examples
    --------
    >>> from cvlab.vae import load_pretrained
    >>> from cvlab.data import digits
    >>> model, test = load_pretrained("vae"), digits()[1][:50]
    >>> bool(iwae_bound(model, test, 64, rng=0).mean() < iwae_bound(model, test, 1, rng=0).mean())
    True
    """
    model = _check_vae(model)
    x = model._levels_input(x)
    k = as_int(k, "k", minimum=1, maximum=MAX_IMPORTANCE_SAMPLES)
    rng = as_rng(rng)
    return -_iwae(model, x, k, rng) / (model.pixels * np.log(2.0))


def _gradient_inputs(mu, logvar, samples):
    mu, logvar = _moments(mu, logvar)
    if mu.ndim != 1:
        raise ValueError(f"mu must be 1-D (d,); got shape {mu.shape}")
    samples = as_int(samples, "samples", minimum=1, maximum=MAX_GRADIENT_SAMPLES)
    return mu, logvar, samples


def _outputs(values, name, shape):
    values = np.asarray(values, dtype=np.float64)
    if values.shape != shape:
        raise ValueError(f"{name} must return shape {shape}; got {values.shape}")
    return values


def score_function_gradient(f, mu, logvar, samples, rng):
    """Per-sample score-function (REINFORCE) estimates of ∇_μ E_{z~N(μ, diag σ²)}[f(z)].

    ĝ = f(z) ∇_μ log q(z) = f(z) (z − μ) / σ², with z = μ + σ ⊙ ε. It needs only the
    values of f, but their size multiplies the noise of (z − μ) / σ².

    Parameters
    ----------
    f : callable
        f(z) for a batch z of shape (S, d) returns shape (S,).
    mu, logvar : array_like, shape (d,)
    samples : int
        S, at most ``MAX_GRADIENT_SAMPLES``.
    rng : numpy.random.Generator or int

    Returns
    -------
    ndarray of float64, shape (S, d)
        One unbiased estimate per draw; their mean estimates the gradient.

    See Also
    --------
    reparameterized_gradient : the same gradient from ∇f.

    References
    ----------
    .. [1] R. J. Williams, "Simple statistical gradient-following algorithms for connectionist
       reinforcement learning," Machine Learning 8, 1992.

    Taught in: 08_vae, "重参数化".

    Examples
    --------
    >>> g = score_function_gradient(lambda z: (z ** 2).sum(axis=1), [1.0], [0.0], 200_000, rng=0)
    >>> round(float(g.mean()), 1)                        # d/dμ E[z²] = 2μ
    2.0
    """
    f = as_callable(f, "f")
    mu, logvar, samples = _gradient_inputs(mu, logvar, samples)
    eps = as_rng(rng).standard_normal((samples, len(mu)))
    z = _reparameterize(mu, logvar, eps)
    values = _outputs(f(z), "f", (samples,))
    return values[:, None] * eps * np.exp(-0.5 * logvar)


def reparameterized_gradient(grad_f, mu, logvar, samples, rng):
    """Per-sample reparameterized (pathwise) estimates of ∇_μ E_{z~N(μ, diag σ²)}[f(z)].

    With z = μ + σ ⊙ ε, ∇_μ E_ε[f(μ + σ ⊙ ε)] = E_ε[∇f(z)], so each draw gives ĝ = ∇f(z).

    Parameters
    ----------
    grad_f : callable
        ∇f(z) for a batch z of shape (S, d) returns shape (S, d).
    mu, logvar : array_like, shape (d,)
    samples : int
        S, at most ``MAX_GRADIENT_SAMPLES``.
    rng : numpy.random.Generator or int

    Returns
    -------
    ndarray of float64, shape (S, d)

    See Also
    --------
    score_function_gradient

    References
    ----------
    .. [1] D. P. Kingma and M. Welling, "Auto-encoding variational Bayes," ICLR, 2014.

    Taught in: 08_vae, "重参数化".

    Examples
    --------
    >>> g = reparameterized_gradient(lambda z: 2 * z, [1.0], [0.0], 200_000, rng=0)
    >>> round(float(g.mean()), 1)
    2.0
    """
    grad_f = as_callable(grad_f, "grad_f")
    mu, logvar, samples = _gradient_inputs(mu, logvar, samples)
    z = _reparameterize(mu, logvar, as_rng(rng).standard_normal((samples, len(mu))))
    return _outputs(grad_f(z), "grad_f", (samples, len(mu)))
