"""Datasets: the shapes, labels and ranges the pages plot and train on."""

import numpy as np
import pytest

import nnengine as nn

RANDOM_SETS = {
    "spiral": lambda **k: nn.datasets.spiral(50, 3, **k),
    "vertical": lambda **k: nn.datasets.vertical(50, 3, **k),
    "xor": lambda **k: nn.datasets.xor(50, noise=0.1, **k),
    "circles": lambda **k: nn.datasets.circles(50, noise=0.1, **k),
    "moons": lambda **k: nn.datasets.moons(50, **k),
    "blobs": lambda **k: nn.datasets.blobs(50, 3, **k),
}


@pytest.mark.parametrize("name", RANDOM_SETS)
def test_classification_sets_have_points_and_integer_labels(name):
    X, y = RANDOM_SETS[name](rng=0)
    classes = 3 if name in ("spiral", "vertical", "blobs") else 2
    assert X.shape == (50 * classes, 2) and X.dtype == np.float32
    assert y.shape == (50 * classes,) and y.dtype.kind in "iu"
    np.testing.assert_array_equal(np.bincount(y), [50] * classes)
    assert np.isfinite(X).all()


@pytest.mark.parametrize("name", RANDOM_SETS)
def test_same_seed_same_data_other_seed_other_data(name):
    make = RANDOM_SETS[name]
    X1, y1 = make(rng=1)
    X2, y2 = make(rng=1)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(make(rng=2)[0], X1)


@pytest.mark.parametrize("name", RANDOM_SETS)
def test_dtype_option(name):
    assert RANDOM_SETS[name](rng=0, dtype=np.float64)[0].dtype == np.float64


def test_spiral_arms_wind_out_from_the_centre():
    X, y = nn.datasets.spiral(100, 3, rng=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.max() <= 1.0 + 1e-6
    for c in range(3):
        arm = radius[y == c]
        np.testing.assert_allclose(arm, np.linspace(0, 1, 100), atol=1e-6)  # noise moves the angle only


def test_vertical_clouds_sit_at_thirds():
    X, y = nn.datasets.vertical(500, 3, rng=0)
    for c in range(3):
        centre = X[y == c].mean(axis=0)
        np.testing.assert_allclose(centre, [c / 3, 0.5], atol=0.02)
        np.testing.assert_allclose(X[y == c].std(axis=0), [0.1, 0.1], atol=0.02)


def test_sine_is_one_period_on_the_unit_interval():
    X, y = nn.datasets.sine()
    assert X.shape == y.shape == (1000, 1) and X.dtype == y.dtype == np.float32
    assert X[0, 0] == 0 and X[-1, 0] == pytest.approx(0.999) and np.all(np.diff(X[:, 0]) > 0)
    np.testing.assert_allclose(y, np.sin(2 * np.pi * X.astype(np.float64)), atol=1e-6)
    noisy_a, noisy_b = nn.datasets.sine(noise=0.1, rng=3)[1], nn.datasets.sine(noise=0.1, rng=3)[1]
    np.testing.assert_array_equal(noisy_a, noisy_b)
    assert 0.05 < float(np.std(noisy_a - y)) < 0.15


def test_xor_classes_by_quadrant():
    X, y = nn.datasets.xor(200, rng=0)
    assert np.abs(X).max() <= 1.0
    same_sign = np.sign(X[:, 0]) == np.sign(X[:, 1])
    np.testing.assert_array_equal(same_sign, y == 1)


def test_circles_inner_disc_and_outer_ring():
    X, y = nn.datasets.circles(200, rng=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius[y == 0].max() <= 0.5 + 1e-6
    assert radius[y == 1].min() >= 0.7 - 1e-6 and radius[y == 1].max() <= 1.0 + 1e-6


def test_moons_are_two_separate_half_circles():
    X, y = nn.datasets.moons(200, noise=0.0, rng=0)
    assert np.abs(X).max() <= 1.0
    # without noise every point lies on its own half circle of radius 1 / 1.5
    upper = X[y == 0] * 1.5 + [0.5, 0.25]
    lower = X[y == 1] * 1.5 + [0.5, 0.25]
    np.testing.assert_allclose(np.hypot(*upper.T), 1, atol=1e-5)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1, atol=1e-5)


def test_blobs_centres_on_a_circle():
    X, y = nn.datasets.blobs(400, 4, noise=0.05, rng=0)
    centres = np.array([X[y == c].mean(axis=0) for c in range(4)])
    np.testing.assert_allclose(np.hypot(*centres.T), 0.6, atol=0.02)


def test_digits_are_the_shipped_8x8_images():
    X, y = nn.datasets.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype.kind in "iu"
    assert set(np.unique(y)) == set(range(10))
    assert np.bincount(y).min() >= 170
    assert X.min() == 0.0 and X.max() == 1.0
    raw, _ = nn.datasets.digits(scale=False)
    assert raw.max() == 16 and np.array_equal(raw, np.round(raw))
    np.testing.assert_allclose(raw / 16, X)


def test_split_holds_out_a_share_and_keeps_pairs_together():
    X = np.arange(100, dtype=float).reshape(50, 2)
    y = np.arange(50)
    X_train, y_train, X_test, y_test = nn.datasets.split(X, y, 0.2, rng=0)
    assert len(X_test) == len(y_test) == 10 and len(X_train) == len(y_train) == 40
    np.testing.assert_array_equal(X_train[:, 0], 2 * y_train)  # rows stay with their labels
    np.testing.assert_array_equal(X_test[:, 0], 2 * y_test)
    assert sorted(np.r_[y_train, y_test]) == list(range(50))
    again = nn.datasets.split(X, y, 0.2, rng=0)
    np.testing.assert_array_equal(again[3], y_test)
    assert not np.array_equal(nn.datasets.split(X, y, 0.2, rng=1)[3], y_test)


@pytest.mark.parametrize("share", [0, 1, -0.1, 1.5])
def test_split_share_must_be_between_0_and_1(share):
    with pytest.raises(ValueError, match="share"):
        nn.datasets.split(np.zeros((10, 2)), np.zeros(10), share)


def test_dataset_sizes_must_be_positive():
    with pytest.raises(ValueError, match="samples"):
        nn.datasets.spiral(0, 3)
    with pytest.raises(ValueError, match="classes"):
        nn.datasets.vertical(10, 0)
    with pytest.raises(ValueError, match="noise"):
        nn.datasets.moons(10, noise=-1)
