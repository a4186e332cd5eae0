"""cvlab.vae.models: gradient checks in float64 for every layer and both whole models, decoding, sampling."""

import numpy as np
import pytest
from gradcheck import assert_parameter_gradients, numeric_gradient, randomize_biases, relative_error
from scipy.special import log_softmax

from cvlab.nn import Linear, ReLU, Sequential, Tanh
from cvlab.vae import VAE, Autoencoder
from cvlab.vae.models import _mlp


def _digits(rng, n=5, levels=17):
    return rng.integers(0, levels, (n, 8, 8))


@pytest.mark.parametrize("layer", [Linear(5, 3, rng=0), ReLU(), Tanh(), _mlp([5, 4, 4, 3], np.random.default_rng(0),
                                                                              np.float64)],
                         ids=["linear", "relu", "tanh", "mlp"])
def test_every_layer_backward_matches_finite_differences(layer):
    rng = np.random.default_rng(1)
    randomize_biases(layer, rng, scale=0.3)  # zero biases can put a ReLU exactly on its kink
    x = rng.standard_normal((6, 5 if not isinstance(layer, (ReLU, Tanh)) else 3))
    if isinstance(layer, ReLU):
        x = np.where(np.abs(x) < 0.05, 0.5, x)  # away from the kink
    weights = rng.standard_normal(layer.forward(x).shape)

    def loss():
        return float((layer.forward(x) * weights).sum())

    loss()
    dx = layer.backward(weights)
    assert relative_error(dx, numeric_gradient(loss, x)) < 1e-7
    if isinstance(layer, (Linear, Sequential)):
        loss()
        layer.backward(weights)
        assert_parameter_gradients(list(layer.named_parameters()), loss, rng)


@pytest.mark.parametrize("dropout", [0.0, 0.3])
@pytest.mark.parametrize("kind", [VAE, Autoencoder])
def test_whole_model_gradients_match_finite_differences(kind, dropout):
    rng = np.random.default_rng(0)
    model = kind(latent_dim=3, hidden=7, levels=5, dropout=dropout, rng=rng)
    randomize_biases(model, rng, scale=0.3)
    x = _digits(rng, 4, levels=5)

    def loss():  # the same ε and dropout masks on every call
        return model.loss_and_gradients(x, rng=np.random.default_rng(7))

    loss()
    assert_parameter_gradients(list(model.named_parameters()), loss, rng)


@pytest.mark.parametrize("beta", [0.0, 3.0])
def test_vae_gradients_of_the_beta_weighted_loss(beta):
    rng = np.random.default_rng(2)
    model = VAE(latent_dim=2, hidden=5, levels=4, rng=rng)
    randomize_biases(model, rng, scale=0.3)
    x = _digits(rng, 3, levels=4)

    def loss():
        reconstruction, kl = model._loss_terms_and_gradients(x, np.random.default_rng(3), beta)
        return reconstruction + beta * kl

    loss()
    assert_parameter_gradients(list(model.named_parameters()), loss, rng)


def test_loss_is_the_negative_elbo_per_pixel_by_the_loop_formula():
    rng = np.random.default_rng(4)
    model = VAE(latent_dim=2, hidden=6, levels=5, rng=rng)
    x = _digits(rng, 3, levels=5)
    loss = model.loss_and_gradients(x, rng=np.random.default_rng(9))
    eps = np.random.default_rng(9).standard_normal((3, 2))
    total = 0.0
    for image, e in zip(x, eps):
        mu, logvar = model.encode(image[None])
        z = mu + np.exp(0.5 * logvar) * e
        logits = model.decoder_logits(z)[0]                         # (levels, 8, 8)
        logp = log_softmax(logits, axis=0)
        nll = -sum(logp[image[r, c], r, c] for r in range(8) for c in range(8))
        kl = sum(0.5 * (m * m + np.exp(v) - 1 - v) for m, v in zip(mu[0], logvar[0]))
        total += nll + kl
    assert loss == pytest.approx(total / (3 * 64), rel=1e-12)


def test_log_likelihood_gradient_matches_finite_differences():
    rng = np.random.default_rng(5)
    model = VAE(latent_dim=3, hidden=6, levels=5, rng=rng)
    randomize_biases(model, rng, scale=0.3)
    x = _digits(rng, 1, levels=5)
    z = rng.standard_normal((2, 3))
    analytic = model.log_likelihood_gradient(x, z)
    for row in range(2):
        point = z[row:row + 1]
        numeric = numeric_gradient(lambda point=point: float(model.log_likelihood(x, point)[0]), point[0])
        assert relative_error(analytic[row], numeric) < 1e-7


def test_decode_is_the_mean_level_and_draws_follow_the_probabilities():
    rng = np.random.default_rng(6)
    model = VAE(latent_dim=2, hidden=6, levels=4, rng=rng)
    z = rng.standard_normal((1, 2))
    p = np.exp(log_softmax(model.decoder_logits(z)[0], axis=0))        # (4, 8, 8)
    np.testing.assert_allclose(model.decode(z)[0], np.tensordot(np.arange(4), p, axes=1), rtol=1e-12)
    draws = model.draw(np.repeat(z, 20000, axis=0), rng)
    frequencies = np.stack([(draws == v).mean(axis=0) for v in range(4)])
    assert np.abs(frequencies - p).max() < 0.02


def test_sample_is_one_decoder_pass_of_prior_draws():
    model = VAE(latent_dim=2, hidden=6, rng=0)
    a, b = model.sample(7, rng=3), model.sample(7, rng=3)
    assert a.shape == (7, 8, 8) and a.dtype.kind == "i"
    np.testing.assert_array_equal(a, b)
    assert a.min() >= 0 and a.max() <= 16


def test_models_reject_bad_input_by_name():
    model = VAE(latent_dim=2, hidden=4, rng=0)
    with pytest.raises(TypeError, match="x must hold integer"):
        model.encode(np.zeros((2, 8, 8)))
    with pytest.raises(ValueError, match=r"x must lie in \[0, 16\]"):
        model.encode(np.full((2, 8, 8), 17))
    with pytest.raises(ValueError, match=r"x must have shape \(N, 8, 8\)"):
        model.encode(np.zeros((2, 7, 8), dtype=int))
    with pytest.raises(ValueError, match=r"z must have shape \(N, 2\)"):
        model.decode(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="z must not contain NaN"):
        model.decode(np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match="n must be <= "):
        model.sample(10 ** 9, rng=0)
    with pytest.raises(ValueError, match="latent_dim must be <= 64"):
        VAE(latent_dim=65)
    with pytest.raises(ValueError, match="hidden must be <= 1024"):
        Autoencoder(hidden=2000)
    with pytest.raises(ValueError, match="x must have 1 or 3 images"):
        model.log_likelihood(np.zeros((2, 8, 8), dtype=int), np.zeros((3, 2)))


def test_methods_leave_their_inputs_unchanged():
    model = VAE(latent_dim=2, hidden=4, rng=0)
    x = _digits(np.random.default_rng(0), 3)
    z = np.random.default_rng(1).standard_normal((3, 2))
    x0, z0 = x.copy(), z.copy()
    model.encode(x), model.reconstruct(x), model.decode(z), model.log_likelihood(x, z)
    model.log_likelihood_gradient(x, z), model.loss_and_gradients(x, rng=0)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(z, z0)
