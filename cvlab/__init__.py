"""cvlab: tested NumPy helpers behind the course's interactive notebooks.

Algorithm modules (NumPy and SciPy only): ``histogram``, ``pointops``.
Data: ``data``. Presentation: ``plot`` and ``widgets``. Exercises: ``exercises``.
"""

__version__ = "0.1.0"
