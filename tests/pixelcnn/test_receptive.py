"""cvlab.pixelcnn.receptive: exact dependency maps, the blind spot, and computation orders."""

import numpy as np
import pytest
from gradcheck import randomize_biases

from cvlab.pixelcnn import (
    Conv2d,
    Gate,
    GatedPixelCNN,
    MaskedConv2d,
    PixelCNN,
    ReLU,
    Residual,
    Sequential,
    computation_order,
    dependency_category,
    dependency_map,
    raster_causal,
)


def rng():
    return np.random.default_rng(0)


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
    randomize_biases(net, g)
    r, c = 3, 4
    for out in range(3):
        dep = dependency_map(net, (r, c), (6, 6), per_channel=True, out_channels=[out])
        before_centre = dep.copy()
        before_centre[:, r, c] = False
        assert raster_causal(before_centre, (r, c))
        np.testing.assert_array_equal(dep[:, r, c], np.arange(3) < out)  # R: none, G: R, B: R and G
        assert dep[:, r - 1, c].all()


def test_blind_spot_and_gated_cone():
    plain = PixelCNN(levels=3, channels=8, n_layers=5, rng=rng())
    gated = GatedPixelCNN(levels=3, channels=8, n_layers=5, rng=rng())
    r, c = 6, 3
    dp, dg = dependency_map(plain, (r, c)), dependency_map(gated, (r, c))
    assert raster_causal(dp, (r, c)) and raster_causal(dg, (r, c))
    assert not dp[r - 1, c + 2]              # above right: the blind spot
    assert dg[r - 1, c + 2] and dg[r - 2, c + 4]
    assert dg[r - 5:r].all() and dg[r, :c].all()  # within its cone the gated model misses nothing earlier


@pytest.mark.parametrize("n_layers", [2, 4, 6])
def test_two_stacks_not_the_gate_remove_the_blind_spot(n_layers):
    position = (6, 3)
    gated_single_stack = Sequential(
        [MaskedConv2d(3, 16, 3, "A", rng=rng()), Gate("paper")]
        + [Residual(Sequential([MaskedConv2d(8, 16, 3, "B", rng=rng()), Gate("paper")])) for _ in range(n_layers - 1)])
    single = dependency_map(gated_single_stack, position)
    plain = dependency_map(PixelCNN(levels=3, channels=8, n_layers=n_layers, rng=rng()), position)
    np.testing.assert_array_equal(single, plain)  # gating one stack leaves its blind spot where it was
    two_stacks = {form: dependency_map(GatedPixelCNN(levels=3, channels=4, n_layers=n_layers, form=form, rng=rng()),
                                       position) for form in ("paper", "notes", "relu")}
    np.testing.assert_array_equal(two_stacks["relu"], two_stacks["paper"])
    np.testing.assert_array_equal(two_stacks["notes"], two_stacks["paper"])
    assert not plain[5, 5] and two_stacks["relu"][5, 5]


def test_dependency_map_is_exact_whatever_the_weights():
    # Random weights once hid two real dependencies here (ReLUs off for every probe input).
    model = PixelCNN(levels=3, channels=8, n_layers=1, rng=np.random.default_rng(1))
    expected = np.zeros((8, 8), bool)
    expected[6, 0] = expected[6, 1] = True  # a 3x3 type-A mask at (7, 0): the row above, within reach
    np.testing.assert_array_equal(dependency_map(model, (7, 0)), expected)


@pytest.mark.parametrize("kind", [PixelCNN, GatedPixelCNN])
def test_dependency_map_agrees_with_the_bit_identical_causality_probe(kind):
    model = kind(levels=4, channels=4, n_layers=2, rng=np.random.default_rng(7))
    x = rng().integers(0, 4, (1, 6, 6))
    base = model.forward(x)[0, :, 3, 2]
    for j in zip(*np.nonzero(~dependency_map(model, (3, 2), (6, 6)))):
        for level in range(4):
            y = x.copy()
            y[0][j] = level
            assert np.array_equal(model.forward(y)[0, :, 3, 2], base), f"pixel {j} is not in the map but matters"


def test_dependency_category_labels():
    dep = np.zeros((3, 3), bool)
    dep[0, 1] = True
    np.testing.assert_array_equal(dependency_category(dep, (1, 1)), [[1, 2, 1], [1, 3, 0], [0, 0, 0]])


def test_computation_orders():
    np.testing.assert_array_equal(computation_order((2, 3), "sampling"), [[0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(computation_order((2, 3), "row_lstm"), [[0, 0, 0], [1, 1, 1]])
    np.testing.assert_array_equal(computation_order((2, 3), "diagonal_bilstm"), [[0, 1, 2], [1, 2, 3]])
    assert not computation_order((2, 3), "pixelcnn").any()
    rgb = computation_order((2, 2, 3), "sampling")
    np.testing.assert_array_equal(rgb[0, 1], [3, 4, 5])
    for shape, steps in [((32, 32, 3), 3072), ((32, 32), 1024)]:
        assert computation_order(shape, "sampling").max() + 1 == steps
    assert computation_order((32, 32), "row_lstm").max() + 1 == 32
    assert computation_order((32, 32), "diagonal_bilstm").max() + 1 == 63


@pytest.mark.parametrize("call, error, match", [
    (lambda m: dependency_map(m, 4), TypeError, "position must be a pair"),
    (lambda m: dependency_map(m, (1, 2, 3)), ValueError, "position must be a pair"),
    (lambda m: dependency_map(m, (0, 8)), ValueError, "position must be <= 7"),
    (lambda m: dependency_map(m, (0, 0), shape=(8, 8, 8)), ValueError, "shape must be a pair"),
    (lambda m: dependency_map(m, (0, 0), shape=(100, 100)), ValueError, "MAX_SIDE"),
    (lambda m: dependency_map(m, (0, 0), per_channel="yes"), TypeError, "per_channel"),
    (lambda m: dependency_map("plain", (0, 0)), TypeError, "model"),
    (lambda m: dependency_map(Sequential([MaskedConv2d(1, 2, 3, "A")]), (0, 0), out_channels=[5]),
     ValueError, "out_channels must lie in"),
    (lambda m: raster_causal(np.zeros((3, 3)), (1, 1)), TypeError, "dependency"),
    (lambda m: raster_causal(np.zeros((3, 3), dtype=bool), (3, 0)), ValueError, "position"),
    (lambda m: computation_order((8, 8), "zigzag"), ValueError, "order"),
    (lambda m: computation_order((8, 8, 9), "sampling"), ValueError, "shape must be <= 4"),
    (lambda m: computation_order(8, "sampling"), ValueError, "shape"),
])
def test_bad_inputs(call, error, match):
    with pytest.raises(error, match=match):
        call(PixelCNN(levels=3, channels=2, n_layers=1, rng=rng()))
