"""Tests for cvlab.nn: gradients of the shared layers, Adam, fit, and robust .npz save/load."""

import hashlib
import io
import zipfile

import numpy as np
import pytest
from gradcheck import check_layer, numeric_gradient, relative_error
from limits import run_limited

from cvlab import nn
from cvlab.nn import Adam, Linear, Model, ReLU, Residual, Sequential, Tanh, fit, load_model, save_model
from cvlab.pixelcnn import GatedPixelCNN, PixelCNN
from cvlab.pixelcnn.checksums import CHECKSUMS
from cvlab.pixelcnn.training import WEIGHTS_DIR

KINDS = {"plain": PixelCNN, "gated": GatedPixelCNN}
GB = 2**30


# ---------------------------------------------------------------- layers

@pytest.mark.parametrize("layer", [
    Linear(3, 4, rng=0),
    Tanh(),
    Sequential([Linear(3, 5, rng=1), Tanh(), Linear(5, 2, rng=2)]),
    Residual(Sequential([Linear(3, 3, rng=3), Tanh()])),
])
def test_layer_gradients_match_central_differences(layer):
    check_layer(layer, np.random.default_rng(0).standard_normal((4, 3)))


def test_relu_gradient_away_from_the_kink():
    x = np.random.default_rng(0).standard_normal((4, 3))
    check_layer(ReLU(), np.where(np.abs(x) < 0.05, 0.5, x))


def test_residual_jacobian_is_identity_plus_inner():
    inner = Sequential([Linear(3, 3, rng=0), Tanh()])
    x = np.random.default_rng(1).standard_normal((1, 3))
    jacobian = np.stack([Residual(inner).forward(x + e) - Residual(inner).forward(x - e)
                         for e in 1e-6 * np.eye(3)])[:, 0].T / 2e-6
    inner_jacobian = np.stack([inner.forward(x + e) - inner.forward(x - e) for e in 1e-6 * np.eye(3)])[:, 0].T / 2e-6
    np.testing.assert_allclose(jacobian, np.eye(3) + inner_jacobian, atol=1e-8)


def test_linear_ceiling_is_checked_before_allocating():
    with pytest.raises(ValueError, match=r"in_features and out_features .*MAX_LINEAR_WEIGHTS = 16777216"):
        Linear(2**13, 2**12)
    with pytest.raises(TypeError, match="dtype"):
        Linear(2, 2, dtype=np.int32)
    with pytest.raises(TypeError, match="in_features"):
        Linear(2.0, 2)


# ---------------------------------------------------------------- Adam and fit

def test_adam_matches_its_formula():
    g = np.array([0.5, -2.0])
    params = {"w": np.array([1.0, 1.0])}
    opt = Adam(lr=0.1, beta1=0.8, beta2=0.9, eps=1e-8)
    opt.step([(params, "w", g)])
    opt.step([(params, "w", g)])
    m = 0.8 * (0.2 * g) + 0.2 * g
    v = 0.9 * (0.1 * g * g) + 0.1 * g * g
    first = 1 - 0.1 * (0.2 * g / 0.2) / (np.sqrt(0.1 * g * g / 0.1) + 1e-8)
    np.testing.assert_allclose(params["w"], first - 0.1 * (m / 0.36) / (np.sqrt(v / 0.19) + 1e-8))
    with pytest.raises(ValueError, match="beta2"):
        Adam(beta2=1.0)


class _Square(Model):
    kind = "square"

    def __init__(self, scale=1.0, rng=None, dtype=np.float64):
        self.scale = scale
        self.net = Linear(1, 1, rng=rng, dtype=dtype)

    def layers(self):
        return [self.net]

    def config(self):
        return {"scale": self.scale}

    def _training_arrays(self, data):
        return (np.asarray(data, dtype=float).reshape(-1, 1),)

    def loss_and_gradients(self, x, rng=None):
        error = self.net.forward(x) - 2 * x
        self.net.backward(2 * error / len(x))
        return float((error ** 2).mean())


