"""Loaded before any test module imports numpy: one BLAS thread for every test.

The engine's matrices are small, where a multi-threaded BLAS is slower (its idle threads spin on a
busy 2-core machine) and sums in a different order, so results would depend on the machine's load.
"""

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
