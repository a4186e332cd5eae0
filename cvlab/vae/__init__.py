"""Autoencoders and variational autoencoders in NumPy, forward and backward by hand (chapter 8).

A VAE models p_θ(x) = ∫ p_θ(x | z) p(z) dz with a latent z ~ N(0, I) and a decoder
that gives each pixel a 17-way categorical, and trains an encoder q_φ(z | x) with it
by maximising the evidence lower bound (ELBO). Bounds are reported in bits/dim,
the scale of the PixelCNN in :mod:`cvlab.pixelcnn`.

>>> from cvlab.vae import kl_standard_normal
>>> float(kl_standard_normal([0.0, 0.0], [0.0, 0.0]))
0.0
"""

from .classifiers import PixelMarginals, SoftmaxRegression
from .models import MAX_DRAWS, MAX_HIDDEN, MAX_LATENT, VAE, Autoencoder, Dropout
from .objectives import (
    MAX_IMPORTANCE_SAMPLES,
    MAX_SAMPLES,
    elbo,
    elbo_terms,
    iwae_bound,
    kl_standard_normal,
    reparameterize,
    reparameterized_gradient,
    score_function_gradient,
)
from .training import BETAS, MAX_BETA, MAX_LR, MAX_STEPS, PRETRAINED, load_pretrained, train

__all__ = [
    "Autoencoder", "VAE", "Dropout", "PixelMarginals", "SoftmaxRegression",
    "kl_standard_normal", "reparameterize", "elbo", "elbo_terms", "iwae_bound",
    "score_function_gradient", "reparameterized_gradient",
    "train", "load_pretrained", "PRETRAINED", "BETAS",
    "MAX_LATENT", "MAX_HIDDEN", "MAX_DRAWS", "MAX_SAMPLES", "MAX_IMPORTANCE_SAMPLES", "MAX_STEPS", "MAX_LR",
    "MAX_BETA",
]
