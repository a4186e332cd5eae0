"""Transformer layers: float64 gradient checks, reference formulas, causality and permutation laws."""

import numpy as np
import pytest
from gradcheck import check_layer, randomize_parameters
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import norm

from cvlab.attention import (
    GELU,
    AvgPool2d,
    ClassToken,
    Flatten,
    LayerNorm,
    MultiHeadAttention,
    PatchEmbedding,
    PositionEmbedding,
    TokenPool,
    TransformerBlock,
    scaled_dot_product_attention,
    sinusoidal_positions,
)
from cvlab.attention.functional import merge_heads, split_heads


def _tokens(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


@pytest.mark.parametrize("make, shape", [
    (lambda: LayerNorm(5), (2, 3, 5)),
    (lambda: GELU(), (2, 3, 4)),
    (lambda: MultiHeadAttention(6, 2, rng=0), (2, 4, 6)),
    (lambda: MultiHeadAttention(6, 3, causal=True, rng=0), (2, 5, 6)),
    (lambda: MultiHeadAttention(4, 1, rng=0), (1, 3, 4)),
    (lambda: TransformerBlock(6, 2, mlp_dim=8, rng=0), (2, 4, 6)),
    (lambda: TransformerBlock(4, 2, mlp_dim=5, causal=True, rng=0), (2, 3, 4)),
    (lambda: PatchEmbedding(2, 3, rng=0), (2, 4, 6)),
    (lambda: ClassToken(4, rng=0), (2, 3, 4)),
    (lambda: PositionEmbedding(3, 4), (2, 3, 4)),
    (lambda: TokenPool("cls"), (2, 3, 4)),
    (lambda: TokenPool("mean"), (2, 3, 4)),
    (lambda: AvgPool2d(2), (2, 4, 6, 3)),
    (lambda: Flatten(), (2, 3, 4)),
], ids=["layernorm", "gelu", "mha", "mha-causal", "mha-one-head", "block", "block-causal", "patch-embedding",
        "class-token", "positions", "pool-cls", "pool-mean", "avgpool", "flatten"])
def test_gradients_match_central_differences(make, shape):
    check_layer(make(), _tokens(shape), randomize=randomize_parameters)


def test_fixed_positions_have_no_parameters_and_pass_the_gradient():
    layer = PositionEmbedding(3, 4, learned=False)
    assert not layer.params
    check_layer(layer, _tokens((2, 3, 4)), randomize=randomize_parameters)


def test_layernorm_matches_its_formula():
    layer = LayerNorm(6, eps=1e-5)
    randomize_parameters(layer, np.random.default_rng(0))
    x = _tokens((3, 4, 6))
    mean, var = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
    expected = layer.params["g"] * (x - mean) / np.sqrt(var + 1e-5) + layer.params["b"]
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12)


def test_gelu_matches_its_tanh_formula_and_approximates_x_times_the_normal_cdf():
    x = np.linspace(-6, 6, 241)
    expected = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    np.testing.assert_allclose(GELU().forward(x), expected, rtol=1e-13, atol=1e-300)
    assert np.abs(GELU().forward(x) - x * norm.cdf(x)).max() < 5e-4


