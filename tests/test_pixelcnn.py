"""Tests for cvlab.pixelcnn: masks, gradient checks, causality, likelihoods, sampling, weights."""

import shutil

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import log_softmax
from scipy.stats import logistic
from sklearn.metrics import roc_auc_score

from cvlab.data import digits
from cvlab.pixelcnn import (
    Conv1x1,
    Conv2d,
    Gate,
    GatedBlock,
    GatedPixelCNN,
    HorizontalStackConv,
    MaskedConv2d,
    PixelCNN,
    ReLU,
    Residual,
    Sequential,
    ShiftDown,
    VerticalStackConv,
    bits_per_dim,
    causal_mask,
    dependency_map,
    discretized_logistic_mixture_log_prob,
    load_model,
    load_pretrained,
    raster_causal,
    roc_auc,
    train,
)
from cvlab.pixelcnn.training import WEIGHTS_DIR


def rng():
    return np.random.default_rng(0)


# ---------------------------------------------------------------- masks

def test_causal_mask_types():
    a, b = causal_mask(5, "A")[0, 0], causal_mask(5, "B")[0, 0]
    assert a.shape == (5, 5) and a.sum() == 12 and b.sum() == 13
    assert a[2, 2] == 0 and b[2, 2] == 1
    assert not a[3:].any() and not a[2, 3:].any()
    assert (a[:2] == 1).all()


def test_causal_mask_rgb_groups():
    a = causal_mask(3, "A", 6, 6, color_groups=3)[:, :, 1, 1]
    b = causal_mask(3, "B", 6, 6, color_groups=3)[:, :, 1, 1]
    groups = np.arange(6) // 2
    np.testing.assert_array_equal(a, groups[None, :] < groups[:, None])
    np.testing.assert_array_equal(b, groups[None, :] <= groups[:, None])
    # off-centre taps ignore groups
    assert causal_mask(3, "A", 6, 6, color_groups=3)[:, :, 0].all()


@given(st.integers(0, 4), st.sampled_from("AB"))
def test_causal_mask_counts(half, kind):
    k = 2 * half + 1
    mask = causal_mask(k, kind)
    assert mask.sum() == k * k // 2 + (kind == "B")
    assert set(np.unique(mask)) <= {0.0, 1.0}


