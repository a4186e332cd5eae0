"""Chapter 7 explorer: the exact receptive field of a PixelCNN output pixel."""

import numpy as np

from ..pixelcnn import GatedPixelCNN, PixelCNN, dependency_category, dependency_map
from ..plot import DEPENDENCY_CMAP, dependency_legend
from ._live import LiveFigure, explorer, slider

__all__ = ["dependency_explorer"]

_SIZE = 8


def dependency_explorer(max_layers=6):
    """Sliders for the number of layers and the output pixel; plain and gated maps side by side.

    Each map is ``cvlab.pixelcnn.dependency_map`` of a model with that many
    layers, coloured by ``dependency_category``; the titles count the earlier
    pixels the output sees and those it cannot see.

    Parameters
    ----------
    max_layers : int
        The largest number of layers offered, 1 … 8.

    See Also
    --------
    cvlab.pixelcnn.dependency_map

    Taught in: 07_pixelcnn, "Receptive Field and Blind Spot".

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(dependency_explorer())]
    ['layers', 'row r', 'column c']
    """
    if isinstance(max_layers, bool) or not isinstance(max_layers, int) or not 1 <= max_layers <= 8:
        raise ValueError(f"max_layers must be an int from 1 to 8; got {max_layers!r}")
    rng = np.random.default_rng(0)
    models = {
        "plain PixelCNN": [PixelCNN(levels=3, channels=8, n_layers=n, rng=rng) for n in range(1, max_layers + 1)],
        "Gated PixelCNN": [GatedPixelCNN(levels=3, channels=8, n_layers=n, rng=rng) for n in range(1, max_layers + 1)],
    }
    live = LiveFigure(1, 2, size=(7.4, 3.4))
    images = {}
    for ax, name in zip(live.axes[0], models):
        images[name] = ax.imshow(np.zeros((_SIZE, _SIZE)), cmap=DEPENDENCY_CMAP, vmin=-0.5, vmax=3.5)
        edges = np.arange(_SIZE + 1) - 0.5  # pixel borders as two line collections: ticks would cost a redraw 1 s
        ax.vlines(edges, -0.5, _SIZE - 0.5, colors="white", linewidth=1.0)
        ax.hlines(edges, -0.5, _SIZE - 0.5, colors="white", linewidth=1.0)
        ax.set_xticks([]), ax.set_yticks([])
        ax.set_xlabel("column c →")
    live.axes[0, 0].set_ylabel("← row r")
    dependency_legend(live.axes[0, 1], loc="upper left", bbox_to_anchor=(1.03, 1.0), fontsize=8, frameon=False)
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
