"""cvlab.pixelcnn.layers: gradients by central differences, masks in both passes, references, bad inputs."""

import numpy as np
import pytest
from gradcheck import check_layer, numeric_gradient, randomize_biases, relative_error
from scipy.ndimage import correlate
from scipy.special import expit as sigma

from cvlab.pixelcnn import (
    Conv1x1,
    Conv2d,
    Gate,
    GatedBlock,
    HorizontalStackConv,
    MaskedConv2d,
    ReLU,
    Residual,
    Sequential,
    ShiftDown,
    VerticalStackConv,
    causal_mask,
)


def rng():
    return np.random.default_rng(0)


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
    "gate_relu": lambda g: (Gate("relu"), 4),
    "relu": lambda g: (ReLU(), 3),
    "shift": lambda g: (ShiftDown(), 2),
    "residual": lambda g: (Residual(Sequential([MaskedConv2d(3, 6, 3, "B", rng=g), Gate("paper")])), 3),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_gradients(name):
    generator = rng()
    layer, channels = LAYERS[name](generator)
    x = generator.standard_normal((2, 4, 5, channels))
    if name in ("relu", "gate_relu"):
        x = np.where(np.abs(x) < 0.05, 0.5, x)  # stay away from the kink
    check_layer(layer, x)


def test_gated_block_gradients():
    generator = rng()
    block = GatedBlock(3, 3, 3, first=False, rng=generator)
    randomize_biases(block, generator)
    v, h = generator.standard_normal((2, 2, 4, 4, 3))
    rv, rh = generator.standard_normal((2, 2, 4, 4, 3))

    def loss():
        out_v, out_h = block.forward(v, h)
        return float((out_v * rv).sum() + (out_h * rh).sum())

    loss()
    dv, dh = block.backward(rv, rh)
    assert relative_error(dv, numeric_gradient(loss, v)) < 1e-6
    assert relative_error(dh, numeric_gradient(loss, h)) < 1e-6
    grads = {name: owner.grads[key].copy() for name, owner, key in block.named_parameters()}
    for name, owner, key in block.named_parameters():
        assert relative_error(grads[name], numeric_gradient(loss, owner.params[key])) < 1e-6, name


@pytest.mark.parametrize("form", ["paper", "notes"])
def test_gate_derivatives_follow_their_formulas(form):
    a, b = np.meshgrid(np.linspace(-5, 5, 11), np.linspace(-5, 5, 11))
    gate = Gate(form)
    out = gate.forward(np.stack([a, b], axis=-1))[..., 0]
    da, db = np.moveaxis(gate.backward(np.ones(a.shape + (1,))), -1, 0)
    if form == "paper":
        np.testing.assert_allclose(out, np.tanh(a) * sigma(b), atol=1e-12)
        np.testing.assert_allclose(da, sigma(b) * (1 - np.tanh(a) ** 2), atol=1e-12)
        np.testing.assert_allclose(db, np.tanh(a) * sigma(b) * (1 - sigma(b)), atol=1e-12)
    else:
        np.testing.assert_allclose(out, sigma(a) * b, atol=1e-12)
        np.testing.assert_allclose(da, sigma(a) * (1 - sigma(a)) * b, atol=1e-12)
        np.testing.assert_allclose(db, sigma(a), atol=1e-12)


def test_conv2d_matches_scipy_correlate_per_channel_pair():
    generator = rng()
    conv = Conv2d(2, 3, 5, rng=generator)
    randomize_biases(conv, generator)
    x = generator.standard_normal((1, 7, 6, 2))
    out = conv.forward(x)
    for o in range(3):
        expected = conv.params["b"][o] + sum(correlate(x[0, :, :, c], conv.params["w"][o, c], mode="constant")
                                             for c in range(2))
        np.testing.assert_allclose(out[0, :, :, o], expected, atol=1e-12)


def test_masked_weights_get_no_gradient_and_change_nothing():
    layer = MaskedConv2d(2, 2, 3, "A", rng=rng())
    x = rng().standard_normal((1, 4, 4, 2))
    before = layer.forward(x)
    layer.backward(np.ones((1, 4, 4, 2)))
    masked = causal_mask(3, "A", 2, 2) == 0
    assert not layer.grads["w"][masked].any()
    layer.params["w"][masked] = 100.0
    np.testing.assert_array_equal(layer.forward(x), before)


def test_int_seeds_are_generators():
    np.testing.assert_array_equal(MaskedConv2d(2, 2, 3, "B", rng=5).params["w"],
                                  MaskedConv2d(2, 2, 3, "B", rng=np.random.default_rng(5)).params["w"])
    block = GatedBlock(2, 2, 3, rng=7)  # one generator for all sub-layers, not one reseeded copy each
    assert not np.array_equal(block.vconv.params["w"][:, :, :2], block.hconv.params["w"][:, :, :2])


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
    with pytest.raises(ValueError, match="mask"):
        Conv2d(1, 1, 3, mask=np.zeros((1, 1, 3, 3)))
    with pytest.raises(ValueError, match="form"):
        Gate("swish")
    with pytest.raises(ValueError, match="x"):
        Gate().forward(np.zeros((1, 2, 2, 3)))
    with pytest.raises(ValueError, match="kernel_size must be >= 3 for a type-A mask"):
        MaskedConv2d(1, 1, 1, "A")
    with pytest.raises(ValueError, match="kernel_size must be >= 3 for a type-A mask"):
        HorizontalStackConv(1, 1, 1, "A")
    with pytest.raises(TypeError, match="dtype"):
        Conv2d(1, 1, 3, dtype=np.float16)
    with pytest.raises(TypeError, match="rng"):
        Conv2d(1, 1, 3, rng="seed")
    with pytest.raises(TypeError, match="first"):
        GatedBlock(1, 1, first="yes")


def test_im2col_memory_ceiling_is_checked_before_allocating():
    conv = Conv2d(64, 1, 15, rng=0)
    x = np.zeros((4, 64, 64, 64))  # 8 MB, but 225 taps would make its im2col matrix 1.9 GB
    with pytest.raises(ValueError, match="x of shape .* too large for this layer"):
        conv.forward(x)


def test_layers_leave_inputs_unchanged():
    x = rng().standard_normal((2, 4, 4, 2))
    before = x.copy()
    for layer in (MaskedConv2d(2, 2, 3, "A", rng=rng()), Gate(), ReLU(), ShiftDown(), Residual(ReLU())):
        out = layer.forward(x)
        layer.backward(np.ones_like(out))
    np.testing.assert_array_equal(x, before)
