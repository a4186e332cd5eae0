"""Training with Adam, and the pretrained models shipped with the package.

Training minimises the mean negative log-likelihood per pixel (nats),
L(θ) = −(1 / (B·H·W)) Σ_b Σ_i log p_θ(x_{b,i} | x_{b,<i}), over random minibatches.
The shipped models are reproduced bit for bit by ``scripts/train_pixelcnn.py``.
"""

from pathlib import Path

import numpy as np

from .. import nn
from .._checks import as_choice
from ..nn import Adam
from .checksums import CHECKSUMS
from .models import GatedPixelCNN, PixelCNN, _AutoregressiveModel

__all__ = ["Adam", "train", "save_model", "load_model", "load_pretrained", "PRETRAINED", "ABLATION", "WEIGHTS_DIR"]

WEIGHTS_DIR = Path(__file__).parent / "weights"
#: The depth ablation of section "Residual Connections": name → (n_layers, residual).
ABLATION = {f"depth{depth}_{'residual' if residual else 'no_residual'}": (depth, residual)
            for depth in (2, 4, 8, 16) for residual in (True, False)}
#: Names accepted by :func:`load_pretrained`.
PRETRAINED = ("plain", "gated", "plain_no_decay", *ABLATION)
_MODELS = {"plain": PixelCNN, "gated": GatedPixelCNN}


def train(model, data, steps, batch_size=64, lr=3e-3, rng=None, progress=True, weight_decay=0.0):
    """Fit ``model`` by Adam on random minibatches of ``data``; return the loss per step.

    The learning rate follows a cosine decay from ``lr`` to 0:
    α_t = lr · ½ (1 + cos(π t / steps)). Given the same ``rng`` seed, model
    and data, the run (batches, updates, losses) is reproducible. This is
    :func:`cvlab.nn.fit` for the PixelCNN family.

    Parameters
    ----------
    model : PixelCNN or GatedPixelCNN
    data : array_like of int, shape (N, H, W)
    steps : int
        1 … ``cvlab.nn.MAX_STEPS`` = 100 000.
    batch_size : int
        At most ``cvlab.nn.MAX_BATCH_SIZE`` = 4096, and at most what the
        model's forward and backward pass can hold in 256 MB.
    lr : float
        Peak learning rate, 0 < lr ≤ ``cvlab.nn.MAX_LR`` = 1.
    rng : numpy.random.Generator or int
    progress : bool
        Show a ``tqdm.auto`` bar with the running loss (a widget in notebooks).
    weight_decay : float
        Decoupled weight decay λ (AdamW): every weight w ← w − α_t λ w after
        each step; biases are not decayed. Helps on the small training set.
        0 ≤ λ ≤ 1 / lr, so that the decay factor stays in [0, 1].

    Returns
    -------
    ndarray of float64, shape (steps,)
        Mean NLL per pixel in nats of each minibatch, before its update.

    See Also
    --------
    cvlab.nn.fit, load_pretrained

    Taught in: 07_pixelcnn, "Training and Baselines".

    References
    ----------
    .. [1] D. P. Kingma and J. Ba, "Adam: A method for stochastic optimization," ICLR, 2015.
    .. [2] I. Loshchilov and F. Hutter, "Decoupled weight decay regularization," ICLR, 2019.

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
    """Write a PixelCNN or GatedPixelCNN to the .npz file ``path``; return its sha256.

    :func:`cvlab.nn.save_model` for this family: kind and config as 0-d
    arrays, float32 weights, nothing that needs pickle, written at exactly ``path``.

    Parameters
    ----------
    model : PixelCNN or GatedPixelCNN
    path : str or pathlib.Path

    Returns
    -------
    str
        64 hexadecimal digits.

    See Also
    --------
    load_model, cvlab.nn.save_model

    Taught in: 07_pixelcnn, "Training and Baselines".

    Examples
    --------
    >>> import tempfile
    >>> model = PixelCNN(levels=3, channels=4, n_layers=1, rng=0)
    >>> path = Path(tempfile.mkdtemp()) / "tiny.npz"
    >>> checksum = save_model(model, path)
    >>> len(checksum), type(load_model(path, sha256=checksum)).__name__
    (64, 'PixelCNN')
    """
    if not isinstance(model, _AutoregressiveModel):
        raise TypeError(f"model must be a PixelCNN or GatedPixelCNN; got {type(model).__name__}")
    return nn._save_model(model, nn._check_save_path(model, path))


def load_model(path, sha256=None, dtype=np.float32):
    """Read a PixelCNN or GatedPixelCNN written by :func:`save_model`, checking its sha256 first if given.

    Parameters
    ----------
    path : str or pathlib.Path
    sha256 : str, optional
        64 hexadecimal digits.
    dtype : numpy.float32 or numpy.float64

    Returns
    -------
    PixelCNN or GatedPixelCNN

    Raises
    ------
    ValueError
        If the checksum differs or the file is not a weight file of this
        family: the message names the file (and both checksums); re-run
        ``scripts/train_pixelcnn.py``.

    See Also
    --------
    cvlab.nn.load_model : every check it makes.

    Taught in: 07_pixelcnn, "Training and Baselines".

    Examples
    --------
    >>> model = load_model(WEIGHTS_DIR / "plain.npz", sha256=CHECKSUMS["plain.npz"])
    >>> model.kind, model.levels
    ('plain', 17)
    """
    return nn.load_model(path, _MODELS, sha256, dtype)


def load_pretrained(name, dtype=np.float32):
    """A shipped model trained on the digits' 1500 training images, by name (see ``PRETRAINED``).

    'plain' and 'gated' are chapter 7's models; 'plain_no_decay' is 'plain'
    trained without weight decay; 'depth<L>_residual' and
    'depth<L>_no_residual' (L = 2, 4, 8, 16) are the depth ablation. The file
    ``weights/<name>.npz`` is verified against its stored sha256 and loaded
    with ``allow_pickle=False``.

    Parameters
    ----------
    name : str
        One of ``PRETRAINED``.
    dtype : numpy.float32 or numpy.float64

    Returns
    -------
    PixelCNN or GatedPixelCNN

    See Also
    --------
    load_model

    Taught in: 07_pixelcnn, "Training and Baselines".

    Examples
    --------
    >>> model = load_pretrained("gated")
    >>> type(model).__name__, model.levels
    ('GatedPixelCNN', 17)
    >>> load_pretrained("depth16_no_residual").residual
    False
    """
    name = as_choice(name, "name", PRETRAINED)
    return nn._load_model(WEIGHTS_DIR / f"{name}.npz", _MODELS, CHECKSUMS[f"{name}.npz"],
                          nn._as_float_dtype(dtype))
