"""One BLAS thread for the model benchmarks, as the notebooks run: import this module before NumPy.

The models' matrix products are small, and on the shared 2-core machine a multi-threaded BLAS
is several times slower (measured: gated PixelCNN 73 s vs 324 s); results are identical either way.
The variables only take effect if NumPy is not loaded yet.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
