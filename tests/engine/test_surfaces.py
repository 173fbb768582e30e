"""nnengine.lessons.surfaces: 2-D loss surfaces and optimizer races run by the engine's optimizers."""

import warnings

import numpy as np
import pytest

import nnengine as nn
from nnengine import lessons
from nnengine.lessons import surfaces

SURFACES = [lessons.Bowl(1.0), lessons.Bowl(10.0), lessons.Bowl(100.0), lessons.Valley(), lessons.Saddle(),
            lessons.NetworkLoss()]
POINTS = [(-3.5, 2.5), (0.3, -1.7), (2.0, 0.0), (1.1, 3.9), (-0.4, 0.05)]


def numerical_gradient(surface, w, h=1e-6):
    w = np.asarray(w, dtype=np.float64)
    return np.array([(surface.value(w + h * e) - surface.value(w - h * e)) / (2 * h) for e in np.eye(2)])


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: f"{s.key}")
@pytest.mark.parametrize("w", POINTS)
def test_gradient_matches_the_numerical_gradient(surface, w):
    analytic = surface.gradient(np.array(w))
    numeric = numerical_gradient(surface, w)
    assert analytic.shape == (2,)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: f"{s.key}")
def test_the_lowest_points_have_zero_loss_and_zero_gradient(surface):
    assert surface.minima[0] == surface.minimum
    for lowest in surface.minima:
        assert surface.value(np.array(lowest)) == pytest.approx(0, abs=1e-12)
        np.testing.assert_allclose(surface.gradient(np.array(lowest)), 0, atol=1e-12)
    _, _, values = surface.grid(31)
    assert values.min() >= -1e-15


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: f"{s.key}")
def test_value_is_vectorised_over_a_grid(surface):
    xs, ys, values = surface.grid(7)
    assert xs.shape == ys.shape == (7,) and values.shape == (7, 7)
    for i, j in [(0, 0), (2, 5), (6, 3)]:
        assert values[i, j] == pytest.approx(float(surface.value(np.array([xs[j], ys[i]]))), rel=1e-12, abs=1e-15)


def test_network_surface_is_the_engines_loss_of_a_1_2_1_tanh_network():
    """The same numbers as building the network from engine layers by hand."""
    surface = lessons.NetworkLoss()
    w = np.array([0.7, -1.2])
    hidden = nn.Dense(1, 2, dtype=np.float64, weight_scale=0.0)
    hidden.weights[:] = w.reshape(1, 2)
    hidden.biases[:] = [0.5, -0.5]
    out = nn.Dense(2, 1, dtype=np.float64, weight_scale=0.0)
    out.weights[:] = [[1.0], [-1.0]]
    X = np.linspace(-2, 2, 21).reshape(-1, 1)
    targets = np.tanh(1.5 * X + 0.5) - np.tanh(0.5 * X - 0.5)
    expected = nn.MeanSquaredError().calculate(out.forward(nn.Tanh().forward(hidden.forward(X))), targets)
    assert surface.value(w) == pytest.approx(expected, rel=1e-12)
    assert surface.value(w[None, None, :])[0, 0] == pytest.approx(expected, rel=1e-12)   # the wide-layer path


def test_bowl_needs_conditioning_of_at_least_one():
    with pytest.raises(ValueError, match="at least 1"):
        lessons.Bowl(0.5)
    with pytest.raises(ValueError, match="unknown surface"):
        lessons.make_surface("volcano")


def test_make_surface_builds_each_by_its_key():
    assert isinstance(lessons.make_surface("bowl", 25), lessons.Bowl)
    assert lessons.make_surface("bowl", 25).conditioning == 25
    assert [type(lessons.make_surface(k)).__name__ for k in ("valley", "saddle", "network")] == \
        ["Valley", "Saddle", "NetworkLoss"]


