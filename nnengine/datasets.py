"""Datasets to learn from: the book's spiral, vertical and sine data, TensorFlow Playground's
2-D shapes, and a real one, 8x8 handwritten digits.

Classification sets return X (n_samples, n_features) in ``dtype`` and y (n_samples,) integer
class labels; ``samples`` counts samples per class. Every random draw comes from ``rng``
(see nnengine.rng): with one shared ``RandomState(0)`` the book's sets come out exactly as the
book's code makes them. ``dtype`` is float32 (the default, as the book's ``nnfs.init()``) or float64.
"""

import gzip
from pathlib import Path

import numpy as np

from .checks import float_dtype, non_negative, positive_int
from .rng import as_rng, standard_normal

DIGITS_FILE = Path(__file__).parent / "data" / "digits.csv.gz"
DIGIT_MAX_COUNT = 16      # a digit pixel counts the "on" pixels of a 4x4 block: 0..16


def scale_digit_pixels(counts):
    """Block counts 0..16 -> inputs in [0, 1]: how ``digits(scale=True)`` feeds every image to a network,
    and so how any other 8x8 image (a drawn one) must be fed to the same network."""
    return np.asarray(counts, dtype=np.float64) / DIGIT_MAX_COUNT


def _labels(samples, classes):
    # samples of class 0, then samples of class 1, ...
    return np.repeat(np.arange(classes), samples)


def spiral(samples=100, classes=3, noise=0.2, *, rng=None, dtype=np.float32):
    """The book's spiral: each class is an arm winding out from the centre.

    Along an arm the radius r grows from 0 to 1 while the angle advances by 4 * 2.5 radians;
    ``noise`` (standard deviation) jitters the angle. X (samples * classes, 2).
    """
    dtype = float_dtype(dtype)
    samples, classes = positive_int(samples, "samples"), positive_int(classes, "classes")
    noise = non_negative(noise, "noise")
    rng = as_rng(rng)
    X = np.zeros((samples * classes, 2), dtype=dtype)
    for c in range(classes):
        rows = slice(samples * c, samples * (c + 1))
        r = np.linspace(0.0, 1, samples)
        t = np.linspace(c * 4, (c + 1) * 4, samples) + standard_normal(rng, samples, dtype) * noise
        X[rows] = np.c_[r * np.sin(t * 2.5), r * np.cos(t * 2.5)]
    return X, _labels(samples, classes)


def vertical(samples=100, classes=3, noise=0.1, *, rng=None, dtype=np.float32):
    """The book's vertical data: class c is a cloud around x = c / 3, y = 0.5."""
    dtype = float_dtype(dtype)
    samples, classes = positive_int(samples, "samples"), positive_int(classes, "classes")
    noise = non_negative(noise, "noise")
    rng = as_rng(rng)
    X = np.zeros((samples * classes, 2), dtype=dtype)
    for c in range(classes):
        rows = slice(samples * c, samples * (c + 1))
        x1 = standard_normal(rng, samples, dtype) * noise + c / 3
        x2 = standard_normal(rng, samples, dtype) * noise + 0.5
        X[rows] = np.c_[x1, x2]
    return X, _labels(samples, classes)


def sine(samples=1000, noise=0.0, *, rng=None, dtype=np.float32):
    """The book's regression data: y = sin(2 pi x) at ``samples`` evenly spaced x in [0, 1).

    X (samples, 1), y (samples, 1); ``noise`` adds normal noise of that standard deviation to y.
    """
    dtype = float_dtype(dtype)
    samples = positive_int(samples, "samples")
    X = np.arange(samples).reshape(-1, 1) / samples
    y = np.sin(2 * np.pi * X)
    if non_negative(noise, "noise"):
        y = y + noise * standard_normal(as_rng(rng), y.shape, np.float64)
    return X.astype(dtype), y.astype(dtype)


def xor(samples=100, noise=0.0, *, rng=None, dtype=np.float32):
    """Two classes in the four quadrants of [-1, 1]^2: class 1 where x1 and x2 share a sign
    (the exclusive-or pattern no single line separates). ``noise`` jitters the points."""
    dtype = float_dtype(dtype)
    samples, noise, rng = positive_int(samples, "samples"), non_negative(noise, "noise"), as_rng(rng)
    X = np.zeros((2 * samples, 2))
    for c in range(2):
        # Magnitudes keep a small margin from the axes so the quadrants are clean.
        magnitude = rng.uniform(0.05, 1.0, size=(samples, 2))
        sign1 = np.where(rng.uniform(size=samples) < 0.5, -1.0, 1.0)
        sign2 = sign1 if c == 1 else -sign1
        X[samples * c: samples * (c + 1)] = magnitude * np.c_[sign1, sign2]
    X += noise * rng.standard_normal(X.shape)
    return X.astype(dtype), _labels(samples, 2)


