"""The autoencoder and the VAE: MLP encoder, MLP decoder to a 17-way categorical per pixel.

Both read an image of grey levels x (N, 8, 8) as the vector x / (levels − 1)
in [0, 1]^64. The decoder gives, for a latent z, one softmax over the levels
per pixel, so log p_θ(x | z) = Σ_i log p_θ(x_i | z) is measured in the same
bits/dim as the PixelCNN of chapter 7.
"""

import numpy as np
from scipy.special import log_softmax, softmax

from .._checks import as_array, as_int, as_real, as_rng
from ..nn import Layer, Linear, Model, ReLU, Sequential

__all__ = ["Autoencoder", "VAE", "Dropout", "MAX_LATENT", "MAX_HIDDEN", "MAX_DRAWS"]

#: Ceilings of the model sizes and of the number of images drawn in one call: a 64-d latent and
#: 1024 hidden units keep a model under 10 MB; 100 000 draws of 8×8 need about 0.8 GB of decoder logits.
MAX_LATENT = 64
MAX_HIDDEN = 1024
MAX_DRAWS = 100_000

_CHUNK = 4096  # decoder rows per pass: bounds the memory of the (rows, 64, 17) logits


class Dropout(Layer):
    """Inverted dropout (Srivastava et al., 2014) while training: y = x ⊙ m / (1 − p), m_k ~ Bernoulli(1 − p).

    The layer is the identity unless its ``rng`` is set; the models set it for
    one training step only, so encoding, decoding and the bounds use the whole network.

    Parameters
    ----------
    p : float
        Probability 0 ≤ p < 1 of zeroing a unit.

    References
    ----------
    .. [1] N. Srivastava et al., "Dropout: a simple way to prevent neural networks from
       overfitting," JMLR 15, 2014.

    Taught in: 08_vae, "界与真值".

    Examples
    --------
    >>> layer = Dropout(0.5)
    >>> layer.forward(np.ones(4))                       # no rng: the identity
    array([1., 1., 1., 1.])
    >>> layer.rng = np.random.default_rng(0)
    >>> layer.forward(np.ones(4))
    array([2., 0., 0., 0.])
    """

    def __init__(self, p):
        super().__init__()
        self.p = as_real(p, "p", minimum=0, maximum=0.95)
        self.rng = None
        self._mask = None

    def forward(self, x):
        if self.rng is None:
            self._mask = None
            return x
        self._mask = (self.rng.random(x.shape) >= self.p).astype(x.dtype) / x.dtype.type(1 - self.p)
        return x * self._mask

    def backward(self, dout):
        return dout if self._mask is None else dout * self._mask


def _mlp(sizes, rng, dtype, dropout=0.0):
    """Linear layers with ReLU (and dropout, if p > 0) between them, none after the last."""
    layers = []
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(fan_in, fan_out, rng=rng, dtype=dtype))
        if index < len(sizes) - 2:
            layers.append(ReLU())
            if dropout:
                layers.append(Dropout(dropout))
    return Sequential(layers)


def _categorical_nll(logits, x):
    """−log p(x | z) per image (nats) and its gradient with respect to the logits.

    logits (N, P, L), x (N, P) integer levels: NLL = −Σ_i log softmax(logits_i)[x_i],
    ∂NLL/∂logits_i = softmax(logits_i) − onehot(x_i).
    """
    logp = log_softmax(logits.astype(np.float64), axis=-1)
    index = x[..., None].astype(np.intp)
    nll = -np.take_along_axis(logp, index, axis=-1)[..., 0].sum(axis=1)
    dlogits = np.exp(logp)
    np.put_along_axis(dlogits, index, np.take_along_axis(dlogits, index, axis=-1) - 1.0, axis=-1)
    return nll, dlogits


def _kl_standard_normal(mu, logvar):
    """KL(N(μ, diag σ²) ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²), summed over the last axis."""
    # σ² − 1 as expm1(log σ²): no cancellation, so the KL stays ≥ 0 for tiny log σ²
    return 0.5 * (mu * mu + np.expm1(logvar) - logvar).sum(axis=-1)