def test_race_with_sgd_matches_a_hand_written_step():
    surface, lr, start = lessons.Valley(), 0.2, (-3.0, -1.5)
    run = lessons.race(surface, nn.SGD(learning_rate=lr), start, 40)
    w = np.array(start)
    expected = [w.copy()]
    for _ in range(40):
        w = w - lr * surface.gradient(w)              # w <- w - lr * g
        expected.append(w.copy())
    np.testing.assert_allclose(run.path, expected, rtol=1e-12)
    assert run.path.shape == (41, 2) and run.losses.shape == (41,) and run.learning_rates.shape == (40,)
    np.testing.assert_allclose(run.losses, [surface.value(p) for p in expected], rtol=1e-12)
    assert run.diverged_at is None and not run.diverged


def test_race_with_momentum_matches_a_hand_written_step():
    surface, lr, mu = lessons.Bowl(20.0), 0.1, 0.9
    run = lessons.race(surface, nn.SGD(learning_rate=lr, momentum=mu), (-3.5, 2.5), 30)
    w, v = np.array([-3.5, 2.5]), np.zeros(2)
    for _ in range(30):
        v = mu * v - lr * surface.gradient(w)         # v <- mu v - lr g;  w <- w + v
        w = w + v
    np.testing.assert_allclose(run.path[-1], w, rtol=1e-12)


def test_race_steps_through_the_optimizer_it_is_given():
    """The optimizer's own step does the moving: a subclass sees every call, with a Point."""
    calls = []

    class Watched(nn.Adam):
        def step(self, layers):
            calls.append(type(layers).__name__)
            super().step(layers)

    optimizer = Watched(learning_rate=0.1)
    run = lessons.race(lessons.Saddle(), optimizer, (-3.5, 0.05), 25)
    assert calls == ["Point"] * 25
    assert optimizer.iterations == 25
    assert run.settings == optimizer.config()
    # A factory works too, and gives the same walk.
    again = lessons.race(lessons.Saddle(), lambda: nn.Adam(learning_rate=0.1), (-3.5, 0.05), 25)
    np.testing.assert_array_equal(again.path, run.path)


def test_a_point_is_moved_like_a_layer():
    point = lessons.Point((1.0, -2.0))
    assert point.weights.dtype == np.float64 and point.weights.shape == (2,)
    point.dweights = np.array([0.5, -1.0])
    nn.SGD(learning_rate=0.1).step(point)
    np.testing.assert_allclose(point.weights, [0.95, -1.9])


