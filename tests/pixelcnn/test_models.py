"""cvlab.pixelcnn.models: gradients, causality, the mixture output, sampling, ceilings."""

import numpy as np
import pytest
from gradcheck import assert_parameter_gradients, randomize_biases
from limits import run_limited
from scipy.special import log_softmax

from cvlab.data import digits
from cvlab.pixelcnn import GatedPixelCNN, PixelCNN, discretized_logistic_mixture_log_prob, load_pretrained
from cvlab.pixelcnn.models import MAX_OUTPUTS, MAX_SAMPLE_EVALUATIONS

GB = 2**30


def rng():
    return np.random.default_rng(0)


MODELS = {
    "plain": lambda: PixelCNN(levels=4, channels=3, n_layers=2, rng=rng()),
    "plain_no_residual": lambda: PixelCNN(levels=4, channels=3, n_layers=3, residual=False, rng=rng()),
    "plain_mixture": lambda: PixelCNN(levels=9, channels=3, n_layers=2, output="mixture", components=2, rng=rng()),
    "gated": lambda: GatedPixelCNN(levels=4, channels=3, n_layers=2, rng=rng()),
    "gated_notes": lambda: GatedPixelCNN(levels=4, channels=3, n_layers=2, form="notes", rng=rng()),
    "gated_mixture": lambda: GatedPixelCNN(levels=9, channels=3, n_layers=2, output="mixture", components=2,
                                           rng=rng()),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_gradients(name):
    model = MODELS[name]()
    generator = np.random.default_rng(1)
    for layer in model.layers():
        randomize_biases(layer, generator)
    x = generator.integers(0, model.levels, (2, 4, 4))
    model.loss_and_gradients(x)
    assert_parameter_gradients(list(model.named_parameters()), lambda: model.loss_and_gradients(x), generator,
                               tolerance=1e-5)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_loss_is_the_mean_nll_per_pixel(name):
    model = MODELS[name]()
    x = np.random.default_rng(2).integers(0, model.levels, (3, 4, 5))
    assert model.loss_and_gradients(x) == pytest.approx(model.nll(x).sum() / x.size, rel=1e-12)


def test_nll_is_sum_of_log_softmax():
    model = PixelCNN(levels=5, channels=4, n_layers=2, rng=rng())
    x = rng().integers(0, 5, (3, 4, 4))
    before = x.copy()
    logp = log_softmax(model.forward(x), axis=1)
    expected = -np.array([sum(logp[n, x[n, i, j], i, j] for i in range(4) for j in range(4)) for n in range(3)])
    np.testing.assert_allclose(model.nll(x), expected, rtol=1e-12)
    np.testing.assert_array_equal(x, before)


def test_mixture_output_is_the_discretized_logistic_mixture():
    model = PixelCNN(levels=9, channels=3, n_layers=2, output="mixture", components=2, rng=rng())
    x = rng().integers(0, 9, (2, 3, 3))
    out = model._net_forward(model._one_hot(x))
    weights, means, log_scales, _ = model._mixture_parameters(out)
    expected = discretized_logistic_mixture_log_prob(np.broadcast_to(np.arange(9), (2, 3, 3, 9)),
                                                     weights[..., None, :], means[..., None, :],
                                                     log_scales[..., None, :], 9)
    np.testing.assert_allclose(np.moveaxis(model.forward(x), 1, -1), expected, atol=1e-12)
    np.testing.assert_allclose(np.exp(model.forward(x)).sum(axis=1), 1.0, atol=1e-12)


# ---------------------------------------------------------------- causality

def _assert_causal(model, shape=(6, 6)):
    generator = np.random.default_rng(3)
    h, w = shape
    x = generator.integers(0, model.levels, (1, h, w))
    base = model.forward(x).reshape(1, model.levels, -1)
    changed_after = False
    for j in range(h * w):
        y = x.copy()
        y.flat[j] = (x.flat[j] + 1 + generator.integers(0, model.levels - 1)) % model.levels
        out = model.forward(y).reshape(1, model.levels, -1)
        assert np.array_equal(out[..., : j + 1], base[..., : j + 1]), f"pixel {j} leaks"
        changed_after |= not np.array_equal(out[..., j + 1:], base[..., j + 1:])
    assert changed_after  # the test can see a dependency when there is one


@pytest.mark.parametrize("name", sorted(MODELS))
def test_causality_random_weights(name):
    _assert_causal(MODELS[name]())


@pytest.mark.parametrize("name", ["plain", "gated"])
def test_causality_pretrained(name):
    _assert_causal(load_pretrained(name), (8, 8))


# ---------------------------------------------------------------- sampling

def test_sampling_deterministic_and_counted():
    model = GatedPixelCNN(levels=5, channels=4, n_layers=2, rng=rng())
    a = model.sample(3, np.random.default_rng(7), shape=(4, 5))
    assert model.forward_passes == 20
    assert model.pixels_evaluated == model.sampling_cost((4, 5))[1]
    b = model.sample(3, 7, shape=(4, 5))
    np.testing.assert_array_equal(a, b)
    assert a.min() >= 0 and a.max() < 5


@pytest.mark.parametrize("shape", [(3, 9), (9, 3), (12, 5)])
def test_sampling_cost_matches_the_loop(shape):
    model = PixelCNN(levels=3, channels=2, n_layers=2, rng=rng())
    passes, positions = model.sampling_cost(shape)
    model.sample(1, 0, shape=shape)
    assert (model.forward_passes, model.pixels_evaluated) == (passes, positions)
    margin = 2 * 1 + 1
    assert positions == sum(shape[1] * shape[1] * (min(r, margin) + 1) for r in range(shape[0]))


def test_completion_keeps_given_pixels():
    model = PixelCNN(levels=17, channels=4, n_layers=2, rng=rng())
    _, test = digits()
    given_images = test[:4]
    before = given_images.copy()
    mask = np.zeros((8, 8), dtype=bool)
    mask[:4] = True
    out = model.sample(None, np.random.default_rng(1), given=given_images, mask=mask)
    np.testing.assert_array_equal(out[:, :4], given_images[:, :4])
    np.testing.assert_array_equal(given_images, before)


@pytest.mark.parametrize("kind", [PixelCNN, GatedPixelCNN])
def test_cropped_row_logits_match_full_pass(kind):
    model = kind(levels=5, channels=4, n_layers=3, rng=rng())
    x = rng().integers(0, 5, (2, 12, 6))
    full = model._net_forward(model._one_hot(x))
    for r in range(12):
        np.testing.assert_allclose(model._row_logits(x, r), full[:, r], rtol=1e-12, atol=1e-12)


def test_forward_in_chunks_equals_one_pass(monkeypatch):
    model = GatedPixelCNN(levels=5, channels=4, n_layers=2, rng=rng())
    x = rng().integers(0, 5, (7, 6, 6))
    whole = model.forward(x)
    monkeypatch.setattr(model, "_images_per_chunk", lambda h, w, name="x": 3)
    np.testing.assert_array_equal(model.forward(x), whole)
    np.testing.assert_array_equal(model.nll(x), model.nll(x[::-1])[::-1])


# ---------------------------------------------------------------- checks and ceilings

def test_int_seed_equals_generator():
    np.testing.assert_array_equal(PixelCNN(levels=3, channels=2, n_layers=2, rng=0).forward(np.zeros((1, 3, 3), int)),
                                  PixelCNN(levels=3, channels=2, n_layers=2, rng=np.random.default_rng(0))
                                  .forward(np.zeros((1, 3, 3), int)))


@pytest.mark.parametrize("kind", [PixelCNN, GatedPixelCNN])
@pytest.mark.parametrize("kwargs, match", [
    (dict(n_layers=10**6), "n_layers must be <= 32"),
    (dict(channels=10**5), "channels must be <= 256"),
    (dict(levels=10**4), "levels must be <= 256"),
    (dict(kernel_size=101), "kernel_size must be <= 15"),
    (dict(kernel_size=4), "kernel_size must be odd"),
    (dict(kernel_size=1), "kernel_size must be >= 3"),
    (dict(components=11, output="mixture"), "components must be <= 10"),
    (dict(channels=256, n_layers=32), "MAX_PARAMETERS = 1000000"),
    (dict(output="logistic"), "output must be one of"),
    (dict(dtype=np.int64), "dtype must be numpy.float32 or numpy.float64"),
    (dict(rng="seed"), "rng"),
    (dict(levels=2.5), "levels must be an integer"),
])
def test_constructor_ceilings_and_checks(kind, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        kind(**kwargs)


def test_constructor_ceiling_is_fast_and_small():
    result = run_limited("""
try:
    PixelCNN(channels=256, n_layers=32, kernel_size=15)
except ValueError as error:
    print(error)
""", setup="from cvlab.pixelcnn import PixelCNN")
    assert "MAX_PARAMETERS" in result.output and result.seconds < 10 and result.peak_bytes < GB


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(n=2, shape=(8, 8, 8)), ValueError, r"shape must be a pair \(H, W\)"),
    (dict(n=2, shape=8), TypeError, "shape must be a pair"),
    (dict(n=2, shape=(0, 8)), ValueError, "shape must be >= 1"),
    (dict(n=2, shape=(65, 8)), ValueError, "shape must be at most MAX_SIDE = 64"),
    (dict(n=10**6), ValueError, "n must be <= 1024"),
    (dict(n=1024, shape=(64, 64)), ValueError, "n and shape must need at most MAX_SAMPLE_EVALUATIONS"),
    (dict(n=2, rng="seed"), TypeError, "rng"),
    (dict(n=None, given=np.zeros((1, 3, 3), dtype=int)), ValueError, "mask must be given"),
    (dict(n=None, given=np.zeros((1, 3, 3), dtype=int), mask=np.ones((3, 3))), TypeError, "mask must be boolean"),
    (dict(n=None, given=np.zeros((1, 3, 3), dtype=int), mask=np.ones((2, 2), bool)), ValueError, "mask must have"),
])
def test_sample_bad_arguments(kwargs, error, match):
    model = PixelCNN(levels=4, channels=2, n_layers=1, rng=rng())
    kwargs.setdefault("rng", 0)
    with pytest.raises(error, match=match):
        model.sample(**kwargs)


