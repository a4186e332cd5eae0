"""Interactive explorers, one explorer per idea, each callable with no arguments.

Each factory returns an ipywidgets container whose figure is updated in place
on every control change (see ``_live.py``). ``make bench`` times every name
listed in ``__all__``.

>>> from cvlab import widgets
>>> box = widgets.point_ops_explorer()
>>> type(box).__name__
'ExplorerBox'
"""

from .attention import attention_explorer
from .convolution import receptive_field_explorer, shift_invariance_explorer
from .edges import canny_explorer, canny_stages_explorer
from .features import harris_explorer, homography_explorer, rotation_explorer, ssd_surface_explorer
from .filters import gaussian_explorer, output_size_explorer
from .histogram import pixel_window_explorer
from .pixelcnn import dependency_explorer
from .pointops import point_ops_explorer, shift_explorer
from .vae import latent_explorer

__all__ = [
    "pixel_window_explorer",
    "point_ops_explorer",
    "shift_explorer",
    "output_size_explorer",
    "gaussian_explorer",
    "shift_invariance_explorer",
    "receptive_field_explorer",
    "canny_explorer",
    "canny_stages_explorer",
    "dependency_explorer",
    "ssd_surface_explorer",
    "harris_explorer",
    "rotation_explorer",
    "homography_explorer",
    "latent_explorer",
    "attention_explorer",
]