def _draw_levels(probabilities, rng):
    """One categorical draw per pixel by inverting the cumulative distribution."""
    u = rng.random(probabilities.shape[:-1])
    levels = probabilities.shape[-1]
    return np.minimum((probabilities.cumsum(axis=-1) < u[..., None]).sum(axis=-1), levels - 1)


class _LatentModel(Model):
    """Shared parts: input checks, the decoder, decoding and conditional likelihoods."""

    def __init__(self, latent_dim, hidden, levels, image_size, dropout, dtype):
        self.dropout = as_real(dropout, "dropout", minimum=0, maximum=0.95)
        self.latent_dim = as_int(latent_dim, "latent_dim", minimum=1, maximum=MAX_LATENT)
        self.hidden = as_int(hidden, "hidden", minimum=1, maximum=MAX_HIDDEN)
        self.levels = as_int(levels, "levels", minimum=2, maximum=256)
        self.image_size = as_int(image_size, "image_size", minimum=1, maximum=32)
        self.pixels = self.image_size * self.image_size
        self.dtype = np.dtype(dtype)

    def config(self):
        return {"latent_dim": self.latent_dim, "hidden": self.hidden, "levels": self.levels,
                "image_size": self.image_size, "dropout": self.dropout}

    def layers(self):
        return [self.encoder, self.decoder]

    def _training_arrays(self, data):
        return (self._levels_input(data, "data"),)

    def _dropout_rng(self, rng):
        """Switch dropout on (rng) for one training step, or off (None)."""
        for network in (self.encoder, self.decoder):
            for layer in network.layers:
                if isinstance(layer, Dropout):
                    layer.rng = rng

    def _loss_terms_and_gradients(self, x, rng, beta):
        """Mean reconstruction NLL and KL per pixel (nats) of a batch, with dropout on; fills ``grads``."""
        self._dropout_rng(rng)
        try:
            return self._terms_and_gradients(x, rng, beta)
        finally:
            self._dropout_rng(None)

    # -- checks
    def _levels_input(self, x, name="x"):
        x = as_array(x, name, ndim=3)
        if not np.issubdtype(x.dtype, np.integer):
            raise TypeError(f"{name} must hold integer grey levels (N, H, W); got {x.dtype}")
        shape = (self.image_size, self.image_size)
        if x.shape[1:] != shape:
            raise ValueError(f"{name} must have shape (N, {shape[0]}, {shape[1]}); got {x.shape}")
        if x.min() < 0 or x.max() >= self.levels:
            raise ValueError(f"{name} must lie in [0, {self.levels - 1}]; got [{x.min()}, {x.max()}]")
        return x

    def _latent_input(self, z, name="z"):
        z = as_array(z, name, ndim=2)
        if z.shape[1] != self.latent_dim:
            raise ValueError(f"{name} must have shape (N, {self.latent_dim}); got {z.shape}")
        if len(z) > MAX_DRAWS:
            raise ValueError(f"{name} must have at most MAX_DRAWS = {MAX_DRAWS} rows; got {len(z)}")
        return z.astype(self.dtype, copy=False)

    # -- computation on checked arrays
    def _features(self, x):
        return (x.reshape(len(x), -1) / (self.levels - 1)).astype(self.dtype)

    def _logits(self, z):
        """Decoder logits (N, P, L) for checked latents, in chunks of rows."""
        chunks = [self.decoder.forward(z[i:i + _CHUNK]) for i in range(0, len(z), _CHUNK)]
        return np.concatenate(chunks).reshape(len(z), self.pixels, self.levels)

    def _log_likelihood(self, x, z):
        """log p(x | z) per row (nats): x (N, H, W) integer, z (N, d)."""
        flat = x.reshape(len(x), -1)
        nll = np.empty(len(z))
        for i in range(0, len(z), _CHUNK):
            logits = self.decoder.forward(z[i:i + _CHUNK]).reshape(-1, self.pixels, self.levels)
            logp = log_softmax(logits.astype(np.float64), axis=-1)
            nll[i:i + _CHUNK] = -np.take_along_axis(logp, flat[i:i + _CHUNK, :, None], axis=-1).sum(axis=(1, 2))
        return -nll

    def _decode(self, z):
        probabilities = softmax(self._logits(z).astype(np.float64), axis=-1)
        mean = probabilities @ np.arange(self.levels, dtype=np.float64)
        return mean.reshape(len(z), self.image_size, self.image_size)

    def _draw(self, z, rng):
        probabilities = softmax(self._logits(z).astype(np.float64), axis=-1)
        return _draw_levels(probabilities, rng).reshape(len(z), self.image_size, self.image_size)

    # -- public methods
    def decoder_logits(self, z):
        """Logits of p_θ(x_i | z) for every pixel: shape (N, levels, H, W), as the PixelCNN's ``forward``.

        Parameters
        ----------
        z : array_like, shape (N, latent_dim)
        """
        z = self._latent_input(z)
        logits = self._logits(z).reshape(len(z), self.image_size, self.image_size, self.levels)
        return np.moveaxis(logits, -1, 1)

    def decode(self, z):
        """The decoded image: the mean grey level E[x_i | z] = Σ_v v p_θ(x_i = v | z) of every pixel.

        Parameters
        ----------
        z : array_like, shape (N, latent_dim)

        Returns
        -------
        ndarray of float64, shape (N, H, W), values in [0, levels − 1]
        """
        return self._decode(self._latent_input(z))

    def draw(self, z, rng):
        """Draw every pixel from its categorical p_θ(x_i | z), independently given z: (N, H, W) int levels."""
        return self._draw(self._latent_input(z), as_rng(rng))

    def log_likelihood(self, x, z):
        """log p_θ(x | z) = Σ_i log p_θ(x_i | z) in nats, one value per row.

        Parameters
        ----------
        x : array_like of int, shape (N, H, W) or (1, H, W)
            Grey levels; a single image is paired with every row of ``z``.
        z : array_like, shape (N, latent_dim)
        """
        return self._log_likelihood(*self._paired_input(x, z))

    def log_likelihood_gradient(self, x, z):
        """∇_z log p_θ(x | z), one row per row of ``z`` (the reparameterized gradient's integrand).

        Parameters
        ----------
        x : array_like of int, shape (N, H, W) or (1, H, W)
        z : array_like, shape (N, latent_dim)
        """
        return self._log_likelihood_gradient(*self._paired_input(x, z))

    def _paired_input(self, x, z):
        """Checked images and codes, one image per code (a single image is repeated)."""
        x = self._levels_input(x)
        z = self._latent_input(z)
        if len(x) == 1:
            x = np.broadcast_to(x, (len(z),) + x.shape[1:])
        if len(x) != len(z):
            raise ValueError(f"x must have 1 or {len(z)} images to pair with z; got {len(x)}")
        return x, z

    def _log_likelihood_gradient(self, x, z):
        out = np.empty((len(z), self.latent_dim))
        for i in range(0, len(z), _CHUNK):
            logits = self.decoder.forward(z[i:i + _CHUNK]).reshape(-1, self.pixels, self.levels)
            _, dlogits = _categorical_nll(logits, x[i:i + _CHUNK].reshape(len(logits), -1))
            out[i:i + _CHUNK] = -self.decoder.backward(dlogits.reshape(len(logits), -1).astype(self.dtype))
        return out


