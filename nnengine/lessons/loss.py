"""Loss: a small regression to measure squared and absolute error on."""

import numpy as np

# ---- loss on a small regression ---------------------------------------------------------------


def regression_points(outlier=False):
    """Eight points near the line y = 1 + 0.5 x (fixed noise drawn from RandomState(0)).

    With ``outlier`` the last point is moved 4 units up, to show how one bad point pulls each
    loss: squared error grows with the square of that miss, absolute error only with its size.
    Returns x (8,), y (8,), float64.
    """
    x = np.arange(8) * 0.5
    y = 1 + 0.5 * x + 0.15 * np.random.RandomState(0).standard_normal(8)
    if outlier:
        y[-1] += 4.0
    return x, y


def best_lines(outlier, slopes, intercepts):
    """The lines y = intercept + slope x with the smallest mean absolute and mean squared error
    on regression_points(outlier), searched over every pair of ``slopes`` x ``intercepts``.
    Returns {"mae": (slope, intercept, error), "mse": (slope, intercept, error), "mae ties": [...],
    "mse ties": [...]}, each ties list every (slope, intercept) whose error equals the smallest (up to
    rounding, 1e-9).

    The absolute error's smallest value is often shared: between two points the sum of distances
    |a - t| + |b - t| is the same for every t between them, so an L1 fit can tilt or shift a little
    at no cost and several lines tie. Squared error has one best line."""
    x, y = regression_points(outlier)
    slope, intercept = np.meshgrid(np.asarray(slopes, dtype=float), np.asarray(intercepts, dtype=float))
    misses = intercept[..., None] + slope[..., None] * x - y                 # (intercepts, slopes, 8)
    best = {}
    for name, errors in (("mae", np.abs(misses).mean(-1)), ("mse", (misses ** 2).mean(-1))):
        at = np.unravel_index(errors.argmin(), errors.shape)
        best[name] = (float(slope[at]), float(intercept[at]), float(errors[at]))
        tied = np.argwhere(errors <= errors[at] + 1e-9)
        best[f"{name} ties"] = sorted((float(slope[tuple(i)]), float(intercept[tuple(i)])) for i in tied)
    return best
