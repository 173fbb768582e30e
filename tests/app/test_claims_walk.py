"""Every claim of the whole-network walk is true: each predict-then-check answer and each stated
number or verdict, in the scenario where the page states it, against the engine's own numbers."""

import re

import numpy as np
import pytest
from conftest import open_page as open_app
from conftest import texts

from nnengine.lessons import walk as lesson

PAGE = "app_pages/backprop.py"


def open_page(query=None):
    return open_app(PAGE, query, timeout=120)


def answers(at):
    """The walk's predict-then-check answers, in order (the expanders after its heading)."""
    marks = texts(at.markdown)
    start = marks.index("**Predict, then check (the walk)**")
    return [m for m in marks[start:] if m.startswith(("Output", "Neuron", "None:", "Yes:", "No:"))]


def walk_of(hidden=3, trained=0, index=54):
    X, y, model = lesson.book_network(hidden=hidden, trained_epochs=trained)
    return lesson.walk(model, X, y, index), (X, y, model)


@pytest.mark.parametrize("query,hidden,trained,index", [
    ({}, 3, 0, 54),
    ({"walk_trained": "1000", "walk_sample": "250", "walk_hidden": "4"}, 4, 1000, 250),
])
def test_which_output_gradient_is_negative(query, hidden, trained, index):
    at = open_page(query)
    w, _ = walk_of(hidden, trained, index)
    c = int(w.target[0])
    answer = answers(at)[0]
    negative = [j + 1 for j, g in enumerate(w.output_gradient) if g < 0]
    assert negative == [c + 1]                                     # the fact the answer teaches
    assert answer.startswith(f"Output {c + 1}: the sample's class is {c}")
    assert f"{w.output[c]:.6f} - 1 = {w.output_gradient[c]:.6f}" in answer
    assert all(g > 0 for j, g in enumerate(w.output_gradient) if j != c)


@pytest.mark.parametrize("index", [54, 7])
def test_which_hidden_neurons_get_no_gradient(index):
    at = open_page({"walk_sample": str(index)})
    w, _ = walk_of(index=index)
    off = [j for j, z in enumerate(w.columns[1].z) if z <= 0]
    answer = answers(at)[1]
    if off:
        assert answer.startswith("Neuron") and ", ".join(str(j + 1) for j in off) in answer.split(":")[0]
        assert np.all(w.links[0].dweights[:, off] == 0) and np.all(w.links[0].dbiases[0, off] == 0)
    else:
        assert answer.startswith("None:")
    on = [j for j in range(len(w.columns[1].z)) if j not in off]
    assert np.all(w.links[0].dweights[:, on] != 0)


@pytest.mark.parametrize("rate", ["1", "0.001"])
def test_one_update_and_what_moved(rate):
    at = open_page({"walk_lr": rate})
    w, _ = walk_of()
    step = lesson.sgd_update(w, float(rate))
    answer = answers(at)[2]
    assert answer == (f"{'Yes' if step.loss_after < step.loss_before else 'No'}: {step.loss_before:.6f} → "
                      f"{step.loss_after:.6f}.")
    c = int(w.target[0])
    caption = next(t for t in texts(at.caption) if t.startswith("The true class's probability went"))
    assert ("went up" in caption) == (step.output_after[c] > step.output_before[c])
    assert ("loss fell" in caption) == (step.loss_after < step.loss_before)
    # "raises the true class's bias and lowers the others'": b - rate * (p - y).
    net = lesson.as_float64(w.model)
    new_bias = net.dense_layers[1].biases[0] - float(rate) * w.links[1].dbiases[0]
    change = new_bias - net.dense_layers[1].biases[0]
    assert change[c] > 0 and all(change[j] < 0 for j in range(3) if j != c)


def test_the_numerical_check_verdict_and_the_kink_rule_at_the_origin():
    at = open_page()
    w, _ = walk_of()
    worst = max(c.max_relative_error for c in lesson.numerical_check(w))
    assert any(f"largest relative error {worst:.1e}" in s for s in texts(at.success))
    at = open_page({"walk_sample": "0"})
    w, _ = walk_of(index=0)
    checks = lesson.numerical_check(w)
    kinked = sum(c.kink_count for c in checks)
    assert kinked == 3
    message = next(s for s in texts(at.success) if "Every gradient of this sample" in s)
    assert f"{kinked} entries are left out" in message
    assert all(c.max_relative_error < 1e-6 for c in checks)


def test_the_long_way_agrees_to_rounding():
    at = open_page()
    w, _ = walk_of()
    _, _, long = lesson.long_way(w.output, w.target[0])
    line = next(m for m in texts(at.markdown) if m.startswith("The two agree to"))
    gap = float(re.search(r"agree to (\S+) \(rounding\)", line).group(1))
    assert gap == float(f"{np.abs(long - w.output_gradient).max():.1e}") and gap < 1e-12


def test_the_batch_gradient_is_the_mean_of_the_samples():
    at = open_page({"walk_batch": "4"})
    w, (X, y, model) = walk_of()
    indices = [54, 129, 204, 279]
    result = lesson.batch_gradients(model, X, y, indices)
    caption = next(t for t in texts(at.caption) if t.startswith("Samples 54, 129, 204, 279"))
    gap = float(re.search(r"differ by at most (\S+) \(float64 rounding\)", caption).group(1))
    mean = np.mean([g[3] for g in result.per_sample], axis=0)
    assert gap == float(f"{np.abs(mean - result.batch[3]).max():.1e}") and gap < 1e-15


def test_the_chapter_9_numbers_are_the_books():
    at = open_page()
    caption = next(t for t in texts(at.caption) if "gradient numbers the book prints" in t)
    assert caption.startswith("All 21 gradient numbers the book prints are identical to nnengine's float32 ones")
    stated = "The book's loss 1.0986104 and accuracy 0.34: nnengine gives 1.0986104 and 0.34 (the same)"
    assert stated in caption, caption
    ours = lesson.chapter_9_batch()
    for name in ("dweights 1", "dbiases 1", "dweights 2", "dbiases 2"):
        np.testing.assert_array_equal(ours[name], np.float32(lesson.CHAPTER_9_PRINTED[name]))
    # "the largest relative difference ... in dbiases 2 entry k: a sum over 300 samples whose terms nearly cancel"
    name, entry = re.search(r"in (dbiases \d|dweights \d) entry (\d+)", caption).groups()
    assert name == "dbiases 2"
    X, y, model = lesson.book_network()
    net = lesson.as_float64(model)
    p = net.forward(X.astype(np.float64))
    terms = (p - np.eye(3)[y])[:, int(entry)] / len(X)
    assert abs(terms.sum()) < 0.01 * np.abs(terms).sum()
