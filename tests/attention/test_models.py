"""The ViT and the CNN baseline: whole-model gradient checks, symmetry laws, checked inputs, saved state."""

import numpy as np
import pytest
from gradcheck import assert_parameter_gradients
from hypothesis import given
from hypothesis import strategies as st

from cvlab import nn
from cvlab.attention import SmallCNN, VisionTransformer, patchify, unpatchify
from cvlab.attention.training import _MODELS


def _batch(seed=0, n=3, size=8):
    generator = np.random.default_rng(seed)
    return generator.integers(0, 17, (n, size, size)), generator.integers(0, 10, n)


def check_model_gradients(model, images, labels, per_array=12):
    """Central differences of the mean cross-entropy against loss_and_gradients.

    Every parameter array, after a random shift so no term is zero, is checked at up to
    ``per_array`` random entries (every entry of the layers is checked in test_layers.py).
    """
    generator = np.random.default_rng(1)
    for _, owner, key in model.named_parameters():
        owner.params[key] = owner.params[key] + 0.2 * generator.standard_normal(owner.params[key].shape)
    model.loss_and_gradients(images, labels)
    assert_parameter_gradients(list(model.named_parameters()), lambda: model.loss_and_gradients(images, labels),
                               generator, count=per_array)


@pytest.mark.parametrize("config", [
    dict(patch=4, dim=6, depth=2, heads=2, mlp_dim=5, pooling="cls", positions="learned"),
    dict(patch=2, dim=4, depth=1, heads=2, mlp_dim=3, pooling="mean", positions="fixed"),
    dict(patch=4, dim=4, depth=1, heads=1, mlp_dim=3, pooling="cls", positions="none"),
], ids=["cls-learned", "mean-fixed", "cls-none"])
def test_whole_vit_gradients_match_central_differences(config):
    model = VisionTransformer(rng=0, dtype=np.float64, classes=3, **config)
    images, labels = _batch()
    check_model_gradients(model, images, labels % 3)


def test_whole_cnn_gradients_match_central_differences():
    model = SmallCNN(channels=2, classes=3, rng=0, dtype=np.float64)
    images, labels = _batch()
    check_model_gradients(model, images, labels % 3)


def _shuffle_patches(images, patch, permutation):
    return unpatchify(patchify(images, patch)[:, permutation], patch)


@pytest.mark.parametrize("pooling", ["cls", "mean"])
@given(seed=st.integers(0, 2 ** 31))
def test_vit_without_positions_ignores_the_order_of_patches(pooling, seed):
    model = VisionTransformer(patch=2, dim=8, depth=2, heads=2, mlp_dim=8, pooling=pooling, positions="none",
                              rng=seed % 11)
    images, _ = _batch(seed)
    shuffled = _shuffle_patches(images, 2, np.random.default_rng(seed).permutation(16))
    np.testing.assert_allclose(model.logits(shuffled), model.logits(images), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("positions", ["learned", "fixed"])
def test_vit_with_positions_sees_the_order_of_patches(positions):
    model = VisionTransformer(patch=2, dim=8, depth=2, heads=2, mlp_dim=8, positions=positions, rng=0)
    images, _ = _batch(3)
    shuffled = _shuffle_patches(images, 2, np.random.default_rng(0).permutation(16))
    assert np.abs(model.logits(shuffled) - model.logits(images)).max() > 1e-3


def test_attention_maps_are_the_blocks_weights():
    model = VisionTransformer(patch=4, dim=8, depth=2, heads=2, mlp_dim=8, rng=0)
    images, _ = _batch(4, n=300)
    maps = model.attention_maps(images)
    assert maps.shape == (2, 300, 2, 5, 5)
    np.testing.assert_allclose(maps.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    model.logits(images[-3:])
    np.testing.assert_allclose(maps[:, -3:], np.stack([block.attention for block in model.blocks]), rtol=1e-12)


def test_predict_is_the_argmax_of_the_logits_and_chunks_agree():
    model = SmallCNN(channels=3, rng=0)
    images, _ = _batch(5, n=600)
    logits = model.logits(images)
    np.testing.assert_array_equal(model.predict(images), logits.argmax(axis=1))
    np.testing.assert_allclose(model.logits(images[:7]), logits[:7], rtol=1e-12)


def test_models_have_similar_sizes_at_the_shipped_settings():
    vit = VisionTransformer(patch=2, dim=32, depth=3, heads=4, mlp_dim=64, rng=0)
    cnn = SmallCNN(rng=0)
    assert 0.5 < vit.n_parameters() / cnn.n_parameters() < 2.0


@pytest.mark.parametrize("make", [lambda: VisionTransformer(dim=8, depth=1, heads=2, mlp_dim=8, pooling="mean",
                                                            positions="fixed", rng=0),
                                  lambda: SmallCNN(channels=2, rng=0)], ids=["vit", "cnn"])
def test_save_and_load_round_trip(make, tmp_path):
    model = make()
    path = tmp_path / "model.npz"
    checksum = nn.save_model(model, path)
    loaded = nn.load_model(path, _MODELS, sha256=checksum, dtype=np.float64)
    assert type(loaded) is type(model) and loaded.config() == model.config()
    images, _ = _batch(6)
    np.testing.assert_allclose(loaded.logits(images), model.logits(images), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("make, match", [
    (lambda: VisionTransformer(patch=3), "patch must divide image_size = 8"),
    (lambda: VisionTransformer(dim=7, heads=7), "dim must be even"),
    (lambda: VisionTransformer(dim=8, heads=3), "heads must divide dim"),
    (lambda: VisionTransformer(depth=13), "depth must be <= 12"),
    (lambda: VisionTransformer(pooling="max"), "pooling must be one of"),
    (lambda: VisionTransformer(positions="random"), "positions must be one of"),
    (lambda: VisionTransformer(classes=1), "classes must be >= 2"),
    (lambda: VisionTransformer(max_level=0), "max_level must be > 0"),
    (lambda: SmallCNN(image_size=6), "image_size must be divisible by 4"),
    (lambda: SmallCNN(channels=1000), "channels must be <= 256"),
])
def test_model_bad_arguments(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


@pytest.mark.parametrize("images, match", [
    (np.zeros((2, 8, 7)), r"images must have shape \(N, 8, 8\)"),
    (np.full((2, 8, 8), 17), r"images must lie in \[0, 16\]"),
    (np.full((2, 8, 8), np.nan), "images must not contain NaN"),
    (np.zeros((8, 8)), "images must be 3-D"),
])
def test_model_bad_images(images, match):
    model = SmallCNN(channels=2, rng=0)
    for method in (model.logits, model.predict):
        with pytest.raises(ValueError, match=match):
            method(images)