class Autoencoder(_LatentModel):
    """A deterministic autoencoder: z = f_φ(x), trained to make −log p_θ(x | z) small.

    Encoder 64 → hidden → hidden → d and decoder d → hidden → hidden → 64·levels,
    with ReLU between the linear layers. The loss is the reconstruction NLL only:
    nothing shapes where the codes lie, which leaves holes in the latent space.

    Parameters
    ----------
    latent_dim : int
        d, at most ``MAX_LATENT``.
    hidden : int
        Units per hidden layer, at most ``MAX_HIDDEN``.
    levels : int
        Grey levels (17 for the digits).
    image_size : int
        Side of the square images (8).
    dropout : float
        Dropout probability p after every hidden layer while training (0: none).
    rng : numpy.random.Generator or int
    dtype : numpy dtype
        float32 trains faster; float64 for gradient checks.

    See Also
    --------
    VAE : the same networks with a stochastic encoder and a prior.

    Taught in: 08_vae, "自编码器".

    Examples
    --------
    >>> model = Autoencoder(latent_dim=2, hidden=8, rng=0)
    >>> model.encode(np.zeros((3, 8, 8), dtype=int)).shape
    (3, 2)
    """

    kind = "ae"

    def __init__(self, latent_dim=16, hidden=256, levels=17, image_size=8, dropout=0.0, rng=None, dtype=np.float64):
        super().__init__(latent_dim, hidden, levels, image_size, dropout, dtype)
        rng = as_rng(0 if rng is None else rng)
        h = self.hidden
        self.encoder = _mlp([self.pixels, h, h, self.latent_dim], rng, self.dtype, self.dropout)
        self.decoder = _mlp([self.latent_dim, h, h, self.pixels * self.levels], rng, self.dtype, self.dropout)

    def _encode(self, x):
        return self.encoder.forward(self._features(x))

    def encode(self, x):
        """The code z = f_φ(x) of each image: shape (N, latent_dim).

        Parameters
        ----------
        x : array_like of int, shape (N, H, W)
        """
        return self._encode(self._levels_input(x)).astype(np.float64)

    def reconstruct(self, x):
        """Decode the code of each image: the mean grey levels E[x̂ | z = f_φ(x)], shape (N, H, W)."""
        return self._decode(self._encode(self._levels_input(x)))

    def _terms_and_gradients(self, x, rng, beta):
        """Mean reconstruction NLL per pixel (nats) and 0 (no KL); fills every layer's ``grads``."""
        count = len(x) * self.pixels
        z = self.encoder.forward(self._features(x))
        logits = self.decoder.forward(z).reshape(len(x), self.pixels, self.levels)
        nll, dlogits = _categorical_nll(logits, x.reshape(len(x), -1))
        dz = self.decoder.backward((dlogits / count).reshape(len(x), -1).astype(self.dtype))
        self.encoder.backward(dz)
        return float(nll.sum() / count), 0.0

    def loss_and_gradients(self, x, rng=None):
        """Mean reconstruction NLL per pixel in nats over a batch; fills ``grads`` (``rng`` drives dropout)."""
        x = self._levels_input(x)
        return self._loss_terms_and_gradients(x, as_rng(0 if rng is None else rng), 1.0)[0]