def test_huge_sample_is_refused_quickly_and_small():
    result = run_limited("""
try:
    model.sample(10**6, 0)
except ValueError as error:
    print(error)
try:
    model.sample(1000, 0, shape=(64, 64))
except ValueError as error:
    print(error)
""", setup="from cvlab.pixelcnn import load_pretrained\nmodel = load_pretrained('gated')")
    assert "n must be <= 1024" in result.output and "MAX_SAMPLE_EVALUATIONS" in result.output
    assert result.seconds < 10 and result.peak_bytes < GB


def test_the_largest_allowed_sample_stays_within_one_gigabyte():
    # 1024 digits (1024 · 2240 = 2.3·10^6 evaluations, under the ceiling): the biggest sample a student asks for
    assert 1024 * load_pretrained("gated").sampling_cost((8, 8))[1] <= MAX_SAMPLE_EVALUATIONS
    result = run_limited("print(model.sample(1024, 0).shape)",
                         setup="from cvlab.pixelcnn import load_pretrained\nmodel = load_pretrained('gated')")
    assert result.output == "(1024, 8, 8)" and result.peak_bytes < GB


def test_model_bad_inputs():
    model = PixelCNN(levels=4, channels=2, n_layers=1, rng=rng())
    with pytest.raises(ValueError, match="x"):
        model.forward(np.full((1, 3, 3), 4))
    with pytest.raises(TypeError, match="x"):
        model.forward(np.zeros((1, 3, 3)))
    with pytest.raises(ValueError, match="x"):
        model.nll(np.zeros((3, 3), dtype=int))
    with pytest.raises(ValueError, match="x must have at most MAX_SIDE"):
        model.nll(np.zeros((1, 65, 3), dtype=int))
    with pytest.raises(ValueError, match="x must give at most MAX_OUTPUTS"):
        model.forward(np.zeros((MAX_OUTPUTS // (4 * 64) + 1, 8, 8), dtype=np.uint8))
    with pytest.raises(ValueError, match="shape"):
        model.sampling_cost((3,))
