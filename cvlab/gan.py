"""A 1-D generative adversarial network with hand-written gradients (chapter 8).

A generator G maps noise u ~ N(0, I) to a number x = G(u); a discriminator D
gives the probability D(x) that x came from the data. They play the minimax game

    min_G max_D  E_{x~p_data}[log D(x)] + E_u[log(1 − D(G(u)))],

so D acts as a learned loss for G. Nothing here gives a density p(x): a GAN is an
implicit model, judged by its samples (share of mass per mode, Wasserstein-1 distance).

>>> gan = GAN(hidden=8, rng=0)
>>> gan.sample(5, rng=0).shape
(5,)
"""

import numpy as np
from scipy.special import expit, log_expit

from ._checks import as_array, as_choice, as_int, as_real, as_rng
from .nn import Adam, Linear, Sequential, Tanh

__all__ = ["GAN", "two_mode_mixture", "train_gan", "mode_shares", "wasserstein1", "LOSSES",
           "MAX_SAMPLES", "MAX_STEPS", "MAX_HIDDEN"]

#: Generator objectives: the minimax log(1 − D(G(u))) and the non-saturating −log D(G(u)).
LOSSES = ("non-saturating", "minimax")
#: Ceilings: 10⁷ 1-D samples are 80 MB; 20 000 steps of the default GAN take about 20 s;
#: 256 hidden units keep one step's products small.
MAX_SAMPLES = 10_000_000
MAX_STEPS = 20_000
MAX_HIDDEN = 256


def _mlp(sizes, rng, dtype):
    layers = []
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(fan_in, fan_out, rng=rng, dtype=dtype))
        if index < len(sizes) - 2:
            layers.append(Tanh())
    return Sequential(layers)


class GAN:
    """Generator and discriminator MLPs (tanh hidden units) for 1-D data.

    G: u ∈ R^{noise_dim} → x ∈ R;  D: x → a ∈ R, the logit of D(x) = σ(a).

    Parameters
    ----------
    noise_dim : int
        Dimension of the noise u ~ N(0, I).
    hidden : int
        Units in each of the two hidden layers of both networks, at most ``MAX_HIDDEN``.
    rng : numpy.random.Generator or int
    dtype : numpy dtype

    References
    ----------
    .. [1] I. Goodfellow et al., "Generative adversarial nets," NeurIPS, 2014.

    Taught in: 08_vae, "GAN".

    Examples
    --------
    >>> gan = GAN(hidden=8, rng=0)
    >>> gan.discriminate(np.array([0.0, 1.0])).shape
    (2,)
    """

    def __init__(self, noise_dim=1, hidden=16, rng=None, dtype=np.float64):
        self.noise_dim = as_int(noise_dim, "noise_dim", minimum=1, maximum=64)
        self.hidden = as_int(hidden, "hidden", minimum=1, maximum=MAX_HIDDEN)
        rng = as_rng(0 if rng is None else rng)
        self.dtype = np.dtype(dtype)
        self.generator = _mlp([self.noise_dim, self.hidden, self.hidden, 1], rng, self.dtype)
        self.discriminator = _mlp([1, self.hidden, self.hidden, 1], rng, self.dtype)

    def _generate(self, noise):
        return self.generator.forward(noise.astype(self.dtype))[:, 0]

    def generate(self, noise):
        """x = G(u) for each row of the noise: shape (N,).

        Parameters
        ----------
        noise : array_like, shape (N, noise_dim)
        """
        noise = as_array(noise, "noise", ndim=2)
        if noise.shape[1] != self.noise_dim:
            raise ValueError(f"noise must have shape (N, {self.noise_dim}); got {noise.shape}")
        return self._generate(noise).astype(np.float64)

    def sample(self, n, rng):
        """n draws x = G(u), u ~ N(0, I): shape (n,)."""
        n = as_int(n, "n", minimum=1, maximum=MAX_SAMPLES)
        return self._generate(as_rng(rng).standard_normal((n, self.noise_dim))).astype(np.float64)

    def discriminate(self, x):
        """D(x) = σ(a(x)), the probability that each x is real: shape (N,).

        Parameters
        ----------
        x : array_like, shape (N,)
        """
        x = as_array(x, "x", ndim=1)
        return expit(self.discriminator.forward(x[:, None].astype(self.dtype))[:, 0].astype(np.float64))

    def discriminator_loss_and_gradients(self, real, noise):
        """−E[log D(x)] − E[log(1 − D(G(u)))] over a batch; fills the discriminator's ``grads``.

        With logits a: −log σ(a) has ∂/∂a = σ(a) − 1 and −log(1 − σ(a)) has ∂/∂a = σ(a).
        """
        fake = self._generate(noise)
        a_real = self.discriminator.forward(real[:, None].astype(self.dtype))[:, 0]
        loss = -log_expit(a_real.astype(np.float64)).mean()
        d_real = (expit(a_real.astype(np.float64)) - 1.0) / len(real)
        self.discriminator.backward(d_real[:, None].astype(self.dtype))
        real_grads = {name: owner.grads[key].copy() for name, owner, key in self.discriminator.named_parameters()}
        a_fake = self.discriminator.forward(fake[:, None])[:, 0]
        loss += -log_expit(-a_fake.astype(np.float64)).mean()
        d_fake = expit(a_fake.astype(np.float64)) / len(fake)
        self.discriminator.backward(d_fake[:, None].astype(self.dtype))
        for name, owner, key in self.discriminator.named_parameters():
            owner.grads[key] = owner.grads[key] + real_grads[name]
        return float(loss)

    def generator_loss_and_gradients(self, noise, loss="non-saturating"):
        """The generator's loss over a batch; fills the generator's ``grads`` through D.

        'non-saturating': −E[log D(G(u))], ∂/∂a = σ(a) − 1;
        'minimax': E[log(1 − D(G(u)))], ∂/∂a = −σ(a), which vanishes when D rejects the fakes.
        """
        fake = self.generator.forward(noise.astype(self.dtype))
        a_fake = self.discriminator.forward(fake)[:, 0].astype(np.float64)
        if loss == "non-saturating":
            value, d_a = -log_expit(a_fake).mean(), expit(a_fake) - 1.0
        else:
            value, d_a = log_expit(-a_fake).mean(), -expit(a_fake)
        d_fake = self.discriminator.backward((d_a / len(noise))[:, None].astype(self.dtype))
        self.generator.backward(d_fake)
        return float(value)


