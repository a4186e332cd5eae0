"""Training with Adam, and the pretrained models shipped with the package.

Training minimises the mean negative log-likelihood per pixel (nats),
L(θ) = −(1 / (B·H·W)) Σ_b Σ_i log p_θ(x_{b,i} | x_{b,<i}), over random minibatches.
"""

import hashlib
from pathlib import Path

import numpy as np

from .._checks import as_choice, as_int, as_real, as_rng
from .checksums import CHECKSUMS
from .models import GatedPixelCNN, PixelCNN, _AutoregressiveModel

__all__ = ["Adam", "train", "save_model", "load_model", "load_pretrained", "PRETRAINED", "WEIGHTS_DIR"]

WEIGHTS_DIR = Path(__file__).parent / "weights"
PRETRAINED = ("plain", "gated")
_MODELS = {"plain": PixelCNN, "gated": GatedPixelCNN}


class Adam:
    """Adam (Kingma & Ba, 2015): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − α m̂ / (√v̂ + ε).

    Examples
    --------
    >>> params = {"w": np.array([1.0])}
    >>> opt = Adam(lr=0.1)
    >>> opt.step([(params, "w", np.array([2.0]))])
    >>> params["w"].round(3)
    array([0.9])
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = as_real(lr, "lr", minimum=0, strict=True)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.moments = {}

    def step(self, updates, lr=None):
        """Apply one update; ``updates`` is a list of (dict, key, gradient)."""
        lr = self.lr if lr is None else lr
        self.t += 1
        correction1 = 1 - self.beta1 ** self.t
        correction2 = 1 - self.beta2 ** self.t
        for index, (store, key, grad) in enumerate(updates):
            m, v = self.moments.get(index, (np.zeros_like(grad), np.zeros_like(grad)))
            m = self.beta1 * m + (1 - self.beta1) * grad
            v = self.beta2 * v + (1 - self.beta2) * grad * grad
            self.moments[index] = (m, v)
            step = lr * (m / correction1) / (np.sqrt(v / correction2) + self.eps)
            store[key] = (store[key] - step).astype(store[key].dtype)


def train(model, data, steps, batch_size=64, lr=3e-3, rng=None, progress=True, weight_decay=0.0):
    """Fit ``model`` by Adam on random minibatches of ``data``; return the loss per step.

    The learning rate follows a cosine decay from ``lr`` to 0:
    α_t = lr · ½ (1 + cos(π t / steps)). Given the same ``rng`` seed, model
    and data, the run (batches, updates, losses) is reproducible.

    Parameters
    ----------
    model : PixelCNN or GatedPixelCNN
    data : array_like of int, shape (N, H, W)
    steps : int
    batch_size : int
    lr : float
        Peak learning rate.
    rng : numpy.random.Generator or int
    progress : bool
        Show a ``tqdm.auto`` bar with the running loss (a widget in notebooks).
    weight_decay : float
        Decoupled weight decay λ (AdamW): every weight w ← w − α_t λ w after
        each step; biases are not decayed. Helps on the small training set.

    Returns
    -------
    ndarray of float64, shape (steps,)
        Mean NLL per pixel in nats of each minibatch, before its update.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> model = PixelCNN(levels=3, channels=4, n_layers=1, rng=rng)
    >>> history = train(model, rng.integers(0, 3, (20, 4, 4)), 30, 8, 0.01, rng, progress=False)
    >>> history.shape, bool(history[-5:].mean() < history[:5].mean())
    ((30,), True)
    """
    if not isinstance(model, _AutoregressiveModel):
        raise TypeError("model must be a PixelCNN or GatedPixelCNN")
    data = model._levels_input(data, "data")
    steps = as_int(steps, "steps", minimum=1)
    batch_size = as_int(batch_size, "batch_size", minimum=1)
    lr = as_real(lr, "lr", minimum=0, strict=True)
    weight_decay = as_real(weight_decay, "weight_decay", minimum=0)
    rng = as_rng(rng)
    optimizer = Adam(lr)
    parameters = list(model.named_parameters())
    history = np.empty(steps)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, desc="train", unit="step")
    try:
        for t in range(steps):
            batch = data[rng.integers(0, len(data), batch_size)]
            history[t] = model.loss_and_gradients(batch)
            rate = lr * 0.5 * (1 + np.cos(np.pi * t / steps))
            optimizer.step([(layer.params, key, layer.grads[key]) for _, layer, key in parameters], lr=rate)
            if weight_decay:
                for _, layer, key in parameters:
                    if key == "w":
                        layer.params[key] *= layer.params[key].dtype.type(1 - rate * weight_decay)
            if bar is not None:
                bar.update(1)
                if t % 20 == 0 or t == steps - 1:
                    bar.set_postfix(loss=f"{history[max(0, t - 19):t + 1].mean():.3f}")
    finally:
        if bar is not None:
            bar.close()
    return history


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def save_model(model, path):
    """Write ``model`` to an .npz (kind and config as 0-d int/str arrays, float32 weights); return its sha256.

    Nothing in the file needs pickle, so :func:`load_model` reads it with ``allow_pickle=False``.

    Examples
    --------
    >>> import tempfile
    >>> model = PixelCNN(levels=3, channels=4, n_layers=1, rng=np.random.default_rng(0))
    >>> path = Path(tempfile.mkdtemp()) / "tiny.npz"
    >>> checksum = save_model(model, path)
    >>> len(checksum), type(load_model(path, sha256=checksum)).__name__
    (64, 'PixelCNN')
    """
    if not isinstance(model, _AutoregressiveModel):
        raise TypeError("model must be a PixelCNN or GatedPixelCNN")
    arrays = {f"param/{name}": value.astype(np.float32) for name, value in model.state().items()}
    arrays["kind"] = np.array(model.kind)
    arrays.update({f"config/{key}": np.array(value) for key, value in model.config().items()})
    np.savez_compressed(path, **arrays)
    return _sha256(path)


def load_model(path, sha256=None, dtype=np.float32):
    """Read a model written by :func:`save_model`, checking its sha256 first if given.

    Raises
    ------
    ValueError
        If the checksum differs or the file cannot be read: the message names
        the file and both checksums (re-run ``scripts/train_pixelcnn.py``).

    Examples
    --------
    >>> from cvlab.pixelcnn.checksums import CHECKSUMS
    >>> model = load_model(WEIGHTS_DIR / "plain.npz", sha256=CHECKSUMS["plain.npz"])
    >>> model.kind, model.levels
    ('plain', 17)
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path {path} does not exist")
    if sha256 is not None:
        actual = _sha256(path)
        if actual != sha256:
            raise ValueError(
                f"weights file {path} is corrupt or truncated: sha256 {actual} != expected {sha256}; "
                "reinstall cvlab or re-run scripts/train_pixelcnn.py"
            )
    try:
        with np.load(path, allow_pickle=False) as archive:
            kind = str(archive["kind"])
            config = {key[len("config/"):]: archive[key].item() for key in archive.files if key.startswith("config/")}
            state = {key[len("param/"):]: archive[key] for key in archive.files if key.startswith("param/")}
    except (OSError, ValueError, KeyError) as error:
        raise ValueError(f"weights file {path} cannot be read ({error})") from None
    if kind not in _MODELS:
        raise ValueError(f"weights file {path} holds an unknown model kind {kind!r}; expected one of {sorted(_MODELS)}")
    model = _MODELS[kind](**config, rng=np.random.default_rng(0), dtype=dtype)
    return model.load_state(state)


def load_pretrained(name, dtype=np.float32):
    """The shipped model trained on the digits' 1500 training images: 'plain' or 'gated'.

    The file ``weights/<name>.npz`` is verified against its stored sha256 and
    loaded with ``allow_pickle=False``.

    Examples
    --------
    >>> model = load_pretrained("gated")
    >>> type(model).__name__, model.levels
    ('GatedPixelCNN', 17)
    """
    name = as_choice(name, "name", PRETRAINED)
    return load_model(WEIGHTS_DIR / f"{name}.npz", CHECKSUMS[f"{name}.npz"], dtype=dtype)
