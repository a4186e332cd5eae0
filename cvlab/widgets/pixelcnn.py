"""Chapter 7 explorer: the exact receptive field of a PixelCNN output pixel."""

import numpy as np

from ..pixelcnn import GatedPixelCNN, PixelCNN, dependency_category, dependency_map
from ..plot import DEPENDENCY_CMAP
from ._live import LiveFigure, explorer, slider

__all__ = ["dependency_explorer"]

_SIZE = 8


def dependency_explorer(max_layers=6):
    """Sliders for the number of layers and the output pixel; plain and gated maps side by side.

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(dependency_explorer())]
    ['layers', 'row r', 'column c']
    """
    rng = np.random.default_rng(0)
    models = {
        "plain PixelCNN": [PixelCNN(levels=3, channels=8, n_layers=n, rng=rng) for n in range(1, max_layers + 1)],
        "Gated PixelCNN": [GatedPixelCNN(levels=3, channels=8, n_layers=n, rng=rng) for n in range(1, max_layers + 1)],
    }
    live = LiveFigure(1, 2, size=(7.0, 3.6))
    images = {}
    for ax, name in zip(live.axes[0], models):
        images[name] = ax.imshow(np.zeros((_SIZE, _SIZE)), cmap=DEPENDENCY_CMAP, vmin=-0.5, vmax=3.5)
        ax.set_xticks([]), ax.set_yticks([])
    live.figure.text(0.5, 0.02, "blue: input pixels the output depends on   red: earlier pixels it cannot see"
                     "   amber: the output pixel", ha="center", fontsize=9)
    layers = slider("layers", 3, 1, max_layers)
    row = slider("row r", 5, 0, _SIZE - 1)
    col = slider("column c", 3, 0, _SIZE - 1)

    def update():
        position = (row.value, col.value)
        for ax, (name, stack) in zip(live.axes[0], models.items()):
            labels = dependency_category(dependency_map(stack[layers.value - 1], position), position)
            images[name].set_data(labels)
            ax.set_title(f"{name}, {layers.value} layers\nseen {np.sum(labels == 2)}, "
                         f"earlier but unseen {np.sum(labels == 1)}", fontsize=10)

    return explorer([layers, row, col], live, update)
