"""The whole-network walk (nnengine/lessons/walk.py): every number is the engine's own for that
sample, agrees with its numerical gradient (the kink rule naming what cannot be checked), and the
book's chapter 9 batch gives what the book's code prints."""

import numpy as np
import pytest

import nnengine as nn
from nnengine.lessons import walk as lesson


@pytest.fixture(scope="module")
def book():
    return lesson.book_network(hidden=3)


def dense_and_act(model):
    return [(layer, model.layers[i + 1]) for i, layer in enumerate(model.layers) if isinstance(layer, nn.Dense)]


@pytest.mark.parametrize("hidden,trained", [(3, 0), (4, 0), (4, 100)])
def test_every_number_is_model_forward_and_backward_for_that_sample(hidden, trained):
    X, y, model = lesson.book_network(hidden=hidden, trained_epochs=trained)
    w = lesson.walk(model, X, y, 54)
    # The engine itself, on the same sample: the float32 model as it is, and its own backward pass.
    output = model.forward(X[54:55])
    np.testing.assert_allclose(w.output, output[0], rtol=1e-5)
    reference = lesson.as_float64(model)
    out = reference.forward(X[54:55].astype(np.float64))
    reference.backward(out, y[54:55])
    np.testing.assert_array_equal(w.output, out[0])
    for k, (dense, act) in enumerate(dense_and_act(reference), start=1):
        np.testing.assert_array_equal(w.columns[k].z, dense.output[0])
        np.testing.assert_array_equal(w.columns[k].a, act.output[0])
        np.testing.assert_array_equal(w.columns[k].dz, act.dinputs[0])
        np.testing.assert_array_equal(w.links[k - 1].dweights, dense.dweights)
        np.testing.assert_array_equal(w.links[k - 1].dbiases, dense.dbiases)
        np.testing.assert_array_equal(w.links[k - 1].dinputs, dense.dinputs[0])
        np.testing.assert_array_equal(w.columns[k - 1].da, dense.dinputs[0])
    assert w.loss == pytest.approx(reference.loss.calculate(out, y[54:55]), abs=0)
    # dW = x^T dz and db = dz for one sample, written out.
    np.testing.assert_allclose(w.links[0].dweights, np.outer(w.x[0], w.columns[1].dz), rtol=1e-12)
    np.testing.assert_allclose(w.links[0].dbiases[0], w.columns[1].dz, rtol=1e-12)


def test_the_output_gradient_is_p_minus_y_and_the_long_way_agrees(book):
    X, y, model = book
    w = lesson.walk(model, X, y, 54)
    one_hot = np.eye(3)[y[54]]
    np.testing.assert_allclose(w.output_gradient, w.output - one_hot, rtol=1e-12)
    dloss, jacobian, long = lesson.long_way(w.output, y[54])
    np.testing.assert_allclose(dloss, -one_hot / w.output, rtol=1e-12)
    np.testing.assert_allclose(jacobian, np.diag(w.output) - np.outer(w.output, w.output), rtol=1e-12)
    np.testing.assert_allclose(long, w.output_gradient, atol=1e-12)
    assert (w.output_gradient < 0).tolist() == [c == y[54] for c in range(3)]


def test_every_gradient_passes_the_numerical_check_away_from_kinks(book):
    X, y, model = book
    checks = lesson.numerical_check(lesson.walk(model, X, y, 54))
    assert [c.name for c in checks] == ["layer 0 weights", "layer 0 biases", "layer 2 weights", "layer 2 biases"]
    assert all(c.max_relative_error < 1e-6 and c.kink_count == 0 for c in checks)


def test_the_kink_rule_names_the_entries_at_the_origin(book):
    """At the origin every hidden sum is its bias, exactly 0: a +-h nudge of a hidden bias crosses
    ReLU's kink, so the finite difference is half the slope; those entries are named and left out."""
    X, y, model = book
    assert np.all(X[0] == 0)
    w = lesson.walk(model, X, y, 0)
    checks = {c.name: c for c in lesson.numerical_check(w)}
    biases = checks["layer 0 biases"]
    assert biases.kinks.all() and checks["layer 0 weights"].kink_count == 0
    assert np.all(biases.analytic == 0) and np.any(np.abs(biases.numerical) > 1e-6)   # why they are left out
    assert all(c.max_relative_error < 1e-6 for c in checks.values())


def test_a_broken_backward_rule_fails_the_walks_check(book):
    X, y, model = book
    broken = nn.Model([model.layers[0], nn.lessons.BrokenReLU(), model.layers[2], nn.Softmax()],
                      loss=nn.CategoricalCrossentropy())
    checks = lesson.numerical_check(lesson.walk(broken, X, y, 54))
    assert max(c.max_relative_error for c in checks) > 1e-3
    assert lesson.verdict(checks)[0] is False                   # the rounding floor does not hide it
    assert lesson.verdict(lesson.numerical_check(lesson.walk(model, X, y, 54)))[0] is True


def test_the_default_sample_is_away_from_the_origin_with_relus_on_and_off(book):
    X, y, model = book
    i = lesson.default_sample(X, model)
    assert np.abs(X[i]).sum() > 0.1
    z = lesson.walk(model, X, y, i).columns[1].z
    assert 0 < np.count_nonzero(z > 0) < len(z)


