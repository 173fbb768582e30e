"""Where the engine's random numbers come from.

Every function or class that draws random numbers takes ``rng=``. Passing ONE shared
``np.random.RandomState(0)`` to the data, then to the layers, then to the validation data
reproduces the book's code exactly, because the book seeds numpy once and then draws in that
order. Nothing in the engine touches numpy's global random state.
"""

import numpy as np


def as_rng(rng=None):
    """Turn an ``rng=`` argument into a random generator.

    - a ``np.random.RandomState`` or ``np.random.Generator``: used as it is, so a shared object
      keeps drawing where it left off;
    - an int: a fresh ``RandomState(int)``, so the same int gives the same numbers every call;
    - None: a fresh, unseeded ``RandomState`` (different numbers every run).
    """
    if isinstance(rng, (np.random.RandomState, np.random.Generator)):
        return rng
    if rng is None:
        return np.random.RandomState()
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"a seed must be zero or positive, got {rng}")
        return np.random.RandomState(int(rng))
    raise TypeError(
        f"rng must be a RandomState, a Generator, an int seed or None, not {type(rng).__name__}"
    )


def standard_normal(rng, shape, dtype=np.float32):
    """Draw standard normal numbers (mean 0, standard deviation 1) in ``dtype``.

    ``RandomState.randn`` and ``RandomState.standard_normal`` draw the same stream; the cast to
    float32 matches the book, whose setup makes numpy's ``randn`` return float32.
    """
    return rng.standard_normal(shape).astype(dtype, copy=False)
