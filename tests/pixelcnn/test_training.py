"""cvlab.pixelcnn.training: reproducible training, the shipped weights and their checksums."""

import importlib.util
import shutil

import numpy as np
import pytest

from cvlab.data import digits
from cvlab.pixelcnn import (
    PRETRAINED,
    GatedPixelCNN,
    PixelCNN,
    bits_per_dim,
    load_model,
    load_pretrained,
    save_model,
    train,
)
from cvlab.pixelcnn.checksums import CHECKSUMS
from cvlab.pixelcnn.training import WEIGHTS_DIR


def rng():
    return np.random.default_rng(0)


def test_train_deterministic():
    data = rng().integers(0, 3, (16, 4, 4))
    runs = []
    for _ in range(2):
        model = PixelCNN(levels=3, channels=4, n_layers=2, rng=np.random.default_rng(5))
        runs.append(train(model, data, 15, 4, 0.01, np.random.default_rng(6), progress=False))
    np.testing.assert_array_equal(runs[0], runs[1])
    with pytest.raises(ValueError, match="steps"):
        train(model, data, 0, 4, 0.01, rng(), progress=False)
    with pytest.raises(TypeError, match="model"):
        train("model", data, 1, progress=False)


def test_train_lowers_the_loss_and_leaves_data_unchanged():
    data = rng().integers(0, 3, (8, 4, 4))
    kept = data.copy()
    history = train(PixelCNN(levels=3, channels=4, n_layers=1, rng=rng()), data, 40, 8, 0.02, rng(), progress=False)
    assert history[-5:].mean() < history[:5].mean()
    np.testing.assert_array_equal(data, kept)


@pytest.mark.parametrize("name, target", [("plain", 1.95), ("gated", 1.80)])
def test_pretrained_bits_per_dim(name, target):
    _, test = digits()
    assert bits_per_dim(load_pretrained(name).nll(test), 64).mean() <= target


@pytest.mark.parametrize("name", PRETRAINED)
def test_every_shipped_file_has_its_checksum(name):
    assert f"{name}.npz" in CHECKSUMS and (WEIGHTS_DIR / f"{name}.npz").is_file()
    assert load_pretrained(name).kind in ("plain", "gated")


def test_corrupt_weights_raise(tmp_path):
    broken = tmp_path / "gated.npz"
    shutil.copy(WEIGHTS_DIR / "gated.npz", broken)
    broken.write_bytes(broken.read_bytes()[:-100])
    with pytest.raises(ValueError, match=r"gated\.npz.*sha256"):
        load_model(broken, CHECKSUMS["gated.npz"])
    with pytest.raises(ValueError, match="name"):
        load_pretrained("tiny")


def test_save_and_load_round_trip(tmp_path):
    model = GatedPixelCNN(levels=5, channels=3, n_layers=2, form="notes", rng=rng())
    checksum = save_model(model, tmp_path / "g.npz")
    loaded = load_model(tmp_path / "g.npz", checksum, dtype=np.float64)
    assert loaded.config() == model.config()
    x = rng().integers(0, 5, (2, 4, 4))
    np.testing.assert_allclose(loaded.nll(x), model.nll(x), rtol=1e-5)
    with pytest.raises(TypeError, match="model"):
        save_model(object(), tmp_path / "o.npz")


def test_the_training_script_has_a_recipe_for_every_shipped_model(monkeypatch):
    path = WEIGHTS_DIR.parents[2] / "scripts" / "train_pixelcnn.py"
    monkeypatch.syspath_prepend(path.parent)  # for its helper scripts/_weights.py, as running the script does
    spec = importlib.util.spec_from_file_location("train_pixelcnn", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert set(script.RECIPES) == set(PRETRAINED) == {name[: -len(".npz")] for name in CHECKSUMS}
    for name, recipe in script.RECIPES.items():
        assert load_pretrained(name).config() == recipe["model"](rng=0, **recipe["config"]).config(), name
