"""Training, augmentation, accuracy and the shipped classifiers."""

import shutil

import numpy as np
import pytest

from cvlab import nn
from cvlab.attention import PRETRAINED, SmallCNN, VisionTransformer, accuracy, load_pretrained, random_shift, train
from cvlab.attention.checksums import CHECKSUMS
from cvlab.attention.training import _MODELS, WEIGHTS_DIR
from cvlab.data import digits

(TRAIN, TRAIN_LABELS), (TEST, TEST_LABELS) = digits(labels=True)

#: Correct test digits (of 297) of each shipped model, as scripts/train_attention.py reported them.
EXPECTED_CORRECT = {"vit": 285, "cnn": 289, "vit_10": 217, "cnn_10": 253, "vit_30": 261, "cnn_30": 276,
                    "vit_no_positions": 153}


def _loop_shift(image, dr, dc):
    h, w = image.shape
    out = np.zeros_like(image)
    for r in range(h):
        for c in range(w):
            if 0 <= r - dr < h and 0 <= c - dc < w:
                out[r, c] = image[r - dr, c - dc]
    return out


def test_random_shift_matches_the_loop_definition():
    images = TRAIN[:20]
    shifted = random_shift(images, 2, rng=5)
    draws = np.random.default_rng(5).integers(-2, 3, size=(2, 20))
    for n in range(20):
        np.testing.assert_array_equal(shifted[n], _loop_shift(images[n], draws[0, n], draws[1, n]))
    assert len({(a, b) for a, b in draws.T}) > 5


def test_random_shift_by_zero_is_the_identity_and_inputs_are_unchanged():
    images = TRAIN[:5].copy()
    np.testing.assert_array_equal(random_shift(images, 0, rng=0), images)
    random_shift(images, 3, rng=0)
    np.testing.assert_array_equal(images, TRAIN[:5])


@pytest.mark.parametrize("kwargs, match", [
    (dict(images=TRAIN[:2], max_shift=5, rng=0), "max_shift must be <= 4"),
    (dict(images=TRAIN[0], max_shift=1, rng=0), "images must be 3-D"),
    (dict(images=TRAIN[:2], max_shift=1, rng=-1), "rng must be >= 0"),
])
def test_random_shift_bad_inputs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        random_shift(**kwargs)


def test_training_is_reproducible_and_lowers_the_loss():
    runs = []
    for _ in range(2):
        model = VisionTransformer(dim=8, depth=1, heads=2, mlp_dim=8, rng=0)
        runs.append(train(model, TRAIN, TRAIN_LABELS, steps=40, batch_size=16, lr=5e-3, rng=3, progress=False))
    np.testing.assert_array_equal(runs[0], runs[1])
    assert runs[0][-10:].mean() < runs[0][:10].mean()


def test_training_without_shifts_differs_from_training_with_them():
    histories = [train(SmallCNN(channels=2, rng=0), TRAIN, TRAIN_LABELS, 5, 8, rng=1, progress=False, max_shift=s)
                 for s in (0, 1)]
    assert not np.array_equal(histories[0], histories[1])


@pytest.mark.parametrize("kwargs, match", [
    (dict(model="vit"), "model must be a VisionTransformer or SmallCNN"),
    (dict(labels=TRAIN_LABELS[:10]), "labels must have one label per image"),
    (dict(labels=TRAIN_LABELS + 10), r"labels must lie in \[0, 9\]"),
    (dict(labels=TRAIN_LABELS.astype(float)), "labels must hold integer class indices"),
    (dict(images=TRAIN * 2), r"images must lie in \[0, 16\]"),
    (dict(max_shift=-1), "max_shift must be >= 0"),
    (dict(steps=0), "steps must be >= 1"),
    (dict(lr=2.0), "lr must be <= 1"),
    (dict(lr=0.5, weight_decay=3.0), "weight_decay must be <= 2"),
])
def test_train_bad_inputs(kwargs, match):
    call = dict(model=SmallCNN(channels=2, rng=0), images=TRAIN, labels=TRAIN_LABELS, steps=1, progress=False)
    with pytest.raises((ValueError, TypeError), match=match):
        train(**dict(call, **kwargs))


def test_accuracy_counts_correct_predictions():
    model = SmallCNN(channels=2, rng=0)
    predicted = model.predict(TEST)
    assert accuracy(model, TEST, TEST_LABELS) == np.mean(predicted == TEST_LABELS)
    assert accuracy(model, TEST, predicted) == 1.0


@pytest.mark.parametrize("name", PRETRAINED)
def test_shipped_models_reproduce_their_accuracy(name):
    model = load_pretrained(name)
    correct = int(round(accuracy(model, TEST, TEST_LABELS) * len(TEST)))
    assert correct == EXPECTED_CORRECT[name]


def test_shipped_vit_meets_its_target():
    assert accuracy(load_pretrained("vit"), TEST, TEST_LABELS) >= 0.95


def test_shipped_cnn_meets_its_target():
    assert accuracy(load_pretrained("cnn"), TEST, TEST_LABELS) >= 0.96


def test_shipped_variants_follow_their_recipes():
    assert load_pretrained("vit").config() == dict(VisionTransformer(patch=2, dim=32, depth=3, heads=4,
                                                                    mlp_dim=64).config())
    assert load_pretrained("cnn").config() == SmallCNN().config()          # the default is the shipped recipe
    assert load_pretrained("cnn_10").config() == load_pretrained("cnn_30").config() == load_pretrained("cnn").config()
    assert load_pretrained("vit_10").config() == load_pretrained("vit_30").config() == load_pretrained("vit").config()
    assert load_pretrained("vit_no_positions").config() == dict(load_pretrained("vit").config(), positions="none")


def test_shipped_weights_are_checksummed():
    assert sorted(CHECKSUMS) == sorted(f"{name}.npz" for name in PRETRAINED)
    assert sorted(path.name for path in WEIGHTS_DIR.glob("*.npz")) == sorted(CHECKSUMS)


def test_a_corrupt_weight_file_is_named(tmp_path):
    path = tmp_path / "vit.npz"
    shutil.copy(WEIGHTS_DIR / "vit.npz", path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=f"{path}.*corrupt or truncated"):
        nn.load_model(path, _MODELS, CHECKSUMS["vit.npz"])


def test_load_pretrained_unknown_name():
    with pytest.raises(ValueError, match="name must be one of"):
        load_pretrained("resnet")