@pytest.mark.parametrize("kwargs, match", [
    (dict(kernel_size=4, mask_type="A"), "kernel_size"),
    (dict(kernel_size=3, mask_type="C"), "mask_type"),
    (dict(kernel_size=3, mask_type="A", color_groups=2), "color_groups"),
    (dict(kernel_size=3, mask_type="A", in_channels=4, color_groups=3), "in_channels"),
    (dict(kernel_size=3, mask_type="A", in_channels=3, out_channels=5, color_groups=3), "out_channels"),
    (dict(kernel_size=3.0, mask_type="A"), "kernel_size"),
])
def test_causal_mask_bad_inputs(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        causal_mask(**kwargs)


# ---------------------------------------------------------------- gradient checks

def _randomize_biases(layer, generator):
    for _, owner, key in layer.named_parameters():
        if key == "b":
            owner.params[key] = generator.standard_normal(owner.params[key].shape)


def _relative_error(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


def _numeric(f, array, eps=1e-6, indices=None):
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


def _check_layer(layer, x):
    """Central differences of L = Σ y ⊙ R against backward, for the input and every parameter."""
    generator = np.random.default_rng(1)
    _randomize_biases(layer, generator)
    weights = generator.standard_normal(layer.forward(x).shape)

    def loss():
        return float((layer.forward(x) * weights).sum())

    layer.forward(x)
    dx = layer.backward(weights)
    grads = {name: owner.grads[key].copy() for name, owner, key in layer.named_parameters()}
    assert _relative_error(dx, _numeric(loss, x)) < 1e-6
    for name, owner, key in layer.named_parameters():
        numeric = _numeric(loss, owner.params[key])
        assert _relative_error(grads[name], numeric) < 1e-6, name


LAYERS = {
    "conv": lambda g: (Conv2d(3, 4, 3, rng=g), 3),
    "masked_A": lambda g: (MaskedConv2d(3, 4, 3, "A", rng=g), 3),
    "masked_B_rgb": lambda g: (MaskedConv2d(3, 6, 5, "B", color_groups=3, rng=g), 3),
    "vertical": lambda g: (VerticalStackConv(2, 4, 3, rng=g), 2),
    "horizontal_A": lambda g: (HorizontalStackConv(2, 4, 3, "A", rng=g), 2),
    "horizontal_B": lambda g: (HorizontalStackConv(2, 4, 5, "B", rng=g), 2),
    "conv1x1": lambda g: (Conv1x1(3, 2, rng=g), 3),
    "gate_paper": lambda g: (Gate("paper"), 4),
    "gate_notes": lambda g: (Gate("notes"), 4),
    "relu": lambda g: (ReLU(), 3),
    "shift": lambda g: (ShiftDown(), 2),
    "residual": lambda g: (Residual(Sequential([MaskedConv2d(3, 6, 3, "B", rng=g), Gate("paper")])), 3),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_gradients(name):
    generator = rng()
    layer, channels = LAYERS[name](generator)
    x = generator.standard_normal((2, 4, 5, channels))
    if name == "relu":
        x = np.where(np.abs(x) < 0.05, 0.5, x)  # stay away from the kink
    _check_layer(layer, x)


def test_gated_block_gradients():
    generator = rng()
    block = GatedBlock(3, 3, 3, first=False, rng=generator)
    _randomize_biases(block, generator)
    v, h = generator.standard_normal((2, 2, 4, 4, 3))
    rv, rh = generator.standard_normal((2, 2, 4, 4, 3))

    def loss():
        out_v, out_h = block.forward(v, h)
        return float((out_v * rv).sum() + (out_h * rh).sum())

    loss()
    dv, dh = block.backward(rv, rh)
    assert _relative_error(dv, _numeric(loss, v)) < 1e-6
    assert _relative_error(dh, _numeric(loss, h)) < 1e-6
    grads = {name: owner.grads[key].copy() for name, owner, key in block.named_parameters()}
    for name, owner, key in block.named_parameters():
        assert _relative_error(grads[name], _numeric(loss, owner.params[key])) < 1e-6, name


@pytest.mark.parametrize("kind", [PixelCNN, GatedPixelCNN])
def test_model_gradients(kind):
    generator = rng()
    model = kind(levels=4, channels=3, n_layers=2, rng=generator)
    for layer in model.layers():
        _randomize_biases(layer, generator)
    x = generator.integers(0, 4, (2, 4, 4))
    model.loss_and_gradients(x)
    grads = {name: owner.grads[key].copy() for name, owner, key in model.named_parameters()}
    for name, owner, key in model.named_parameters():
        shape = owner.params[key].shape
        flat = generator.choice(np.prod(shape), min(12, np.prod(shape)), replace=False)
        picked = [np.unravel_index(i, shape) for i in flat]
        numeric = _numeric(lambda: model.loss_and_gradients(x), owner.params[key], indices=picked)
        rows = tuple(np.array(picked).T)
        assert _relative_error(grads[name][rows], numeric[rows]) < 1e-6, name


def test_masked_weights_get_no_gradient():
    layer = MaskedConv2d(2, 2, 3, "A", rng=rng())
    layer.forward(rng().standard_normal((1, 4, 4, 2)))
    layer.backward(np.ones((1, 4, 4, 2)))
    assert not layer.grads["w"][causal_mask(3, "A", 2, 2) == 0].any()


# ---------------------------------------------------------------- causality

def _assert_causal(model, shape=(6, 6), pixels=None):
    generator = np.random.default_rng(3)
    h, w = shape
    x = generator.integers(0, model.levels, (1, h, w))
    base = model.forward(x)
    changed_after = False
    for j in pixels if pixels is not None else range(h * w):
        r, c = divmod(j, w)
        y = x.copy()
        y[0, r, c] = (x[0, r, c] + 1 + generator.integers(0, model.levels - 1)) % model.levels
        out = model.forward(y).reshape(1, model.levels, -1)
        ref = base.reshape(1, model.levels, -1)
        assert np.array_equal(out[..., : j + 1], ref[..., : j + 1]), f"pixel {j} leaks"
        changed_after |= not np.array_equal(out[..., j + 1:], ref[..., j + 1:])
    assert changed_after  # the test can see a dependency when there is one


@pytest.mark.parametrize("kind", [PixelCNN, GatedPixelCNN])
def test_causality_random_weights(kind):
    _assert_causal(kind(levels=5, channels=6, n_layers=3, rng=rng()))


@pytest.mark.parametrize("name", ["plain", "gated"])
def test_causality_pretrained(name):
    _assert_causal(load_pretrained(name), (8, 8))


def test_unmasked_block_leaks():
    leaky = Sequential([MaskedConv2d(1, 2, 3, "A", rng=rng()), Conv2d(2, 2, 3, rng=rng())])
    assert not raster_causal(dependency_map(leaky, (3, 3), (8, 8)), (3, 3))
    safe = Sequential([MaskedConv2d(1, 2, 3, "A", rng=rng()), MaskedConv2d(2, 2, 3, "B", rng=rng())])
    assert raster_causal(dependency_map(safe, (3, 3), (8, 8)), (3, 3))


def test_rgb_dependencies():
    g = rng()
    net = Sequential([MaskedConv2d(3, 6, 3, "A", color_groups=3, rng=g), ReLU(),
                      MaskedConv2d(6, 6, 3, "B", color_groups=3, rng=g), ReLU(),
                      MaskedConv2d(6, 3, 3, "B", color_groups=3, rng=g)])
    _randomize_biases(net, g)
    r, c = 3, 4
    for out in range(3):
        dep = dependency_map(net, (r, c), (6, 6), per_channel=True, out_channels=[out])
        assert raster_causal(_without_centre(dep, r, c), (r, c))
        np.testing.assert_array_equal(dep[:, r, c], np.arange(3) < out)  # R: none, G: R, B: R and G
        assert dep[:, r - 1, c].all()


def _without_centre(dep, r, c):
    dep = dep.copy()
    dep[:, r, c] = False
    return dep


def test_blind_spot_and_gated_cone():
    plain = PixelCNN(levels=3, channels=8, n_layers=5, rng=rng())
    gated = GatedPixelCNN(levels=3, channels=8, n_layers=5, rng=rng())
    r, c = 6, 3
    dp, dg = dependency_map(plain, (r, c)), dependency_map(gated, (r, c))
    assert raster_causal(dp, (r, c)) and raster_causal(dg, (r, c))
    assert not dp[r - 1, c + 2]              # above right: the blind spot
    assert dg[r - 1, c + 2] and dg[r - 2, c + 4]
    # the gated model sees every earlier pixel within its cone
    assert dg[r - 5:r].all()
    assert dg[r, :c].all()


# ---------------------------------------------------------------- likelihoods

def test_nll_is_sum_of_log_softmax():
    model = PixelCNN(levels=5, channels=4, n_layers=2, rng=rng())
    x = rng().integers(0, 5, (3, 4, 4))
    before = x.copy()
    logits = model.forward(x)
    logp = log_softmax(logits, axis=1)
    expected = -np.array([sum(logp[n, x[n, i, j], i, j] for i in range(4) for j in range(4)) for n in range(3)])
    np.testing.assert_allclose(model.nll(x), expected, rtol=1e-12)
    np.testing.assert_array_equal(x, before)


def test_bits_per_dim():
    assert bits_per_dim(64 * np.log(17), 64) == pytest.approx(np.log2(17))
    np.testing.assert_allclose(bits_per_dim([np.log(2), 2 * np.log(2)], 1), [1, 2])
    with pytest.raises(ValueError, match="dims"):
        bits_per_dim(1.0, 0)


def test_model_bad_inputs():
    model = PixelCNN(levels=4, channels=2, n_layers=1, rng=rng())
    with pytest.raises(ValueError, match="x"):
        model.forward(np.full((1, 3, 3), 4))
    with pytest.raises(TypeError, match="x"):
        model.forward(np.zeros((1, 3, 3)))
    with pytest.raises(ValueError, match="x"):
        model.nll(np.zeros((3, 3), dtype=int))
    with pytest.raises(TypeError, match="rng"):
        model.sample(2, "seed")
    with pytest.raises(ValueError, match="mask"):
        model.sample(1, rng(), given=np.zeros((1, 3, 3), dtype=int))


@given(st.integers(1, 4), st.integers(2, 20), st.integers(0, 2**32 - 1))
def test_logistic_mixture_sums_to_one(k, levels, seed):
    g = np.random.default_rng(seed)
    weights, means = g.standard_normal(k), g.uniform(-3, levels + 3, k)
    log_scales = g.uniform(-3, 2, k)
    p = np.exp(discretized_logistic_mixture_log_prob(np.arange(levels), weights, means, log_scales, levels))
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    assert (p >= 0).all()


def test_logistic_mixture_matches_scipy_bins():
    levels, mu, s = 17, 4.3, 1.7
    p = np.exp(discretized_logistic_mixture_log_prob(np.arange(levels), [0.0], [mu], [np.log(s)], levels))
    edges = np.concatenate([[-np.inf], np.arange(levels - 1) + 0.5, [np.inf]])
    expected = np.diff(logistic.cdf(edges, loc=mu, scale=s))
    np.testing.assert_allclose(p, expected, rtol=1e-10)
    # a very sharp component far in a tail: edge bins take the whole tail, no NaN
    sharp = discretized_logistic_mixture_log_prob(np.array([0, 8, 16]), [0.0], [40.0], [-4.0], levels)
    assert sharp[2] == pytest.approx(0.0, abs=1e-12) and np.isfinite(sharp).all()


def test_logistic_mixture_bad_inputs():
    with pytest.raises(ValueError, match="x"):
        discretized_logistic_mixture_log_prob(np.array([17]), [0.0], [1.0], [0.0], 17)
    with pytest.raises(ValueError, match="levels"):
        discretized_logistic_mixture_log_prob(np.array([0]), [0.0], [1.0], [0.0], 1)


def test_roc_auc_matches_sklearn():
    g = rng()
    neg, pos = g.normal(0, 1, 50).round(1), g.normal(1, 1, 40).round(1)
    labels = np.r_[np.zeros(50), np.ones(40)]
    assert roc_auc(neg, pos) == pytest.approx(roc_auc_score(labels, np.r_[neg, pos]))
    with pytest.raises(ValueError, match="scores_positive"):
        roc_auc([1.0], [])


# ---------------------------------------------------------------- sampling and training

def test_sampling_deterministic_and_counted():
    model = GatedPixelCNN(levels=5, channels=4, n_layers=2, rng=rng())
    model.forward_passes = 0
    a = model.sample(3, np.random.default_rng(7), shape=(4, 5))
    assert model.forward_passes == 20
    b = model.sample(3, np.random.default_rng(7), shape=(4, 5))
    np.testing.assert_array_equal(a, b)
    assert a.min() >= 0 and a.max() < 5


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


def test_train_deterministic():
    data = rng().integers(0, 3, (16, 4, 4))
    runs = []
    for _ in range(2):
        model = PixelCNN(levels=3, channels=4, n_layers=2, rng=np.random.default_rng(5))
        runs.append(train(model, data, 15, 4, 0.01, np.random.default_rng(6), progress=False))
    np.testing.assert_array_equal(runs[0], runs[1])
    with pytest.raises(ValueError, match="steps"):
        train(model, data, 0, 4, 0.01, rng(), progress=False)


# ---------------------------------------------------------------- pretrained weights

@pytest.mark.parametrize("name, target", [("plain", 1.95), ("gated", 1.80)])
def test_pretrained_bits_per_dim(name, target):
    _, test = digits()
    assert bits_per_dim(load_pretrained(name).nll(test), 64).mean() <= target


def test_corrupt_weights_raise(tmp_path):
    from cvlab.pixelcnn.checksums import CHECKSUMS

    broken = tmp_path / "gated.npz"
    shutil.copy(WEIGHTS_DIR / "gated.npz", broken)
    broken.write_bytes(broken.read_bytes()[:-100])
    with pytest.raises(ValueError, match=r"gated\.npz.*sha256"):
        load_model(broken, CHECKSUMS["gated.npz"])
    with pytest.raises(ValueError, match="name"):
        load_pretrained("tiny")


@pytest.mark.parametrize("kind", [PixelCNN, GatedPixelCNN])
def test_cropped_row_logits_match_full_pass(kind):
    model = kind(levels=5, channels=4, n_layers=3, rng=rng())
    x = rng().integers(0, 5, (2, 12, 6))
    full = model._net_forward(model._one_hot(x))
    for r in range(12):
        np.testing.assert_allclose(model._row_logits(x, r), full[:, r], rtol=1e-12, atol=1e-12)


def test_layer_bad_inputs():
    conv = MaskedConv2d(2, 3, 3, "B", rng=rng())
    with pytest.raises(ValueError, match="x"):
        conv.forward(np.zeros((1, 4, 4, 3)))
    with pytest.raises(ValueError, match="x"):
        conv.forward(np.zeros((4, 4, 2)))
    with pytest.raises(ValueError, match="kernel_size"):
        Conv2d(1, 1, 2)
    with pytest.raises(ValueError, match="mask"):
        Conv2d(1, 1, 3, mask=np.ones((1, 1, 2, 2)))
    with pytest.raises(ValueError, match="form"):
        Gate("relu")
    with pytest.raises(ValueError, match="x"):
        Gate().forward(np.zeros((1, 2, 2, 3)))


def test_layers_leave_inputs_unchanged():
    x = rng().standard_normal((2, 4, 4, 2))
    before = x.copy()
    for layer in (MaskedConv2d(2, 2, 3, "A", rng=rng()), Gate(), ReLU(), ShiftDown(), Residual(ReLU())):
        out = layer.forward(x)
        layer.backward(np.ones_like(out))
    np.testing.assert_array_equal(x, before)
    data = rng().integers(0, 3, (8, 4, 4))
    kept = data.copy()
    train(PixelCNN(levels=3, channels=2, n_layers=1, rng=rng()), data, 2, 4, 0.01, rng(), progress=False)
    np.testing.assert_array_equal(data, kept)


def test_raster_causal_bad_inputs():
    with pytest.raises(TypeError, match="dependency"):
        raster_causal(np.zeros((3, 3)), (1, 1))
    with pytest.raises(ValueError, match="position"):
        raster_causal(np.zeros((3, 3), dtype=bool), (3, 0))
    with pytest.raises(ValueError, match="position"):
        dependency_map(PixelCNN(levels=3, channels=2, n_layers=1, rng=rng()), (0, 8))
    with pytest.raises(TypeError, match="model"):
        dependency_map("plain", (0, 0))


def test_dependency_map_is_exact_whatever_the_weights():
    # Random weights once hid two real dependencies here (ReLUs off for every probe input).
    model = PixelCNN(levels=3, channels=8, n_layers=1, rng=np.random.default_rng(1))
    expected = np.zeros((8, 8), bool)
    expected[6, 0] = expected[6, 1] = True  # a 3x3 type-A mask at (7, 0): the row above, within reach
    np.testing.assert_array_equal(dependency_map(model, (7, 0)), expected)


@pytest.mark.parametrize("kind", [PixelCNN, GatedPixelCNN])
def test_dependency_map_agrees_with_the_bit_identical_causality_probe(kind):
    model = kind(levels=4, channels=4, n_layers=2, rng=np.random.default_rng(7))
    generator = np.random.default_rng(0)
    x = generator.integers(0, 4, (1, 6, 6))
    position = (3, 2)
    base = model.forward(x)[0, :, 3, 2]
    for j in zip(*np.nonzero(~dependency_map(model, position, (6, 6)))):
        for level in range(4):
            y = x.copy()
            y[0][j] = level
            assert np.array_equal(model.forward(y)[0, :, 3, 2], base), f"pixel {j} is not in the map but matters"
