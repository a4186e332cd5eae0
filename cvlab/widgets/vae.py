"""Chapter 8 explorer: walk the 2-D latent space of the shipped VAE and watch the decoded digit."""

from functools import cache

import numpy as np

from ..data import digits
from ..vae import load_pretrained
from ._live import LiveFigure, explorer, slider

__all__ = ["latent_explorer"]


@cache  # one entry: the shipped model and its test-set codes never change
def _latent_map():
    model = load_pretrained("vae2d")
    codes, _ = model.encode(digits()[1])
    return model, codes


def latent_explorer():
    """Sliders z₁, z₂ over the 2-D VAE's latent space; the decoded digit E[x | z] beside the test digits' codes.

    The codes are grey here (the chapter's static figure colours them by class):
    a class colour bar's ten labels would double the redraw time.

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(latent_explorer())]
    ['z1', 'z2']
    """
    model, codes = _latent_map()
    live = LiveFigure(1, 2, size=(7.6, 3.8))
    ax_map, ax_digit = live.axes[0]
    ax_map.scatter(codes[:, 0], codes[:, 1], color="0.65", s=8)
    (marker,) = ax_map.plot([0.0], [0.0], "+", color="C3", markersize=18, markeredgewidth=2.5)
    ax_map.set_xlim(-3.2, 3.2), ax_map.set_ylim(-3.2, 3.2)
    ax_map.set_xticks([-3, 0, 3]), ax_map.set_yticks([-3, 0, 3])  # few labels: text dominates a redraw
    ax_map.set_xlabel("$z_1$"), ax_map.set_ylabel("$z_2$")
    ax_map.set_title("test digits: posterior means $\\mu_\\phi(x)$", fontsize=10)
    image = ax_digit.imshow(np.zeros((8, 8)), cmap="gray_r", vmin=0, vmax=16)
    live.figure.colorbar(image, ax=ax_digit, ticks=[0, 8, 16]).set_label("mean grey level $E[x_i \\mid z]$")
    ax_digit.set_xticks([]), ax_digit.set_yticks([])
    z1 = slider("z1", 0.0, -3.0, 3.0, 0.1)
    z2 = slider("z2", 0.0, -3.0, 3.0, 0.1)

    def update():
        marker.set_data([z1.value], [z2.value])
        image.set_data(model.decode([[z1.value, z2.value]])[0])
        ax_digit.set_title(f"decoded at z = ({z1.value:.1f}, {z2.value:.1f})", fontsize=10)

    return explorer([z1, z2], live, update)
