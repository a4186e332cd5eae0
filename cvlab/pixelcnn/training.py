"""Training with Adam, and the pretrained models shipped with the package.

Training minimises the mean negative log-likelihood per pixel (nats),
L(θ) = −(1 / (B·H·W)) Σ_b Σ_i log p_θ(x_{b,i} | x_{b,<i}), over random minibatches.
"""

from pathlib import Path

import numpy as np

from .. import nn
from .._checks import as_choice
from ..nn import Adam
from .checksums import CHECKSUMS
from .models import GatedPixelCNN, PixelCNN, _AutoregressiveModel

__all__ = ["Adam", "train", "save_model", "load_model", "load_pretrained", "PRETRAINED", "WEIGHTS_DIR"]

WEIGHTS_DIR = Path(__file__).parent / "weights"
PRETRAINED = ("plain", "gated")
_MODELS = {"plain": PixelCNN, "gated": GatedPixelCNN}


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
        raise TypeError(f"model must be a PixelCNN or GatedPixelCNN; got {type(model).__name__}")
    arrays = model._training_arrays(data)
    steps, batch_size, lr, weight_decay, rng = nn._check_fit_arguments(model, arrays, steps, batch_size, lr,
                                                                      weight_decay, rng)
    return nn._fit(model, arrays, steps, batch_size, lr, rng, progress, weight_decay, None)


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
        raise TypeError(f"model must be a PixelCNN or GatedPixelCNN; got {type(model).__name__}")
    return nn.save_model(model, path)


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
    return nn.load_model(path, _MODELS, sha256, dtype)


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