def two_mode_mixture(n, rng, centers=(-2.0, 2.0), std=0.5):
    """n draws from the equal mixture ½ N(c₁, s²) + ½ N(c₂, s²).

    Parameters
    ----------
    n : int
        At most ``MAX_SAMPLES``.
    rng : numpy.random.Generator or int
    centers : pair of float
    std : float
        s > 0.

    Returns
    -------
    ndarray of float64, shape (n,)

    Taught in: 08_vae, "GAN".

    Examples
    --------
    >>> x = two_mode_mixture(100_000, rng=0)
    >>> round(float((x > 0).mean()), 2), round(float(np.abs(x).mean()), 1)
    (0.5, 2.0)
    """
    n = as_int(n, "n", minimum=1, maximum=MAX_SAMPLES)
    rng = as_rng(rng)
    centers = as_array(centers, "centers", ndim=1).astype(np.float64)
    if centers.shape != (2,):
        raise ValueError(f"centers must hold two numbers; got shape {centers.shape}")
    std = as_real(std, "std", minimum=0, strict=True)
    return centers[rng.integers(0, 2, n)] + std * rng.standard_normal(n)


def train_gan(gan, data, steps, rng, batch_size=64, lr=2e-3, d_steps=1, g_steps=1, loss="non-saturating",
              snapshots=10, snapshot_size=2000):
    """Train a GAN by alternating Adam steps: ``d_steps`` on D, then ``g_steps`` on G.

    D ascends E[log D(x)] + E[log(1 − D(G(u)))]; G descends its ``loss``
    (see :meth:`GAN.generator_loss_and_gradients`). Both use Adam with
    β₁ = 0.5 and a constant learning rate ``lr``.

    Parameters
    ----------
    gan : GAN
    data : array_like, shape (N,)
        Real samples; each D step draws a minibatch from them.
    steps : int
        Rounds, at most ``MAX_STEPS``.
    rng : numpy.random.Generator or int
    batch_size : int
    lr : float
    d_steps, g_steps : int
        Discriminator steps, then generator steps, per round.
    loss : {'non-saturating', 'minimax'}
    snapshots : int
        Number of snapshots of G, taken at equal intervals (the last after the final step).
    snapshot_size : int
        Samples per snapshot, from one fixed noise batch, so snapshots differ only through G.

    Returns
    -------
    losses : ndarray of float64, shape (steps, 2)
        Discriminator and generator loss of each round (its last step of each).
    samples : ndarray of float64, shape (snapshots, snapshot_size)
        G(u) at each snapshot.

    See Also
    --------
    mode_shares, wasserstein1 : how the samples are judged.

    References
    ----------
    .. [1] I. Goodfellow et al., "Generative adversarial nets," NeurIPS, 2014.

    Taught in: 08_vae, "GAN".

    Examples
    --------
    >>> gan = GAN(hidden=8, rng=0)
    >>> losses, samples = train_gan(gan, two_mode_mixture(500, rng=1), 20, rng=2, snapshots=2, snapshot_size=100)
    >>> losses.shape, samples.shape
    ((20, 2), (2, 100))
    """
    if not isinstance(gan, GAN):
        raise TypeError(f"gan must be a cvlab.gan.GAN; got {type(gan).__name__}")
    data = as_array(data, "data", ndim=1).astype(np.float64)
    steps = as_int(steps, "steps", minimum=1, maximum=MAX_STEPS)
    rng = as_rng(rng)
    batch_size = as_int(batch_size, "batch_size", minimum=1, maximum=65536)
    lr = as_real(lr, "lr", minimum=0, strict=True)
    d_steps = as_int(d_steps, "d_steps", minimum=1, maximum=100)
    g_steps = as_int(g_steps, "g_steps", minimum=1, maximum=100)
    loss = as_choice(loss, "loss", LOSSES)
    snapshots = as_int(snapshots, "snapshots", minimum=1, maximum=steps)
    snapshot_size = as_int(snapshot_size, "snapshot_size", minimum=1, maximum=1_000_000)
    return _train_gan(gan, data, steps, rng, batch_size, lr, d_steps, g_steps, loss, snapshots, snapshot_size)