def circles(samples=100, noise=0.0, *, rng=None, dtype=np.float32):
    """Class 0 fills a disc of radius 0.5, class 1 a ring from radius 0.7 to 1."""
    dtype = float_dtype(dtype)
    samples, noise, rng = positive_int(samples, "samples"), non_negative(noise, "noise"), as_rng(rng)
    radius = np.r_[rng.uniform(0.0, 0.5, samples), rng.uniform(0.7, 1.0, samples)]
    angle = rng.uniform(0, 2 * np.pi, 2 * samples)
    X = np.c_[radius * np.cos(angle), radius * np.sin(angle)]
    X += noise * rng.standard_normal(X.shape)
    return X.astype(dtype), _labels(samples, 2)


def moons(samples=100, noise=0.1, *, rng=None, dtype=np.float32):
    """Two interleaved half circles, centred on the origin."""
    dtype = float_dtype(dtype)
    samples, noise, rng = positive_int(samples, "samples"), non_negative(noise, "noise"), as_rng(rng)
    t = rng.uniform(0, np.pi, 2 * samples)
    upper = np.c_[np.cos(t[:samples]), np.sin(t[:samples])]
    lower = np.c_[1 - np.cos(t[samples:]), 0.5 - np.sin(t[samples:])]
    X = (np.r_[upper, lower] - [0.5, 0.25]) / 1.5
    X += noise * rng.standard_normal(X.shape)
    return X.astype(dtype), _labels(samples, 2)


def blobs(samples=100, classes=3, noise=0.15, *, rng=None, dtype=np.float32):
    """Gaussian clouds with centres spaced evenly on a circle of radius 0.6; ``noise`` is each
    cloud's standard deviation."""
    dtype = float_dtype(dtype)
    samples, classes = positive_int(samples, "samples"), positive_int(classes, "classes")
    noise, rng = non_negative(noise, "noise"), as_rng(rng)
    angles = 2 * np.pi * np.arange(classes) / classes + np.pi / 2
    centres = 0.6 * np.c_[np.cos(angles), np.sin(angles)]
    X = np.repeat(centres, samples, axis=0) + noise * rng.standard_normal((samples * classes, 2))
    return X.astype(dtype), _labels(samples, classes)


def digits(*, scale=True, dtype=np.float32):
    """The 8x8 handwritten digits: 1797 images of 0..9, 10 classes.

    X (1797, 64): each row an 8x8 image read row by row, pixel counts 0..16, divided by 16
    when ``scale`` (into [0, 1]); y (1797,) the digit. Source and licence: data/README.md.
    """
    dtype = float_dtype(dtype)
    with gzip.open(DIGITS_FILE, "rt") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.float64)
    X, y = table[:, :64], table[:, 64].astype(np.int64)
    if scale:
        X = scale_digit_pixels(X)
    return X.astype(dtype), y


def split(X, y, share=0.2, *, rng=None):
    """Shuffle with ``rng`` and hold out ``share`` of the samples:
    returns (X_train, y_train, X_held_out, y_held_out)."""
    if len(X) != len(y):
        raise ValueError(f"{len(X)} samples but {len(y)} labels")
    share = float(share)
    if not 0 < share < 1:
        raise ValueError(f"the held-out share must be between 0 and 1, got {share}")
    n = len(X)
    held = int(round(n * share))
    if held < 1 or held >= n:
        raise ValueError(f"{n} samples are too few to hold out a share of {share}")
    order = as_rng(rng).permutation(n)
    test, train = order[:held], order[held:]
    return X[train], y[train], X[test], y[test]


# Input features for 2-D data, as TensorFlow Playground offers them: each maps X (n, 2) to a column.
FEATURES = {
    "x1": lambda X: X[:, 0],
    "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2,
    "x2^2": lambda X: X[:, 1] ** 2,
    "x1*x2": lambda X: X[:, 0] * X[:, 1],
    "sin(x1)": lambda X: np.sin(X[:, 0]),
    "sin(x2)": lambda X: np.sin(X[:, 1]),
}


def features(X, names=("x1", "x2")):
    """Columns computed from 2-D inputs, one per name in FEATURES: X (n, 2) -> (n, len(names)).

    A network fed x1^2 and x2^2 can separate circles with a single neuron; fed only x1 and x2 it
    needs a hidden layer to bend its boundary.
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"features are computed from 2-D inputs (n, 2), got shape {X.shape}")
    unknown = [name for name in names if name not in FEATURES]
    if unknown or not names:
        raise ValueError(f"unknown or no features {unknown}; choose from {list(FEATURES)}")
    return np.column_stack([FEATURES[name](X) for name in names]).astype(X.dtype, copy=False)