def test_multi_head_attention_is_each_head_attending_on_its_slice():
    dim, heads = 8, 2
    layer = MultiHeadAttention(dim, heads, rng=0)
    x = _tokens((2, 5, dim))
    w_qkv, b_qkv = layer.qkv.params["w"], layer.qkv.params["b"]
    q, k, v = (x @ w_qkv[:, i * dim:(i + 1) * dim] + b_qkv[i * dim:(i + 1) * dim] for i in range(3))
    outputs = []
    for m in range(heads):
        part = slice(m * dim // heads, (m + 1) * dim // heads)
        outputs.append(scaled_dot_product_attention(q[..., part], k[..., part], v[..., part])[0])
    expected = np.concatenate(outputs, axis=-1) @ layer.out.params["w"] + layer.out.params["b"]
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(merge_heads(split_heads(x, heads)), x)


@pytest.mark.parametrize("layer", [MultiHeadAttention(8, 2, causal=True, rng=1),
                                   TransformerBlock(8, 2, 16, causal=True, rng=1)], ids=["mha", "block"])
def test_causal_layers_never_see_the_future(layer):
    x = _tokens((1, 9, 8))
    base = layer.forward(x)
    generator = np.random.default_rng(2)
    for j in range(9):
        moved = x.copy()
        moved[0, j] += generator.normal(size=8)
        out = layer.forward(moved)
        np.testing.assert_array_equal(out[0, :j], base[0, :j])   # bit-identical before j
        assert (out[0, j:] != base[0, j:]).any(axis=-1).all()    # j and every later token move


def test_causal_weights_above_the_diagonal_are_exactly_zero():
    layer = MultiHeadAttention(4, 2, causal=True, rng=0)
    layer.forward(_tokens((3, 6, 4)) * 10)
    upper = np.triu(np.ones((6, 6), bool), 1)
    assert (layer.attention[..., upper] == 0.0).all()
    np.testing.assert_allclose(layer.attention.sum(axis=-1), 1.0, rtol=0, atol=1e-12)


@given(st.integers(2, 7), st.integers(0, 2 ** 31))
def test_self_attention_without_positions_is_permutation_equivariant(tokens, seed):
    generator = np.random.default_rng(seed)
    x = generator.normal(size=(2, tokens, 8))
    permutation = generator.permutation(tokens)
    for layer in (MultiHeadAttention(8, 2, rng=seed % 7), TransformerBlock(8, 4, 12, rng=seed % 7)):
        np.testing.assert_allclose(layer.forward(x[:, permutation]), layer.forward(x)[:, permutation],
                                   rtol=1e-10, atol=1e-12)


@given(st.integers(2, 7), st.integers(0, 2 ** 31))
def test_mean_pooling_after_self_attention_is_permutation_invariant(tokens, seed):
    generator = np.random.default_rng(seed)
    x = generator.normal(size=(2, tokens, 8))
    block, pool = TransformerBlock(8, 2, 12, rng=seed % 5), TokenPool("mean")
    permuted = pool.forward(block.forward(x[:, generator.permutation(tokens)]))
    np.testing.assert_allclose(permuted, pool.forward(block.forward(x)), rtol=1e-10, atol=1e-12)


def test_positions_break_the_permutation_symmetry():
    x = _tokens((1, 5, 8))
    block, positions = TransformerBlock(8, 2, 12, rng=0), PositionEmbedding(5, 8)
    permutation = np.array([1, 0, 2, 3, 4])
    shuffled = block.forward(positions.forward(x[:, permutation]))
    assert not np.allclose(shuffled, block.forward(positions.forward(x))[:, permutation], atol=1e-6)


def test_position_embedding_starts_sinusoidal():
    np.testing.assert_array_equal(PositionEmbedding(6, 8).params["table"], sinusoidal_positions(6, 8))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layers_keep_the_dtype(dtype):
    block = TransformerBlock(8, 2, 16, causal=True, rng=0, dtype=dtype)
    x = _tokens((2, 5, 8)).astype(dtype)
    out = block.forward(x)
    assert out.dtype == dtype and block.backward(np.ones_like(out)).dtype == dtype
    assert all(owner.grads[key].dtype == dtype for _, owner, key in block.named_parameters())


@pytest.mark.parametrize("make, match", [
    (lambda: MultiHeadAttention(6, 4), "heads must divide dim"),
    (lambda: MultiHeadAttention(6, 0), "heads must be >= 1"),
    (lambda: MultiHeadAttention(6, 2, causal="yes"), "causal must be True or False"),
    (lambda: TransformerBlock(6, 2, mlp_dim=0), "mlp_dim must be >= 1"),
    (lambda: LayerNorm(0), "dim must be >= 1"),
    (lambda: PositionEmbedding(3, 5), "dim must be even"),
    (lambda: TokenPool("max"), "mode must be one of"),
    (lambda: AvgPool2d(0), "size must be >= 1"),
    (lambda: PatchEmbedding(2, 10 ** 6), "dim must be <= 4096"),
])
def test_layer_bad_arguments(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_layer_bad_input_shapes():
    with pytest.raises(ValueError, match="x must have a size divisible by the patch 2"):
        PatchEmbedding(2, 4).forward(np.ones((1, 5, 6)))
    with pytest.raises(ValueError, match="x must have 3 tokens of size 4"):
        PositionEmbedding(3, 4).forward(np.ones((1, 4, 4)))
    with pytest.raises(ValueError, match="x must have a size divisible by 2"):
        AvgPool2d(2).forward(np.ones((1, 3, 4, 1)))