def test_the_steps_go_forward_then_backward_in_order(book):
    X, y, model = book
    w = lesson.walk(model, X, y, 54)
    titles = [s.title for s in w.steps]
    assert titles == ["the sample enters", "hidden: weighted sums", "hidden: ReLU", "outputs: weighted sums",
                      "outputs: softmax", "the loss", "the gradient at the output sums", "outputs: dW, db and dX",
                      "hidden: back through ReLU", "hidden: dW, db and dX"]
    assert w.steps[6].makes[0] == ("da", 2)        # the output's gradient (ui/walk_tex.py writes ŷ - y)
    with pytest.raises(ValueError, match="from 0 to 299"):
        lesson.walk(model, X, y, 300)


def test_one_update_moves_the_true_class_up(book):
    X, y, model = book
    w = lesson.walk(model, X, y, 54)
    step = lesson.sgd_update(w, 1.0)
    assert step.loss_after < step.loss_before
    c = y[54]
    assert step.output_after[c] > step.output_before[c]
    # The same by hand: W - rate * dW for every layer, forward again.
    net = lesson.as_float64(model)
    for dense, link in zip(net.dense_layers, w.links):
        dense.weights -= link.dweights
        dense.biases -= link.dbiases
    np.testing.assert_allclose(step.output_after, net.forward(w.x)[0], rtol=1e-12)


def test_a_batch_gradient_is_the_mean_of_the_per_sample_gradients(book):
    X, y, model = book
    result = lesson.batch_gradients(model, X, y, [54, 154, 254])
    for k in range(4):
        mean = np.mean([g[k] for g in result.per_sample], axis=0)
        np.testing.assert_allclose(result.batch[k], mean, rtol=1e-10, atol=1e-18)
    assert not np.allclose(result.per_sample[0][2], result.per_sample[1][2])     # the samples do differ


def test_the_chapter_9_batch_prints_the_books_numbers():
    ours = lesson.chapter_9_batch()
    printed = lesson.CHAPTER_9_PRINTED
    np.testing.assert_array_equal(np.float32(ours["first_outputs"]), np.float32(printed["first_outputs"]))
    assert np.float32(ours["loss"]) == np.float32(printed["loss"])
    assert ours["accuracy"] == printed["accuracy"]
    for name in ("dweights 1", "dbiases 1", "dweights 2", "dbiases 2"):
        # numpy prints a float32 with the digits that read back to the same float32: every bit equal.
        np.testing.assert_array_equal(ours[name], np.float32(printed[name]), err_msg=name)
    plain = lesson.chapter_9_batch(book_precision=False)          # a float32 product rounds its partial sums
    assert not np.array_equal(plain["dweights 1"], np.float32(printed["dweights 1"]))


def test_float64_moves_the_books_output_bias_gradient_in_the_third_digit():
    exact = lesson.chapter_9_float64()
    book = lesson.CHAPTER_9_PRINTED["dbiases 2"]
    relative = np.abs(exact["dbiases 2"] - book) / np.abs(exact["dbiases 2"])
    assert 1e-3 < relative.max() < 1e-2
    np.testing.assert_allclose(exact["dweights 2"], lesson.CHAPTER_9_PRINTED["dweights 2"], rtol=1e-5)


def binary_and_regression_models():
    rng = np.random.RandomState(3)
    X = rng.standard_normal((20, 2))
    binary = nn.Model([nn.Dense(2, 5, weight_scale=1.0, rng=rng), nn.Tanh(), nn.Dropout(0.2, rng=rng),
                       nn.Dense(5, 1, weight_scale=1.0, rng=rng), nn.Sigmoid()], loss=nn.BinaryCrossentropy())
    yb = (X[:, :1] > 0).astype(float)
    regression = nn.Model([nn.Dense(2, 4, weight_scale=1.0, rng=rng, weight_l2=1e-3), nn.ReLU(),
                           nn.Dense(4, 3, weight_scale=1.0, rng=rng), nn.ReLU(),
                           nn.Dense(3, 1, weight_scale=1.0, rng=rng), nn.Linear()], loss=nn.MeanSquaredError())
    yr = X[:, :1] * 2.0
    return X, (binary, yb), (regression, yr)


def test_sigmoid_and_regression_outputs_use_their_own_loss_gradient():
    X, (binary, yb), (regression, yr) = binary_and_regression_models()
    w = lesson.walk(binary, X, yb, 4)
    assert w.task == "binary" and w.dropout
    np.testing.assert_allclose(w.output_gradient, w.output - yb[4], rtol=1e-10)
    long, short = lesson.binary_gradient_is_p_minus_y(w.output, yb[4])
    np.testing.assert_allclose(long, short, rtol=1e-10)
    w = lesson.walk(regression, X, yr, 4)
    assert w.task == "regression" and len(w.columns) == 4
    np.testing.assert_allclose(w.output_gradient, -2 * (yr[4] - w.output), rtol=1e-10)
    assert w.steps[-1].title == "hidden 1: dW, db and dX"
    checks = lesson.numerical_check(w)           # L2 included in both the loss and the gradient
    assert all(c.max_relative_error < 1e-6 for c in checks)


def test_trained_first_is_the_books_chapter_10_loop_on_the_small_network():
    """Ch10_Final.py with Layer_Dense(2, 3) and Layer_Dense(3, 3) and range(100), run here, prints these
    weights and biases afterwards (recorded facts): the walk's 'Trained first: 100' network holds them."""
    printed_w1 = np.float32([[-0.26625937, -0.31996876, -0.9359704], [-0.07417803, -0.7221336, 0.28089565]])
    printed_b2 = np.float32([[0.20017363, 0.5838882, -0.6260061]])
    _, _, model = lesson.book_network(hidden=3, trained_epochs=100)
    np.testing.assert_array_equal(model.dense_layers[0].weights, printed_w1)
    np.testing.assert_array_equal(model.dense_layers[1].biases, printed_b2)