class VAE(_LatentModel):
    """Variational autoencoder (Kingma & Welling, 2014; Rezende et al., 2014).

    Prior p(z) = N(0, I); decoder p_θ(x | z) = Π_i Cat(x_i; softmax(g_θ(z)_i));
    encoder q_φ(z | x) = N(μ_φ(x), diag σ²_φ(x)), whose network outputs (μ, log σ²).
    Training maximises the evidence lower bound (ELBO) with the reparameterization
    z = μ + σ ⊙ ε, ε ~ N(0, I):

        ELBO(x) = E_q[log p_θ(x | z)] − KL(q_φ(z | x) ‖ p(z)) ≤ log p_θ(x).

    Parameters
    ----------
    latent_dim, hidden, levels, image_size, dropout, rng, dtype
        As for :class:`Autoencoder`.

    See Also
    --------
    elbo, elbo_terms, iwae_bound : the bounds on log p(x), in bits/dim.

    References
    ----------
    .. [1] D. P. Kingma and M. Welling, "Auto-encoding variational Bayes," ICLR, 2014.
    .. [2] D. J. Rezende, S. Mohamed and D. Wierstra, "Stochastic backpropagation and approximate
       inference in deep generative models," ICML, 2014.

    Taught in: 08_vae, "变分自编码器".

    Examples
    --------
    >>> model = VAE(latent_dim=2, hidden=8, rng=0)
    >>> mu, logvar = model.encode(np.zeros((3, 8, 8), dtype=int))
    >>> mu.shape, model.sample(5, rng=0).shape
    ((3, 2), (5, 8, 8))
    """

    kind = "vae"

    def __init__(self, latent_dim=16, hidden=256, levels=17, image_size=8, dropout=0.0, rng=None, dtype=np.float64):
        super().__init__(latent_dim, hidden, levels, image_size, dropout, dtype)
        rng = as_rng(0 if rng is None else rng)
        h = self.hidden
        self.encoder = _mlp([self.pixels, h, h, 2 * self.latent_dim], rng, self.dtype, self.dropout)
        self.decoder = _mlp([self.latent_dim, h, h, self.pixels * self.levels], rng, self.dtype, self.dropout)

    def _encode(self, x):
        out = self.encoder.forward(self._features(x))
        return out[:, :self.latent_dim], out[:, self.latent_dim:]

    def encode(self, x):
        """Parameters of q_φ(z | x): the means μ and log-variances log σ², each (N, latent_dim).

        Parameters
        ----------
        x : array_like of int, shape (N, H, W)
        """
        mu, logvar = self._encode(self._levels_input(x))
        return mu.astype(np.float64), logvar.astype(np.float64)

    def reconstruct(self, x):
        """Decode the posterior mean of each image: E[x̂ | z = μ_φ(x)], shape (N, H, W)."""
        return self._decode(self._encode(self._levels_input(x))[0])

    def sample(self, n, rng):
        """Draw n images in one decoder pass: z ~ N(0, I), then every pixel x_i ~ p_θ(x_i | z).

        Parameters
        ----------
        n : int
            At most ``MAX_DRAWS``.
        rng : numpy.random.Generator or int

        Returns
        -------
        ndarray of int64, shape (n, H, W)
        """
        n = as_int(n, "n", minimum=1, maximum=MAX_DRAWS)
        rng = as_rng(rng)
        z = rng.standard_normal((n, self.latent_dim)).astype(self.dtype)
        return self._draw(z, rng)

    def _terms_and_gradients(self, x, rng, beta):
        """Mean reconstruction NLL and mean KL per pixel (nats) of a batch; fills ``grads`` for NLL + β·KL.

        With ε ~ N(0, I) and z = μ + σ ⊙ ε: ∂z/∂μ = 1, ∂z/∂log σ² = ½ σ ⊙ ε;
        ∂KL/∂μ = μ and ∂KL/∂log σ² = ½ (σ² − 1).
        """
        count = len(x) * self.pixels
        mu, logvar = self._encode(x)
        eps = rng.standard_normal(mu.shape).astype(self.dtype)
        std = np.exp(0.5 * logvar)
        z = mu + std * eps
        logits = self.decoder.forward(z).reshape(len(x), self.pixels, self.levels)
        nll, dlogits = _categorical_nll(logits, x.reshape(len(x), -1))
        kl = _kl_standard_normal(mu.astype(np.float64), logvar.astype(np.float64))
        dz = self.decoder.backward((dlogits / count).reshape(len(x), -1).astype(self.dtype))
        dmu = dz + beta * mu / count
        dlogvar = dz * eps * 0.5 * std + beta * 0.5 * (std * std - 1.0) / count
        self.encoder.backward(np.concatenate([dmu, dlogvar], axis=1).astype(self.dtype))
        return float(nll.sum() / count), float(kl.sum() / count)

    def loss_and_gradients(self, x, rng=None):
        """Negative ELBO per pixel in nats, averaged over the batch (one ε per image); fills ``grads``."""
        x = self._levels_input(x)
        reconstruction, kl = self._loss_terms_and_gradients(x, as_rng(0 if rng is None else rng), 1.0)
        return reconstruction + kl
