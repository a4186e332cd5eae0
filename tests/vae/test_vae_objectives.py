"""cvlab.vae.objectives: the KL against Monte Carlo, the reparameterization, the ELBO and the IWAE bound."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from cvlab.vae import (
    VAE,
    Autoencoder,
    elbo,
    elbo_terms,
    iwae_bound,
    kl_standard_normal,
    reparameterize,
    reparameterized_gradient,
    score_function_gradient,
)

_small = st.floats(-2.0, 2.0)


@settings(max_examples=15)
@given(st.lists(st.tuples(_small, _small), min_size=1, max_size=4), st.integers(0, 2 ** 32 - 1))
def test_closed_form_kl_agrees_with_monte_carlo(moments, seed):
    mu, logvar = np.array(moments).T
    n = 100_000
    z = reparameterize(np.broadcast_to(mu, (n, len(mu))), np.broadcast_to(logvar, (n, len(mu))), seed)
    log_q = norm.logpdf(z, mu, np.exp(0.5 * logvar)).sum(axis=1)
    log_p = norm.logpdf(z).sum(axis=1)
    estimate = log_q - log_p
    standard_error = estimate.std() / np.sqrt(n)
    assert abs(estimate.mean() - kl_standard_normal(mu, logvar)) < 5 * standard_error + 1e-12


@given(st.floats(-3, 3), st.floats(-3, 3))
def test_kl_is_non_negative_and_zero_at_the_prior(mu, logvar):
    kl = float(kl_standard_normal([mu], [logvar]))
    assert kl >= 0
    if abs(mu) > 1e-6 or abs(logvar) > 1e-6:
        assert kl > 0
    assert float(kl_standard_normal([0.0], [0.0])) == 0.0


def test_reparameterized_draws_have_the_right_moments_and_do_not_modify_inputs():
    mu, logvar = np.array([1.0, -2.0]), np.array([0.0, np.log(9.0)])
    before = mu.copy(), logvar.copy()
    z = reparameterize(np.tile(mu, (100_000, 1)), np.tile(logvar, (100_000, 1)), rng=0)
    np.testing.assert_allclose(z.mean(axis=0), mu, atol=0.03)
    np.testing.assert_allclose(z.std(axis=0), [1.0, 3.0], rtol=0.01)
    np.testing.assert_array_equal(mu, before[0])
    np.testing.assert_array_equal(logvar, before[1])


def test_both_gradient_estimators_are_unbiased_and_the_reparameterized_one_has_less_variance():
    # f(z) = Σ z_j³: ∇_μ E[f] = 3(μ² + σ²) exactly.
    mu, logvar = np.array([0.5, -1.0]), np.array([np.log(0.25), 0.0])
    exact = 3 * (mu ** 2 + np.exp(logvar))
    score = score_function_gradient(lambda z: (z ** 3).sum(axis=1), mu, logvar, 400_000, rng=1)
    pathwise = reparameterized_gradient(lambda z: 3 * z ** 2, mu, logvar, 400_000, rng=2)
    for estimates in (score, pathwise):
        error = np.abs(estimates.mean(axis=0) - exact)
        assert (error < 5 * estimates.std(axis=0) / np.sqrt(len(estimates))).all()
    assert (pathwise.var(axis=0) < score.var(axis=0)).all()


def test_gradient_estimators_check_the_callables_output():
    with pytest.raises(ValueError, match="f must return shape"):
        score_function_gradient(lambda z: z, [0.0, 0.0], [0.0, 0.0], 10, rng=0)
    with pytest.raises(ValueError, match="grad_f must return shape"):
        reparameterized_gradient(lambda z: z.sum(axis=1), [0.0, 0.0], [0.0, 0.0], 10, rng=0)
    with pytest.raises(ValueError, match="mu must be 1-D"):
        score_function_gradient(lambda z: z[:, 0], np.zeros((2, 2)), np.zeros((2, 2)), 10, rng=0)


def _tiny_vae():
    rng = np.random.default_rng(0)
    return VAE(latent_dim=2, hidden=8, rng=rng), rng.integers(0, 17, (6, 8, 8))


def test_elbo_is_the_sum_of_its_terms_and_the_kl_is_exact():
    model, x = _tiny_vae()
    reconstruction, kl = elbo_terms(model, x, rng=3, samples=2)
    np.testing.assert_allclose(elbo(model, x, rng=3, samples=2), reconstruction + kl, rtol=1e-12)
    mu, logvar = model.encode(x)
    np.testing.assert_allclose(kl, kl_standard_normal(mu, logvar) / (64 * np.log(2)), rtol=1e-12)


def test_elbo_reconstruction_is_the_monte_carlo_mean_of_the_decoder_nll():
    model, x = _tiny_vae()
    reconstruction, _ = elbo_terms(model, x, rng=np.random.default_rng(4), samples=3)
    mu, logvar = model.encode(x)
    rng = np.random.default_rng(4)
    nll = np.mean([-model.log_likelihood(x, mu + np.exp(0.5 * logvar) * rng.standard_normal(mu.shape))
                   for _ in range(3)], axis=0)
    np.testing.assert_allclose(reconstruction, nll / (64 * np.log(2)), rtol=1e-6)


def test_elbo_never_exceeds_the_iwae_bound_in_expectation():
    # As negative log-likelihoods: E[-L_1] >= E[-L_k], and the k = 1 bound has the ELBO's mean.
    model, x = _tiny_vae()
    repeats = 300
    negative_elbo = np.mean([elbo(model, x, rng=s) for s in range(repeats)], axis=0)
    iwae_1 = np.mean([iwae_bound(model, x, 1, rng=1000 + s) for s in range(repeats)], axis=0)
    iwae_16 = np.mean([iwae_bound(model, x, 16, rng=2000 + s) for s in range(repeats)], axis=0)
    spread = np.std([elbo(model, x, rng=s) for s in range(repeats)], axis=0) / np.sqrt(repeats)
    assert (np.abs(iwae_1 - negative_elbo) < 5 * spread + 1e-9).all()
    assert (iwae_16 <= negative_elbo).all()


def test_iwae_with_an_exact_posterior_is_the_exact_likelihood_for_every_k():
    # If q(z|x) equals the true posterior, every weight equals p(x): the bound is exact with zero variance.
    # A decoder that ignores z has p(z|x) = p(z): zero the decoder's first layer and the encoder's output.
    model, x = _tiny_vae()
    model.decoder.layers[0].params["w"][:] = 0.0
    model.encoder.layers[-1].params["w"][:] = 0.0
    model.encoder.layers[-1].params["b"][:] = 0.0
    exact = -model.log_likelihood(x, np.zeros((len(x), 2))) / (64 * np.log(2))
    for k in (1, 5):
        np.testing.assert_allclose(iwae_bound(model, x, k, rng=k), exact, rtol=1e-10)
    np.testing.assert_allclose(elbo(model, x, rng=0), exact, rtol=1e-10)


def test_objectives_need_a_vae_and_bounded_sample_counts():
    model, x = _tiny_vae()
    with pytest.raises(TypeError, match="model must be a cvlab.vae.VAE"):
        elbo(Autoencoder(latent_dim=2, hidden=4), x, rng=0)
    with pytest.raises(ValueError, match="k must be <= 1024"):
        iwae_bound(model, x, 5000, rng=0)
    with pytest.raises(ValueError, match="samples must be <= 64"):
        elbo(model, x, rng=0, samples=100)
    with pytest.raises(ValueError, match="mu and logvar must have the same shape"):
        kl_standard_normal([0.0, 1.0], [0.0])
