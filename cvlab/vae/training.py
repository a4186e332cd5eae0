"""Training with Adam (cvlab.nn.fit), and the pretrained models shipped with the package."""

from pathlib import Path

import numpy as np

from .. import nn
from .._checks import as_choice, as_int, as_real
from .checksums import CHECKSUMS
from .models import VAE, Autoencoder, _LatentModel

__all__ = ["train", "load_pretrained", "PRETRAINED", "BETAS", "WEIGHTS_DIR", "MAX_STEPS", "MAX_LR", "MAX_BETA"]

WEIGHTS_DIR = Path(__file__).parent / "weights"
#: The shipped models: a 32-d VAE, a 2-D VAE for the latent-space pictures, and a 32-d autoencoder.
PRETRAINED = ("vae", "vae2d", "ae")
#: KL weights β of the shipped 2-D models of the β sweep (β = 1 is ``vae2d`` itself).
BETAS = (0.5, 1.0, 2.0, 4.0, 8.0)
#: Ceiling on training steps: 20 000 steps of the default VAE take about 10 minutes on one core.
MAX_STEPS = 20_000
#: Ceiling on the peak learning rate: Adam moves each weight by about lr per step, and past 1 the weights
#: of these small networks overflow within a few steps.
MAX_LR = 1.0
#: Ceiling on the KL weight: at β = 8 the 2-D model has already collapsed to the prior.
MAX_BETA = 1000.0
_KINDS = {"vae": VAE, "ae": Autoencoder}


class _Weighted(nn.Model):
    """Lets :func:`cvlab.nn.fit` train a model on NLL + β_t·KL and records both terms of every step."""

    def __init__(self, model, beta, warmup):
        self.model, self.beta, self.warmup = model, beta, warmup
        self.terms = []

    def layers(self):
        return self.model.layers()

    def _training_arrays(self, data):
        return self.model._training_arrays(data)

    def loss_and_gradients(self, x, rng=None):
        # KL warm-up: β_t rises linearly from 0 over the first `warmup` steps.
        beta = self.beta * min(1.0, (len(self.terms) + 1) / self.warmup) if self.warmup else self.beta
        reconstruction, kl = self.model._loss_terms_and_gradients(x, rng, beta)
        self.terms.append((reconstruction, kl))
        return reconstruction + beta * kl


def train(model, data, steps, rng, batch_size=64, lr=3e-3, weight_decay=0.0, beta=1.0, warmup=0, progress=True):
    """Fit an autoencoder or a VAE by Adam on random minibatches; return both loss terms per step.

    The VAE minimises the β-weighted negative ELBO per pixel, (−log p_θ(x | z) + β_t KL) / D,
    with one reparameterized draw z = μ + σ ⊙ ε per image; the autoencoder minimises
    −log p_θ(x | f_φ(x)) / D. The learning rate follows a cosine decay from ``lr`` to 0
    and decoupled weight decay shrinks the weight matrices (as in :func:`cvlab.nn.fit`).
    With ``warmup`` > 0 the KL weight grows linearly, β_t = β · min(1, t / warmup).

    Parameters
    ----------
    model : VAE or Autoencoder
    data : array_like of int, shape (N, H, W)
    steps : int
        At most ``MAX_STEPS``.
    rng : numpy.random.Generator or int
        Minibatches and ε; the same seed gives the same run.
    batch_size : int
    lr : float
        Peak learning rate, 0 < lr ≤ ``MAX_LR`` = 1.
    weight_decay : float
        λ ≥ 0 of the decoupled weight decay, with lr · λ ≤ 1 (each step then
        shrinks a weight by a factor in [0, 1]).
    beta : float
        0 ≤ β ≤ ``MAX_BETA`` = 1000, the weight of the KL term (1 is the ELBO;
        Higgins et al., 2017).
    warmup : int
        Steps of the linear KL warm-up (0: none).
    progress : bool
        Show a ``tqdm.auto`` bar with the running loss.

    Returns
    -------
    ndarray of float64, shape (steps, 2)
        Per minibatch, before its update: the reconstruction term and the KL in
        bits/dim (the KL column is 0 for an autoencoder). Their sum is the
        minibatch's negative ELBO.

    See Also
    --------
    elbo : the negative ELBO of held-out images.

    References
    ----------
    .. [1] I. Higgins et al., "β-VAE: Learning basic visual concepts with a constrained
       variational framework," ICLR, 2017.

    Taught in: 08_vae, "现场训练".

    Examples
    --------
    >>> from cvlab.data import digits
    >>> model = VAE(latent_dim=2, hidden=16, rng=0)
    >>> history = train(model, digits()[0], 60, rng=0, progress=False)
    >>> history.shape, bool(history[-10:].sum(axis=1).mean() < history[:10].sum(axis=1).mean())
    ((60, 2), True)
    """
    if not isinstance(model, _LatentModel):
        raise TypeError(f"model must be a cvlab.vae.VAE or Autoencoder; got {type(model).__name__}")
    steps = as_int(steps, "steps", minimum=1, maximum=MAX_STEPS)
    lr = as_real(lr, "lr", minimum=0, maximum=MAX_LR, strict=True)
    weight_decay = as_real(weight_decay, "weight_decay", minimum=0)
    if lr * weight_decay > 1:
        raise ValueError(f"weight_decay must be <= 1 / lr = {1 / lr:g}; got {weight_decay:g}")
    beta = as_real(beta, "beta", minimum=0, maximum=MAX_BETA)
    warmup = as_int(warmup, "warmup", minimum=0, maximum=MAX_STEPS)
    weighted = _Weighted(model, beta, warmup)
    nn.fit(weighted, data, steps, batch_size, lr, rng, progress, weight_decay)
    return np.asarray(weighted.terms, dtype=np.float64) / np.log(2.0)


def load_pretrained(name, beta=None, dtype=np.float32):
    """A shipped model trained on the digits' 1500 training images: 'vae', 'vae2d' or 'ae'.

    ``weights/<name>.npz`` is verified against its sha256 and read with
    ``allow_pickle=False``. ``beta`` picks one of the 2-D models of the β sweep
    (``BETAS``; 'vae2d' only, β = 1 being 'vae2d' itself). All are reproduced by
    ``scripts/train_vae.py``.

    Parameters
    ----------
    name : {'vae', 'vae2d', 'ae'}
    beta : float, optional
        One of ``BETAS``, with ``name='vae2d'``.
    dtype : numpy dtype

    Raises
    ------
    ValueError
        If the file's checksum differs (the message names the file).

    Taught in: 08_vae, "潜空间".

    Examples
    --------
    >>> model = load_pretrained("vae2d")
    >>> type(model).__name__, model.latent_dim
    ('VAE', 2)
    >>> load_pretrained("vae2d", beta=8.0).latent_dim
    2
    """
    name = as_choice(name, "name", PRETRAINED)
    if beta is not None:
        beta = as_real(beta, "beta", minimum=0)
        if name != "vae2d" or beta not in BETAS:
            raise ValueError(f"beta must be one of {BETAS} with name='vae2d'; got beta={beta:g}, name={name!r}")
        if beta != 1.0:
            name = f"vae2d_beta{beta:g}"
    filename = f"{name}.npz"
    return nn.load_model(WEIGHTS_DIR / filename, _KINDS, CHECKSUMS[filename], dtype)
