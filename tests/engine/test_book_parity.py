"""The book's chapters run to the end in nnengine, against what the book's own code prints.

``nnengine.book`` holds each chapter's settings (CHAPTERS), the lines its final script printed
when run on this machine (PRINTED) and ``build``, which sets the chapter up the book's way. The
parity, checked below (the same table is in nnengine/book.py and the README):

| chapter | float32 with book precision (the book's own output) | float64 (the book's code run in float64) |
| --- | --- | --- |
| 10, 14, 16 | every printed digit: the final epoch line with its lr, the validation line | the same (per BLAS kernel) |
| 15 | acc / loss 0.632 / 0.784 (book 0.694 / 0.703), validation 0.677 / 0.731 (0.740 / 0.671); lr exact | not run |
| 17 | accuracy 0.983 (book 0.981); loss, data_loss, reg_loss 0.000 and the lr exact | not run |

Where 15 and 17 differ, the book's own code mixes float64 into its float32 run, which the engine
does not copy (it would need a second dtype for some parameters' gradients and Adam memories):
chapter 15's dropout mask `binomial(...) / 0.9` is float64, so the dropout output, the gradients
through it, layer 1's bias gradients and their Adam memories are float64; chapter 17's sine data is
float64 (nnfs's `sine_data` ignores `nnfs.init()`), so the first product, the loss, its gradient, the
last layer's bias gradients and their Adam memories are float64. (The issue also named chapter 16:
run here, its script stays float32 throughout, and the engine prints its lines exactly.)
The book's chapters 15 and 17 were not run in float64 (the longest runs), so that column makes no
claim for them. The float32 lines are the same on every machine (the book's precision workaround sums
each product in float64); the float64 lines depend on the kernel OpenBLAS picks for the processor, so
they are recorded per kernel (book.PRINTED_FLOAT64) and compared on a kernel that has a record.

The long runs are marked slow (seconds each on an idle machine; CI runs them).
"""

import numpy as np
import pytest
import threadpoolctl

import nnengine as nn
from nnengine import book

slow = pytest.mark.slow


def trained(number, dtype, book_precision):
    """(run, validation scores or None) after the chapter's 10 001 epochs."""
    run = book.build(number, dtype=dtype, book_precision=book_precision)
    run.model.fit(run.X, run.y, **run.fit_kwargs)
    validation = run.draw_validation()
    return run, None if validation is None else run.model.evaluate(*validation)


# -- fast: the settings and the printing ------------------------------------------------------------


def test_the_printed_numbers_are_read_from_the_printed_lines():
    printed = book.PRINTED[14]
    assert (printed.accuracy, printed.loss, printed.data_loss, printed.reg_loss) == (0.950, 0.226, 0.165, 0.062)
    assert printed.learning_rate == 0.019900507413187767
    assert (printed.val_accuracy, printed.val_loss) == (0.840, 0.525)
    assert set(book.PRINTED) == set(book.CHAPTERS) == {10, 14, 15, 16, 17}


def test_build_sets_each_chapter_up_as_its_script_does():
    shapes = {10: [(2, 64), (64, 3)], 14: [(2, 64), (64, 3)], 15: [(2, 64), (64, 3)],
              16: [(2, 64), (64, 1)], 17: [(1, 64), (64, 64), (64, 1)]}
    for number, chapter in book.CHAPTERS.items():
        run = book.build(number)
        assert [layer.weights.shape for layer in run.model.dense_layers] == shapes[number]
        assert all(layer.book_precision for layer in run.model.dense_layers)
        assert len(run.X) == chapter.samples * (chapter.classes or 1)
        assert run.fit_kwargs == {"epochs": 10_001}
    assert book.build(14).model.dense_layers[0].weight_l2 == 5e-4 == book.build(14).model.dense_layers[0].bias_l2
    assert [type(layer) for layer in book.build(15).model.layers][:3] == [nn.Dense, nn.ReLU, nn.Dropout]
    assert np.abs(book.build(17).model.dense_layers[1].weights).max() > 0.2      # 0.1 x normal, not 0.01
    assert book.build(15).validation is None and book.build(17).draw_validation() is None