def test_divergence_is_detected_not_raised():
    """SGD on the bowl with lr 3: the y-coordinate is multiplied by 1 - 3 = -2 each step, so
    2.5 * 2^k first passes 1000 at step 9."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")               # no overflow warnings escape either
        run = lessons.race(lessons.Bowl(10), nn.SGD(learning_rate=3.0), (-3.5, 2.5), 100)
    assert run.diverged and run.diverged_at == 9
    assert run.path.shape == (9, 2) and run.losses.shape == (9,)
    assert np.all(np.isfinite(run.path)) and np.all(np.isfinite(run.losses))
    assert run.path[-1, 1] == pytest.approx(2.5 * (-2) ** 8)


@pytest.mark.parametrize("optimizer", [nn.SGD(learning_rate=10.0), nn.SGD(learning_rate=10.0, momentum=0.99),
                                       nn.Adagrad(learning_rate=10.0), nn.RMSprop(learning_rate=10.0),
                                       nn.Adam(learning_rate=10.0)], ids=repr)
def test_huge_steps_on_a_quartic_surface_stop_cleanly(optimizer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = lessons.race(lessons.Saddle(), optimizer, (4.0, 4.0), 300)
    assert np.all(np.isfinite(run.path)) and np.all(np.isfinite(run.losses))
    assert np.abs(run.path).max() <= surfaces.LIMIT
    if run.diverged:
        assert len(run.path) == run.diverged_at


def test_race_all_runs_every_optimizer_with_its_settings():
    runs = lessons.race_all(lessons.Bowl(10), (-3.5, 2.5), 50)
    assert list(runs) == ["SGD", "SGD with momentum", "Adagrad", "RMSprop", "Adam"]
    assert runs["SGD with momentum"].settings["momentum"] == 0.9
    assert runs["Adam"].settings["beta_2"] == 0.999
    for name, run in runs.items():
        assert run.settings["learning_rate"] == lessons.RACERS[name]["learning_rate"]
        assert not run.diverged and run.losses[-1] < run.losses[0]


def test_make_optimizer_passes_only_the_settings_each_one_takes():
    sgd = lessons.make_optimizer("SGD", learning_rate=0.5, momentum=0.9, rho=0.5)
    assert isinstance(sgd, nn.SGD) and sgd.momentum == 0
    assert lessons.make_optimizer("SGD with momentum", learning_rate=0.5, momentum=0.9).momentum == 0.9
    assert lessons.make_optimizer("RMSprop", learning_rate=0.5, rho=0.5, beta_1=0.1).rho == 0.5
    with pytest.raises(ValueError, match="unknown optimizer"):
        lessons.make_optimizer("Nesterov")


@pytest.mark.parametrize("kind", [nn.SGD, nn.Adagrad, nn.RMSprop, nn.Adam])
def test_decay_curve_is_the_books_formula(kind):
    rates = lessons.decay_curve(kind(learning_rate=0.5, decay=0.1), 30)
    t = np.arange(30)
    np.testing.assert_allclose(rates, 0.5 / (1 + 0.1 * t), rtol=1e-12)
    assert rates[0] == 0.5 and rates[10] == pytest.approx(0.25)      # halved at t = 1 / decay


def test_decay_curve_without_decay_is_flat_and_race_records_the_rates():
    assert np.all(lessons.decay_curve(nn.Adam(learning_rate=0.2), 10) == 0.2)
    run = lessons.race(lessons.Bowl(10), nn.SGD(learning_rate=0.4, decay=0.05), (-3.5, 2.5), 20)
    np.testing.assert_allclose(run.learning_rates, 0.4 / (1 + 0.05 * np.arange(20)), rtol=1e-12)


def test_curvatures_are_the_hessians_eigenvalues():
    np.testing.assert_allclose(lessons.curvatures(lessons.Bowl(10), (0, 0)), [0.1, 1.0], rtol=1e-6)
    # The valley at its minimum (2, 0): Hessian [[1/20 + x^2/2, -x/2], [-x/2, 1/2]].
    expected = np.linalg.eigvalsh(np.array([[0.05 + 2.0, -1.0], [-1.0, 0.5]]))
    np.testing.assert_allclose(lessons.curvatures(lessons.Valley(), (2, 0)), expected, rtol=1e-5)
    # The saddle point: curving up along x, down along y.
    np.testing.assert_allclose(lessons.curvatures(lessons.Saddle(), (0, 0)), [-1.0, 0.5], rtol=1e-6)


def test_sgd_settles_below_two_over_the_curvature_and_diverges_above():
    bowl = lessons.Bowl(10)
    limit = 2 / lessons.curvatures(bowl, bowl.minimum)[-1]
    assert not lessons.race(bowl, nn.SGD(learning_rate=0.95 * limit), bowl.start, 300).diverged
    assert lessons.race(bowl, nn.SGD(learning_rate=1.05 * limit), bowl.start, 300).diverged


def test_a_mirrored_start_on_the_network_never_leaves_the_line():
    """On y = -x the two tanh neurons mirror each other: every optimizer stays on the line."""
    for run in lessons.race_all(lessons.NetworkLoss(), (2.0, -2.0), 100).values():
        np.testing.assert_allclose(run.path[:, 0], -run.path[:, 1], atol=1e-12)


def test_first_step_below():
    run = lessons.race(lessons.Bowl(1), nn.SGD(learning_rate=0.5), (2.0, 0.0), 10)   # loss 2 * 0.25^k
    assert lessons.first_step_below(run, 0.01) == 4
    assert lessons.first_step_below(run, -1) is None
