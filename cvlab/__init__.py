"""cvlab: tested NumPy helpers behind the course's interactive notebooks.

Algorithm modules (NumPy and SciPy only): ``histogram``, ``pointops``,
``filters`` (padding, correlation, Gaussian and separable filters, noise), ``convolution``,
``pixelcnn`` (a package: PixelCNN in NumPy), ``features`` (Harris corners, matching, RANSAC),
``edges`` (image derivatives, LoG, Canny).
Data: ``data``. Presentation: ``plot`` and ``widgets``. Exercises: ``exercises``.
"""

__version__ = "0.1.0"