def test_the_validation_spiral_comes_from_the_same_stream_after_the_layers():
    """Chapter 15 draws its validation set after training, from the state its dropout masks moved;
    build() leaves it for draw_validation(), which draws from that same state."""
    run = book.build(15)
    before_training = run.draw_validation()[0]
    again = book.build(15)
    again.model.fit(again.X[:30], again.y[:30], epochs=1)      # one dropout mask drawn
    assert not np.array_equal(again.draw_validation()[0], before_training)
    reference = np.random.RandomState(0)
    nn.datasets.spiral(100, 3, rng=reference)                  # the data, then the layers
    reference.standard_normal((2, 64)), reference.standard_normal((64, 3))
    np.testing.assert_array_equal(book.build(10).validation[0], nn.datasets.spiral(100, 3, rng=reference)[0])


def test_a_record_prints_the_way_the_book_prints_it():
    """The book prints lr: before the epoch's update (the previous update's rate); History keeps
    the rate each epoch's own update used (see History). epoch_line prints the book's."""
    run = book.build(10)
    run.model.fit(run.X, run.y, epochs=3)
    assert [r["learning_rate"] for r in run.model.history] == [0.05 * (1. / (1. + 5e-7 * t)) for t in range(3)]
    assert run.printed_learning_rate(0) == 0.05
    assert run.printed_learning_rate(2) == 0.05 * (1. / (1. + 5e-7 * 1))
    assert run.epoch_line(2) == (f"epoch: 2, acc: {run.model.history[2]['accuracy']:.3f}, "
                                 f"loss: {run.model.history[2]['loss']:.3f}, lr: {0.05 * (1. / (1. + 5e-7))}")


# -- slow: the whole chapters --------------------------------------------------------------------------


def assert_prints(run, scores, printed):
    assert run.epoch_line() == printed.epoch_line
    assert (scores is None) == (printed.validation_line is None)
    if scores is not None:
        assert run.validation_line(scores) == printed.validation_line


@slow
@pytest.mark.parametrize("number", [10, 14, 16])
def test_float32_with_book_precision_prints_the_books_lines(number):
    """The book's own output, every printed digit: the same arithmetic, operation for operation."""
    run, scores = trained(number, np.float32, True)
    assert_prints(run, scores, book.PRINTED[number])


@slow
@pytest.mark.parametrize("number", [10, 14, 16])
def test_float64_prints_what_the_books_code_prints_in_float64(number):
    """The book's scripts run with nnfs.init(dot_precision_workaround=False, default_dtype=None):
    every number float64, and the same lines as nnengine in float64."""
    kernel = blas_kernel()
    if kernel not in book.PRINTED_FLOAT64:
        pytest.skip(f"no record of what the book's float64 scripts print on OpenBLAS's {kernel} kernel: run them "
                    "here and add their lines to nnengine/book.py's PRINTED_FLOAT64 (float64 sums depend on it)")
    run, scores = trained(number, np.float64, False)
    assert_prints(run, scores, book.PRINTED_FLOAT64[kernel][number])


def blas_kernel():
    """The matrix-product kernel numpy's OpenBLAS chose for this processor ("SkylakeX", "Haswell", ...)."""
    libraries = threadpoolctl.threadpool_info()
    return next((library.get("architecture") for library in libraries if library["internal_api"] == "openblas"),
                None)


# Chapters 15 and 17: the book's code mixes float64 into its float32 run (see the table above).
# The learning rate still matches to the last digit; the rest lands in the band these runs gave.


@slow
def test_chapter_15_lands_within_its_band_of_the_books_lines():
    """Measured here: accuracy 0.632 against the book's 0.694, loss 0.784 against 0.703, and the
    printed lines part from epoch 100 on (dropout makes the run sensitive to the last bit)."""
    run, scores = trained(15, np.float32, True)
    printed, last = book.PRINTED[15], run.model.history[-1]
    assert run.epoch_line().endswith(f"lr: {printed.learning_rate}")
    assert abs(last["accuracy"] - printed.accuracy) < 0.1 and abs(last["loss"] - printed.loss) < 0.12
    assert abs(scores["accuracy"] - printed.val_accuracy) < 0.1 and abs(scores["loss"] - printed.val_loss) < 0.12


@slow
def test_chapter_17_lands_within_its_band_of_the_books_line():
    """Measured here: accuracy 0.983 against the book's 0.981; the losses print as 0.000 in both."""
    run, _ = trained(17, np.float32, True)
    printed, last = book.PRINTED[17], run.model.history[-1]
    assert run.epoch_line().endswith(f"(data_loss: 0.000, reg_loss: 0.000), lr: {printed.learning_rate}")
    assert abs(last["accuracy"] - printed.accuracy) < 0.03
    assert last["loss"] < 1e-4