def test_fit_is_reproducible_and_checks_its_ceilings():
    data = np.linspace(-1, 1, 40)
    runs = [fit(_Square(rng=0), data, 20, 8, 0.05, rng=3, progress=False) for _ in range(2)]
    np.testing.assert_array_equal(*runs)
    with pytest.raises(ValueError, match=r"steps must be <= 100000"):
        fit(_Square(), data, 10**9, progress=False, rng=0)
    with pytest.raises(ValueError, match=r"batch_size must be <= 4096"):
        fit(_Square(), data, 1, batch_size=10**7, progress=False, rng=0)
    with pytest.raises(TypeError, match="augment"):
        fit(_Square(), data, 1, augment=3, progress=False, rng=0)
    with pytest.raises(ValueError, match=r"lr must be <= 1"):
        fit(_Square(), data, 1, lr=1e300, progress=False, rng=0)
    with pytest.raises(ValueError, match=r"weight_decay must be <= 20"):         # 1 / lr: decay factor in [0, 1]
        fit(_Square(), data, 1, lr=0.05, weight_decay=1e300, progress=False, rng=0)
    tiny = fit(_Square(rng=0), data, 2, 8, lr=5e-324, rng=3, progress=False)      # subnormal: a valid, tiny step
    assert np.isfinite(tiny).all()


def test_fit_lowers_the_batch_ceiling_to_what_the_model_can_hold():
    model = PixelCNN(levels=17, channels=32, n_layers=5, rng=0)
    images = np.zeros((4, 64, 64), dtype=int)
    limit = model._batch_limit((images,))
    with pytest.raises(ValueError, match=rf"batch_size must be <= {limit} for this model"):
        fit(model, images, 1, batch_size=limit + 1, progress=False, rng=0)


class _Frozen(_Square):
    """A model whose loss gradient is zero: only weight decay can move its parameters."""

    def loss_and_gradients(self, x, rng=None):
        self.net.grads = {key: np.zeros_like(value) for key, value in self.net.params.items()}
        return 0.0


def test_weight_decay_shrinks_weights_not_biases():
    model = _Frozen(rng=0)
    model.net.params["b"][:] = 1.0
    before = model.net.params["w"].copy()
    fit(model, np.zeros(4), 1, 4, 0.1, rng=0, progress=False, weight_decay=1.0)
    assert model.net.params["b"][0] == 1.0
    np.testing.assert_allclose(model.net.params["w"], before * (1 - 0.1 * 1.0))


# ---------------------------------------------------------------- save and load

def test_save_writes_exactly_the_given_path(tmp_path):
    model = PixelCNN(levels=3, channels=4, n_layers=2, rng=0)
    path = tmp_path / "name"
    checksum = save_model(model, path)
    assert path.is_file() and not (tmp_path / "name.npz").exists() and not (tmp_path / "name.partial").exists()
    loaded = load_model(path, KINDS, checksum, dtype=np.float64)
    for (name, value), (_, again) in zip(model.state().items(), loaded.state().items()):
        np.testing.assert_array_equal(value.astype(np.float32), again, err_msg=name)


def test_save_round_trips_every_config_key(tmp_path):
    model = PixelCNN(levels=9, channels=3, n_layers=2, residual=False, output="mixture", components=2, rng=0)
    loaded = load_model(tmp_path / "m.npz", KINDS, save_model(model, tmp_path / "m.npz"))
    assert loaded.config() == model.config()


def test_save_refuses_bad_models_and_paths(tmp_path):
    model = PixelCNN(levels=3, channels=2, n_layers=1, rng=0)
    with pytest.raises(ValueError, match="path must be in an existing folder"):
        save_model(model, tmp_path / "missing" / "m.npz")
    with pytest.raises(TypeError, match="path"):
        save_model(model, 3)
    model.head.layers[0].params["w"][0, 0] = np.nan
    with pytest.raises(ValueError, match="model parameter .* NaN"):
        save_model(model, tmp_path / "m.npz")
    with pytest.raises(TypeError, match="model"):
        save_model("model", tmp_path / "m.npz")


