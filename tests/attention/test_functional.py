"""cvlab.attention.functional against loop formulas, SciPy and the laws the chapter states."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import softmax as scipy_softmax
from scipy.stats import entropy

from cvlab.attention import (
    MAX_TOKENS,
    MAX_WEIGHTS,
    MultiHeadAttention,
    causal_mask,
    merge_heads,
    padding_mask,
    patchify,
    row_entropy,
    scaled_dot_product_attention,
    sinusoidal_positions,
    softmax,
    split_heads,
    token_dependency,
    unpatchify,
)


def _loop_attention(q, k, v, mask=None):
    """o_i = Σ_j a_ij v_j, a_ij = exp(s_ij) / Σ_{allowed l} exp(s_il), s_ij = q_i · k_j / √d, written out."""
    n_q, n_k = len(q), len(k)
    weights = np.zeros((n_q, n_k))
    for i in range(n_q):
        allowed = [j for j in range(n_k) if mask is None or mask[i][j]]
        scores = {j: sum(q[i][t] * k[j][t] for t in range(len(q[i]))) / np.sqrt(len(q[i])) for j in allowed}
        top = max(scores.values())
        total = sum(np.exp(s - top) for s in scores.values())
        for j in allowed:
            weights[i, j] = np.exp(scores[j] - top) / total
    output = np.array([[sum(weights[i, j] * v[j][t] for j in range(n_k)) for t in range(len(v[0]))]
                       for i in range(n_q)])
    return output, weights


def _random_mask(generator, n_q, n_k):
    mask = generator.random((n_q, n_k)) < 0.5
    mask[np.arange(n_q), generator.integers(0, n_k, n_q)] = True  # every query keeps one key
    return mask


# ---------------------------------------------------------------- softmax

def test_softmax_matches_scipy_and_survives_huge_values():
    x = np.random.default_rng(0).normal(size=(4, 7)) * 50 + 1000
    np.testing.assert_allclose(softmax(x), scipy_softmax(x, axis=-1), rtol=1e-12)
    np.testing.assert_allclose(softmax(x, axis=0), scipy_softmax(x, axis=0), rtol=1e-12)
    assert np.isfinite(softmax(np.array([1e308, -1e308]))).all()


def test_softmax_gives_exact_zero_to_minus_infinity():
    weights = softmax(np.array([[0.5, -np.inf, 2.0], [-np.inf, -np.inf, 3.0]]))
    assert weights[0, 1] == 0.0 and weights[1, 0] == 0.0 and weights[1, 2] == 1.0


@pytest.mark.parametrize("x, match", [
    ([np.nan, 1.0], "x must not contain NaN"),
    ([np.inf, 1.0], r"x must not contain NaN or \+infinity"),
    ([-np.inf, -np.inf], "x must have at least one finite entry"),
    ([[True, False]], "x must have a real numeric dtype"),
])
def test_softmax_bad_inputs(x, match):
    with pytest.raises((ValueError, TypeError), match=match):
        softmax(x)


def test_softmax_bad_axis():
    with pytest.raises(ValueError, match="axis must be <= 0"):
        softmax([1.0, 2.0], axis=1)


# ---------------------------------------------------------------- attention

@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("n_q, n_k, d, d_v", [(1, 1, 1, 1), (5, 5, 4, 3), (3, 7, 2, 5), (6, 2, 8, 1)])
def test_attention_matches_the_loop_formula(masked, n_q, n_k, d, d_v):
    generator = np.random.default_rng(n_q * 100 + n_k * 10 + d)
    q, k, v = (generator.normal(size=shape) for shape in [(n_q, d), (n_k, d), (n_k, d_v)])
    mask = _random_mask(generator, n_q, n_k) if masked else None
    output, weights = scaled_dot_product_attention(q, k, v, mask)
    expected_output, expected_weights = _loop_attention(q.tolist(), k.tolist(), v.tolist(), mask)
    np.testing.assert_allclose(weights, expected_weights, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(output, expected_output, rtol=1e-12, atol=1e-14)


def test_attention_batches_broadcast_like_separate_calls():
    generator = np.random.default_rng(1)
    q = generator.normal(size=(2, 3, 4, 5))
    k = generator.normal(size=(3, 6, 5))       # broadcast over the first axis
    v = generator.normal(size=(2, 3, 6, 2))
    mask = causal_mask(6)[:4]
    output, weights = scaled_dot_product_attention(q, k, v, mask)
    for b in range(2):
        for h in range(3):
            o, a = scaled_dot_product_attention(q[b, h], k[h], v[b, h], mask)
            np.testing.assert_array_equal(weights[b, h], a)
            np.testing.assert_allclose(output[b, h], o, rtol=1e-14)


@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 5), st.integers(0, 2 ** 31))
def test_masked_weights_are_exactly_zero_and_rows_sum_to_one(n_q, n_k, d, seed):
    generator = np.random.default_rng(seed)
    q, k, v = (generator.normal(size=(n, d)) * 5 for n in (n_q, n_k, n_k))
    mask = _random_mask(generator, n_q, n_k)
    _, weights = scaled_dot_product_attention(q, k, v, mask)
    assert (weights[~mask] == 0.0).all()
    assert (weights[mask] >= 0).all()
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=0, atol=1e-12)


def test_a_perfectly_matching_key_takes_almost_all_the_weight():
    keys = np.eye(5) * 20.0
    _, weights = scaled_dot_product_attention(keys[2:3], keys, np.arange(5.0)[:, None])
    assert weights[0, 2] > 0.999


def test_attention_does_not_modify_its_inputs():
    generator = np.random.default_rng(2)
    q, k, v = (generator.normal(size=(3, 4)) for _ in range(3))
    mask = causal_mask(3)
    before = [a.copy() for a in (q, k, v, mask)]
    scaled_dot_product_attention(q, k, v, mask)
    for a, b in zip((q, k, v, mask), before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kwargs, match", [
    (dict(q=np.ones((2, 3)), k=np.ones((2, 4)), v=np.ones((2, 1))), "q and k must have the same feature size"),
    (dict(q=np.ones((2, 3)), k=np.ones((2, 3)), v=np.ones((3, 1))), "k and v must have the same number"),
    (dict(q=np.ones((2, 2, 3)), k=np.ones((3, 2, 3)), v=np.ones((3, 2, 1))), "q, k and v must have broadcastable"),
    (dict(q=np.ones((2, 3)), k=np.ones((2, 3)), v=np.ones((2, 1)), mask=np.ones((2, 2))), "mask must be boolean"),
    (dict(q=np.ones((2, 3)), k=np.ones((2, 3)), v=np.ones((2, 1)), mask=np.ones((3, 2), bool)),
     "mask must be broadcastable"),
    (dict(q=np.ones((2, 3)), k=np.ones((2, 3)), v=np.ones((2, 1)), mask=np.array([[True, True], [False, False]])),
     "mask must allow at least one key"),
    (dict(q=np.ones(3), k=np.ones((2, 3)), v=np.ones((2, 1))), "q must be"),
])
def test_attention_bad_inputs(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        scaled_dot_product_attention(**kwargs)


def test_attention_ceiling_names_max_weights():
    side = int(np.sqrt(MAX_WEIGHTS)) + 1
    q = np.broadcast_to(np.ones((1, 1)), (side, 1))
    with pytest.raises(ValueError, match=f"MAX_WEIGHTS = {MAX_WEIGHTS}"):
        scaled_dot_product_attention(q, q, q)


# ---------------------------------------------------------------- masks

@pytest.mark.parametrize("n", [1, 2, 5, 9])
def test_causal_mask_is_the_lower_triangle(n):
    mask = causal_mask(n)
    assert mask.dtype == bool
    for i in range(n):
        for j in range(n):
            assert mask[i, j] == (j <= i)


def test_padding_mask_hides_padded_keys_only():
    mask = padding_mask([1, 3, 4], 4)
    assert mask.shape == (3, 4, 4)
    for b, length in enumerate([1, 3, 4]):
        for i in range(4):
            assert list(mask[b, i]) == [j < length for j in range(4)]


def test_padding_and_causal_masks_combine():
    mask = padding_mask([2], 4) & causal_mask(4)
    q = np.random.default_rng(3).normal(size=(1, 4, 3))
    _, weights = scaled_dot_product_attention(q, q, q, mask)
    assert (weights[0][:, 2:] == 0).all() and weights[0, 0, 0] == 1.0


@pytest.mark.parametrize("call, match", [
    (lambda: causal_mask(0), "n must be >= 1"),
    (lambda: causal_mask(MAX_TOKENS + 1), f"n must be <= {MAX_TOKENS}"),
    (lambda: causal_mask(2.0), "n must be an integer"),
    (lambda: padding_mask([0, 2], 3), "lengths must lie in"),
    (lambda: padding_mask([4], 3), "lengths must lie in"),
    (lambda: padding_mask([1.5], 3), "lengths must hold integers"),
])
def test_mask_bad_inputs(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


# ---------------------------------------------------------------- entropy

def test_row_entropy_matches_scipy():
    weights = softmax(np.random.default_rng(4).normal(size=(6, 9)) * 3)
    np.testing.assert_allclose(row_entropy(weights), entropy(weights, axis=-1), rtol=1e-12)
    assert np.isclose(row_entropy(np.full(8, 1 / 8)), np.log(8))
    assert row_entropy(np.eye(4)).max() == 0.0


@pytest.mark.parametrize("weights, match", [
    ([0.5, 0.6], "weights must sum to 1"),
    ([1.5, -0.5], "weights must be non-negative"),
])
def test_row_entropy_bad_inputs(weights, match):
    with pytest.raises(ValueError, match=match):
        row_entropy(weights)


# ---------------------------------------------------------------- heads

def test_split_heads_gives_each_head_its_feature_slice():
    x = np.random.default_rng(5).normal(size=(2, 5, 12))
    heads = split_heads(x, 3)
    assert heads.shape == (2, 3, 5, 4)
    for m in range(3):
        np.testing.assert_array_equal(heads[:, m], x[..., 4 * m:4 * (m + 1)])


@given(st.integers(1, 4), st.integers(1, 5), st.integers(1, 4), st.integers(1, 3))
def test_merge_heads_inverts_split_heads(heads, n, per_head, batch):
    x = np.arange(batch * n * heads * per_head, dtype=float).reshape(batch, n, heads * per_head)
    np.testing.assert_array_equal(merge_heads(split_heads(x, heads)), x)


def test_split_heads_returns_a_copy():
    x = np.zeros((3, 4))
    split_heads(x, 2)[0, 0, 0] = 1.0
    assert x[0, 0] == 0.0


@pytest.mark.parametrize("call, match", [
    (lambda: split_heads(np.ones((3, 4)), 3), "heads must divide"),
    (lambda: split_heads(np.ones((3, 4)), 0), "heads must be >= 1"),
    (lambda: split_heads(np.ones(4), 2), "x must be"),
    (lambda: merge_heads(np.ones((3, 4))), "x must be"),
])
def test_heads_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------- patches and positions

@pytest.mark.parametrize("h, w, p", [(8, 8, 2), (8, 8, 4), (6, 9, 3), (4, 4, 1), (8, 8, 8)])
def test_patchify_matches_the_loop_definition(h, w, p):
    images = np.random.default_rng(h * w + p).integers(0, 17, (3, h, w))
    patches = patchify(images, p)
    cols = w // p
    assert patches.shape == (3, (h // p) * cols, p * p)
    for n in range(3):
        for t in range(patches.shape[1]):
            r, c = divmod(t, cols)
            np.testing.assert_array_equal(patches[n, t], images[n, r * p:(r + 1) * p, c * p:(c + 1) * p].ravel())
    np.testing.assert_array_equal(unpatchify(patches, p, grid=(h // p, cols)), images)


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2 ** 31))
def test_unpatchify_inverts_patchify(rows, cols, p, seed):
    images = np.random.default_rng(seed).normal(size=(2, rows * p, cols * p))
    np.testing.assert_array_equal(unpatchify(patchify(images, p), p, (rows, cols)), images)


@pytest.mark.parametrize("call, match", [
    (lambda: patchify(np.ones((1, 8, 8)), 3), "patch must divide"),
    (lambda: patchify(np.ones((8, 8)), 2), "images must be 3-D"),
    (lambda: unpatchify(np.ones((1, 4, 5)), 2), "patch must satisfy p² = 5"),
    (lambda: unpatchify(np.ones((1, 6, 4)), 2), "grid must be given"),
    (lambda: unpatchify(np.ones((1, 6, 4)), 2, (2, 2)), "grid must hold all 6 patches"),
    (lambda: unpatchify(np.ones((1, 6, 4)), 2, 6), "grid must be a pair"),
])
def test_patch_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_sinusoidal_positions_match_the_formula():
    n, d = 7, 6
    table = sinusoidal_positions(n, d)
    for t in range(n):
        for i in range(d // 2):
            angle = t / 10000 ** (2 * i / d)
            assert np.isclose(table[t, 2 * i], np.sin(angle), rtol=0, atol=1e-15)
            assert np.isclose(table[t, 2 * i + 1], np.cos(angle), rtol=0, atol=1e-15)


def test_sinusoidal_positions_are_distinct():
    table = sinusoidal_positions(64, 16)
    distances = np.linalg.norm(table[:, None] - table[None], axis=-1)
    assert distances[~np.eye(64, dtype=bool)].min() > 0.1


@pytest.mark.parametrize("n, d, match", [(4, 3, "d must be even"), (0, 4, "n must be >= 1"),
                                         (4, 0, "d must be >= 2")])
def test_positions_bad_inputs(n, d, match):
    with pytest.raises(ValueError, match=match):
        sinusoidal_positions(n, d)


# ---------------------------------------------------------------- dependency probe

def test_token_dependency_of_a_running_sum_is_lower_triangular():
    depends = token_dependency(lambda x: np.cumsum(x, axis=0), np.ones((5, 2)))
    np.testing.assert_array_equal(depends, np.tril(np.ones((5, 5), bool)))


@pytest.mark.parametrize("causal", [False, True])
def test_token_dependency_of_attention_follows_its_mask(causal):
    layer = MultiHeadAttention(8, 2, causal=causal, rng=0)
    x = np.random.default_rng(6).normal(size=(7, 8))
    depends = token_dependency(lambda tokens: layer.forward(tokens[None])[0], x)
    expected = causal_mask(7) if causal else np.ones((7, 7), bool)
    np.testing.assert_array_equal(depends, expected)


def test_token_dependency_bad_inputs():
    with pytest.raises(TypeError, match="function must be callable"):
        token_dependency(3, np.ones((2, 2)))
    with pytest.raises(ValueError, match="x must be 2-D"):
        token_dependency(np.cumsum, np.ones(3))