def _train_gan(gan, data, steps, rng, batch_size, lr, d_steps, g_steps, loss, snapshots, snapshot_size):
    d_params = list(gan.discriminator.named_parameters())
    g_params = list(gan.generator.named_parameters())
    d_opt, g_opt = Adam(lr, beta1=0.5), Adam(lr, beta1=0.5)
    fixed_noise = rng.standard_normal((snapshot_size, gan.noise_dim))
    when = set(np.linspace(0, steps, snapshots + 1).astype(int)[1:] - 1)
    losses = np.empty((steps, 2))
    samples = []
    for t in range(steps):
        for _ in range(d_steps):
            real = data[rng.integers(0, len(data), batch_size)]
            losses[t, 0] = gan.discriminator_loss_and_gradients(real, rng.standard_normal((batch_size, gan.noise_dim)))
            d_opt.step([(owner.params, key, owner.grads[key]) for _, owner, key in d_params])
        for _ in range(g_steps):
            losses[t, 1] = gan.generator_loss_and_gradients(rng.standard_normal((batch_size, gan.noise_dim)), loss)
            g_opt.step([(owner.params, key, owner.grads[key]) for _, owner, key in g_params])
        if t in when:
            samples.append(gan._generate(fixed_noise).astype(np.float64))
    return losses, np.array(samples)


def mode_shares(samples, centers=(-2.0, 2.0)):
    """The share of the samples nearer to each centre: (share at c₁, share at c₂), summing to 1.

    A sample x counts for the nearer centre, i.e. x < (c₁ + c₂)/2 for c₁ < c₂.
    Mode collapse shows as one share near 1.

    Parameters
    ----------
    samples : array_like, shape (N,)
    centers : pair of float

    Returns
    -------
    ndarray of float64, shape (2,)

    Taught in: 08_vae, "模式崩塌".

    Examples
    --------
    >>> mode_shares([-2.1, -1.5, 0.3, 2.2])
    array([0.5, 0.5])
    """
    samples = as_array(samples, "samples", ndim=1).astype(np.float64)
    centers = as_array(centers, "centers", ndim=1).astype(np.float64)
    if centers.shape != (2,) or centers[0] == centers[1]:
        raise ValueError(f"centers must hold two different numbers; got {centers}")
    nearer_first = np.abs(samples - centers[0]) < np.abs(samples - centers[1])
    share = nearer_first.mean()
    return np.array([share, 1.0 - share])


def wasserstein1(a, b):
    """The Wasserstein-1 (earth mover's) distance between two 1-D samples.

    W₁(P, Q) = ∫ |F_P(t) − F_Q(t)| dt, with F the empirical distribution functions;
    for two samples of equal size n it is (1/n) Σ_i |a_(i) − b_(i)| over the sorted values.

    Parameters
    ----------
    a, b : array_like, 1-D

    Returns
    -------
    float

    Taught in: 08_vae, "GAN".

    Examples
    --------
    >>> wasserstein1([0.0, 1.0], [2.0, 3.0])
    2.0
    """
    a = np.sort(as_array(a, "a", ndim=1).astype(np.float64))
    b = np.sort(as_array(b, "b", ndim=1).astype(np.float64))
    points = np.concatenate([a, b])
    points.sort()
    widths = np.diff(points)
    cdf_a = np.searchsorted(a, points[:-1], side="right") / len(a)
    cdf_b = np.searchsorted(b, points[:-1], side="right") / len(b)
    return float(np.sum(np.abs(cdf_a - cdf_b) * widths))