@pytest.fixture
def saved(tmp_path):
    """A small saved model: (path, checksum, bytes)."""
    path = tmp_path / "small.npz"
    checksum = save_model(PixelCNN(levels=5, channels=3, n_layers=2, rng=0), path)
    return path, checksum, path.read_bytes()


def _rewrite(path, change):
    """Rewrite the .npz at ``path`` with ``change(entries)`` applied to its {name: bytes} entries."""
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    change(entries)
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def test_truncated_file_names_the_file_even_with_its_own_checksum(saved, tmp_path):
    path, _, content = saved
    broken = tmp_path / "broken.npz"
    broken.write_bytes(content[: len(content) // 2])
    own = hashlib.sha256(broken.read_bytes()).hexdigest()
    for checksum in (own, None):
        with pytest.raises(ValueError, match=r"broken\.npz is not a readable \.npz"):
            load_model(broken, KINDS, checksum)


def test_empty_file_and_bare_npy_name_the_file(tmp_path):
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.npz is not a readable"):
        load_model(empty, KINDS)
    bare = tmp_path / "bare.npy"
    np.save(bare, np.ones(3))
    with pytest.raises(ValueError, match=r"bare\.npy is not a readable"):
        load_model(bare, KINDS)


def test_wrong_checksum_names_both(saved):
    path, checksum, _ = saved
    wrong = ("0" if checksum[0] != "0" else "1") + checksum[1:]
    with pytest.raises(ValueError, match=rf"small\.npz is corrupt or truncated: sha256 {checksum} != expected"):
        load_model(path, KINDS, wrong)
    with pytest.raises(ValueError, match="sha256 must be 64 hexadecimal digits"):
        load_model(path, KINDS, "abc")
    with pytest.raises(TypeError, match="sha256"):
        load_model(path, KINDS, 123)


def test_unknown_config_key_is_named(saved):
    path, _, _ = saved
    _rewrite(path, lambda entries: entries.update({"config/depth.npy": _npy(np.array(3))}))
    with pytest.raises(ValueError, match=r"small\.npz has config keys \['depth'\] that a PixelCNN does not take"):
        load_model(path, KINDS)


def test_huge_config_is_refused_quickly_and_small():
    setup = f"""
import io, zipfile
from pathlib import Path
import numpy as np
from cvlab.nn import load_model
from cvlab.pixelcnn import PixelCNN
path = Path({str(WEIGHTS_DIR / "plain.npz")!r})
with zipfile.ZipFile(path) as archive:
    entries = {{name: archive.read(name) for name in archive.namelist()}}
buffer = io.BytesIO()
np.save(buffer, np.array(10**6))
entries["config/n_layers.npy"] = buffer.getvalue()
"""
    call = """
import tempfile
crafted = Path(tempfile.mkdtemp()) / "crafted.npz"
with zipfile.ZipFile(crafted, "w") as archive:
    for name, content in entries.items():
        archive.writestr(name, content)
try:
    load_model(crafted, {"plain": PixelCNN})
except ValueError as error:
    print(error)
"""
    result = run_limited(call, setup)
    assert "n_layers must be <= 32" in result.output and "crafted.npz" in result.output
    assert result.seconds < 10 and result.peak_bytes < GB


def test_crafted_array_header_is_refused_before_reading():
    setup = f"""
import io, tempfile, zipfile
from pathlib import Path
import numpy as np
from cvlab.nn import load_model
from cvlab.pixelcnn import PixelCNN
with zipfile.ZipFile({str(WEIGHTS_DIR / "plain.npz")!r}) as archive:
    entries = {{name: archive.read(name) for name in archive.namelist()}}
header = io.BytesIO()
np.lib.format.write_array_header_1_0(header, {{"descr": "<f4", "fortran_order": False, "shape": (30000, 30000)}})
entries["param/0.0.w.npy"] = b"\\x93NUMPY\\x01\\x00" + header.getvalue()[8:] + bytes(1000)
crafted = Path(tempfile.mkdtemp()) / "crafted.npz"
with zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED) as archive:
    for name, content in entries.items():
        archive.writestr(name, content)
"""
    call = """
try:
    load_model(crafted, {"plain": PixelCNN})
except ValueError as error:
    print(error)
"""
    result = run_limited(call, setup)
    assert "declares parameter '0.0.w' of shape (30000, 30000); the model needs (32, 17, 3, 3)" in result.output
    assert result.seconds < 10 and result.peak_bytes < GB


@pytest.mark.parametrize("bad, message", [
    (np.full((3, 5, 3, 3), np.nan, dtype=np.float32), "holds NaN or infinity in parameter '0.0.w'"),
    (np.ones((3, 5, 3, 3), dtype=np.complex64), "declares parameter '0.0.w' as complex64"),
    (np.ones((3, 5, 3, 3), dtype=np.int32), "declares parameter '0.0.w' as int32"),
    (np.ones((5, 5, 3, 3), dtype=np.float32), r"declares parameter '0.0.w' of shape \(5, 5, 3, 3\)"),
])
def test_bad_weights_are_refused(saved, bad, message):
    path, _, _ = saved
    _rewrite(path, lambda entries: entries.update({"param/0.0.w.npy": _npy(bad)}))
    with pytest.raises(ValueError, match=rf"small\.npz {message}"):
        load_model(path, KINDS)


def test_missing_stray_and_odd_entries_are_refused(saved):
    path, _, content = saved
    _rewrite(path, lambda entries: entries.pop("param/0.0.w.npy"))
    with pytest.raises(ValueError, match=r"missing parameters \['0.0.w'\]"):
        load_model(path, KINDS)
    path.write_bytes(content)
    _rewrite(path, lambda entries: entries.update({"notes.txt": b"hello"}))
    with pytest.raises(ValueError, match="unexpected entry 'notes.txt'"):
        load_model(path, KINDS)
    path.write_bytes(content)
    _rewrite(path, lambda entries: entries.update({"kind.npy": _npy(np.array(["plain"] * 3))}))
    with pytest.raises(ValueError, match="entry 'kind' must be a scalar"):
        load_model(path, KINDS)
    path.write_bytes(content)
    with pytest.raises(ValueError, match="unknown model kind 'plain'"):
        load_model(path, {"gated": GatedPixelCNN})


def test_file_size_ceiling(tmp_path):
    big = tmp_path / "big.npz"
    with big.open("wb") as handle:
        handle.truncate(nn.MAX_FILE_BYTES + 1)  # sparse: no disk space used
    with pytest.raises(ValueError, match=r"big\.npz has 67108865 bytes; the ceiling is MAX_FILE_BYTES"):
        load_model(big, KINDS)


def test_load_arguments_are_checked():
    path = WEIGHTS_DIR / "gated.npz"
    with pytest.raises(TypeError, match="kinds"):
        load_model(path, ["gated"])
    with pytest.raises(TypeError, match="kinds"):
        load_model(path, {"gated": object})
    with pytest.raises(TypeError, match="dtype"):
        load_model(path, KINDS, dtype=np.int64)
    with pytest.raises(ValueError, match="not an existing file"):
        load_model(path.with_name("absent.npz"), KINDS)
    assert load_model(path, KINDS, CHECKSUMS["gated.npz"].upper()).kind == "gated"


def test_load_state_checks_values():
    model = PixelCNN(levels=3, channels=2, n_layers=1, rng=0)
    state = {name: value.copy() for name, value in model.state().items()}
    state["0.0.w"][0, 0, 0, 0] = np.inf
    with pytest.raises(ValueError, match=r"state\['0.0.w'\] must not contain NaN"):
        model.load_state(state)


def test_numeric_gradient_helper_can_fail():
    # the gradient check must be able to see a wrong backward pass
    x = np.array([1.0, 2.0])
    assert relative_error(2 * x + 1e-3, numeric_gradient(lambda: float((x ** 2).sum()), x)) > 1e-6
