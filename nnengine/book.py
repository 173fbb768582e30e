"""The book's training chapters as data: what each final script sets up, and what it prints.

*Neural Networks from Scratch* ends chapters 10 (with 11's validation), 14, 15, 16 and 17 with
a script that trains one network for 10 001 epochs. ``CHAPTERS`` holds every setting of those
scripts, ``PRINTED`` the last lines their code prints when run on this machine (numpy 2.4,
nnfs 0.5.1), and ``build`` sets the same run up in nnengine, drawing every random number in the
book's order from one ``RandomState(0)`` (the book's ``nnfs.init()`` seeds numpy with 0).

How close the engine comes, run the book's way (``build(n)``, then ``fit(**run.fit_kwargs)``;
tests/engine/test_book_parity.py checks every row; ``Dense(book_precision=True)`` multiplies in
float64 and stores float32, as ``nnfs.init()`` does; every formula is in the book's order):

| chapter | float32 with book precision (the book's own output) | float64 (the book's code run in float64) |
| --- | --- | --- |
| 10, 14, 16 | every printed digit: the final epoch line with its lr, the validation line | the same |
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
claim for them.

The book prints ``lr:`` before the epoch's update: the rate the previous epoch used (see
``History``); ``BookRun.epoch_line`` prints a History record the book's way.
"""

from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from . import datasets
from .activations import Linear, ReLU, Sigmoid, Softmax
from .layers import Dense, Dropout
from .losses import BinaryCrossentropy, CategoricalCrossentropy, MeanSquaredError
from .model import Model
from .optimizers import Adam

NO_PENALTY = {"weight_l1": 0.0, "weight_l2": 0.0, "bias_l1": 0.0, "bias_l2": 0.0}
L2_5E4 = {"weight_l1": 0.0, "weight_l2": 5e-4, "bias_l1": 0.0, "bias_l2": 5e-4}


@dataclass(frozen=True)
class Chapter:
    """Every setting of one chapter's final script.

    hidden: the hidden layers' sizes; penalties: one dict per Dense layer (weight_l1, weight_l2,
    bias_l1, bias_l2); dropout: (rate, index of the hidden layer it follows) or None;
    validation: (samples per class, classes) of a fresh spiral, or None when the script prints
    no validation; validation_drawn: 'after_layers' (nothing is drawn while training, so this
    is also where the book's draw after training lands) or 'after_training' (chapter 15: its
    10 001 dropout masks come first).
    """

    number: int
    title: str
    script: str
    dataset: str                     # 'spiral' or 'sine'
    samples: int                     # per class for the spiral; points for the sine
    classes: int | None
    hidden: tuple
    activation: str
    output: str                      # 'softmax', 'sigmoid' or 'linear'
    loss: str
    weight_scale: float
    penalties: tuple
    dropout: tuple | None
    optimizer: str
    optimizer_kwargs: dict = field(hash=False)
    epochs: int = 10_001
    print_every: int = 100
    validation: tuple | None = None
    validation_drawn: str | None = None

    def __post_init__(self):
        # Read-only views: one Chapter is shared by every learner of a hosted app.
        object.__setattr__(self, "optimizer_kwargs", MappingProxyType(dict(self.optimizer_kwargs)))
        object.__setattr__(self, "penalties", tuple(MappingProxyType(dict(p)) for p in self.penalties))

    @property
    def n_inputs(self):
        return 1 if self.dataset == "sine" else 2

    @property
    def n_outputs(self):
        return {"softmax": self.classes, "sigmoid": 1, "linear": 1}[self.output]

    @property
    def prints_data_loss(self):
        """Chapter 10 prints the loss alone; the later chapters add data_loss and reg_loss."""
        return self.number != 10


CHAPTERS = {
    10: Chapter(10, "Optimizers (Adam)", "Chapter_10/Ch10_Final.py + Chapter_11/Ch11_Final.py",
                "spiral", 100, 3, (64,), "relu", "softmax", "categorical_crossentropy", 0.01,
                (NO_PENALTY, NO_PENALTY), None, "Adam", {"learning_rate": 0.05, "decay": 5e-7},
                validation=(100, 3), validation_drawn="after_layers"),
    14: Chapter(14, "L1 and L2 regularization", "Chapter_14/Ch14_Final.py",
                "spiral", 100, 3, (64,), "relu", "softmax", "categorical_crossentropy", 0.01,
                (L2_5E4, NO_PENALTY), None, "Adam", {"learning_rate": 0.02, "decay": 5e-7},
                validation=(100, 3), validation_drawn="after_layers"),
    15: Chapter(15, "Dropout", "Chapter_15/Ch15_Final.py",
                "spiral", 1000, 3, (64,), "relu", "softmax", "categorical_crossentropy", 0.01,
                (L2_5E4, NO_PENALTY), (0.1, 0), "Adam", {"learning_rate": 0.05, "decay": 5e-5},
                validation=(100, 3), validation_drawn="after_training"),
    16: Chapter(16, "Binary logistic regression", "Chapter_16/Ch16_Final.py",
                "spiral", 100, 2, (64,), "relu", "sigmoid", "binary_crossentropy", 0.01,
                (L2_5E4, NO_PENALTY), None, "Adam", {"decay": 5e-7},
                validation=(100, 2), validation_drawn="after_layers"),
    17: Chapter(17, "Regression", "Chapter_17/Ch17_Final.py",
                "sine", 1000, None, (64, 64), "relu", "linear", "mean_squared_error", 0.1,
                (NO_PENALTY, NO_PENALTY, NO_PENALTY), None, "Adam", {"learning_rate": 0.005, "decay": 1e-3}),
}


@dataclass(frozen=True)
class Printed:
    """The last lines a chapter's script printed, as printed and as numbers."""

    epoch_line: str
    validation_line: str | None
    accuracy: float
    loss: float
    data_loss: float | None
    reg_loss: float | None
    learning_rate: float
    val_accuracy: float | None
    val_loss: float | None


def _printed(epoch_line, validation_line=None):
    """Read the numbers back out of the printed lines (so they cannot disagree)."""
    numbers = {}
    for part in epoch_line.replace("(", ", ").replace(")", "").split(", "):
        key, value = part.split(": ")
        numbers[key] = value
    val = {}
    if validation_line is not None:
        for part in validation_line.split(", ")[1:]:
            key, value = part.split(": ")
            val[key] = float(value)
    return Printed(epoch_line, validation_line, float(numbers["acc"]), float(numbers["loss"]),
                   float(numbers["data_loss"]) if "data_loss" in numbers else None,
                   float(numbers["reg_loss"]) if "reg_loss" in numbers else None,
                   float(numbers["lr"]), val.get("acc"), val.get("loss"))


# What the book's scripts print on this machine (numpy 2.4.6, nnfs 0.5.1; run once, outside the
# repository, with Ch11's validation lines appended to Ch10's script, Ch15's pasted output removed
# and Ch17 stopped before its plot).
PRINTED = {
    10: _printed("epoch: 10000, acc: 0.967, loss: 0.074, lr: 0.04975126853296942",
                 "validation, acc: 0.797, loss: 0.921"),
    14: _printed("epoch: 10000, acc: 0.950, loss: 0.226 (data_loss: 0.165, reg_loss: 0.062), "
                 "lr: 0.019900507413187767",
                 "validation, acc: 0.840, loss: 0.525"),
    15: _printed("epoch: 10000, acc: 0.694, loss: 0.703 (data_loss: 0.686, reg_loss: 0.017), "
                 "lr: 0.03333444448148271",
                 "validation, acc: 0.740, loss: 0.671"),
    17: _printed("epoch: 10000, acc: 0.981, loss: 0.000 (data_loss: 0.000, reg_loss: 0.000), "
                 "lr: 0.00045458678061641964"),
    16: _printed("epoch: 10000, acc: 0.945, loss: 0.260 (data_loss: 0.204, reg_loss: 0.056), "
                 "lr: 0.0009950253706593885",
                 "validation, acc: 0.920, loss: 0.237"),
}


# The same scripts run with every number in float64: nnfs.init() replaced by
# nnfs.init(dot_precision_workaround=False, default_dtype=None), which leaves numpy as it is
# (seeded with 0). What nnengine in float64 is compared with. Unlike the book's float32 lines above,
# these depend on the processor: OpenBLAS picks its matrix-product kernel for the CPU it runs on, and
# kernels add a dot product's terms in different orders, so the last bits differ and 10 000 epochs
# carry them into the printed digits. Hence one set per kernel (threadpoolctl names it): "SkylakeX" is
# an AVX-512 x86-64 (numpy 2.4.6's OpenBLAS 0.3.31, one thread or more alike). The project's first
# machine printed 0.973 / 0.081 for chapter 10 and 0.943 / 0.225 for chapter 14, on a kernel not
# recorded; forcing "Haswell" here prints a third set (0.973 / 0.084 for chapter 10).
PRINTED_FLOAT64 = {
    "SkylakeX": {
        10: _printed("epoch: 10000, acc: 0.970, loss: 0.083, lr: 0.04975126853296942",
                     "validation, acc: 0.810, loss: 0.803"),
        14: _printed("epoch: 10000, acc: 0.937, loss: 0.223 (data_loss: 0.165, reg_loss: 0.058), "
                     "lr: 0.019900507413187767",
                     "validation, acc: 0.820, loss: 0.514"),
        16: _printed("epoch: 10000, acc: 0.910, loss: 0.297 (data_loss: 0.250, reg_loss: 0.047), "
                     "lr: 0.0009950253706593885",
                     "validation, acc: 0.855, loss: 0.317"),
    },
}


@dataclass
class BookRun:
    """A chapter set up in nnengine: ``model.fit(X, y, **fit_kwargs)`` trains it the book's way.

    ``validation`` is (X_val, y_val) when it is drawn before training, else None; for chapter
    15 call ``draw_validation()`` after training (it draws from the same ``rng``, as the book).
    """

    chapter: Chapter
    model: Model
    X: np.ndarray
    y: np.ndarray
    validation: tuple | None
    fit_kwargs: dict
    rng: np.random.RandomState
    dtype: np.dtype

    def draw_validation(self):
        """The chapter's validation set, drawn now from the run's random state."""
        if self.validation is not None:
            return self.validation
        if self.chapter.validation is None:
            return None
        return _spiral(*self.chapter.validation, self.rng, self.dtype)

    def printed_learning_rate(self, index=-1):
        """The ``lr:`` the book prints on a History record's line: the rate before that epoch's
        update, which is the rate the previous epoch's update used (the first epoch: the rate
        as given)."""
        history = self.model.history
        index = index % len(history)
        if index == 0:
            return self.model.optimizer.learning_rate
        return history[index - 1]["learning_rate"]

    def epoch_line(self, index=-1):
        """A History record printed as the book's script prints its epoch lines."""
        record = self.model.history[index]
        line = f"epoch: {record['epoch']}, acc: {record['accuracy']:.3f}, loss: {record['loss']:.3f}"
        if self.chapter.prints_data_loss:
            line += f" (data_loss: {record['data_loss']:.3f}, reg_loss: {record['reg_loss']:.3f})"
        return line + f", lr: {self.printed_learning_rate(index)}"

    def validation_line(self, scores):
        """``model.evaluate``'s scores printed as the book prints its validation line."""
        return f"validation, acc: {scores['accuracy']:.3f}, loss: {scores['loss']:.3f}"


def _spiral(samples, classes, rng, dtype):
    return datasets.spiral(samples, classes, rng=rng, dtype=dtype)


def build(chapter, dtype=np.float32, book_precision=True):
    """Set up chapter ``chapter`` (a number in CHAPTERS, or a Chapter) the way its script does.

    Draws from one ``RandomState(0)`` in the book's order: the data, then the layers (Dropout
    keeps drawing from the same state while training), then a validation spiral. The run does
    not train: call ``run.model.fit(run.X, run.y, **run.fit_kwargs)``.
    """
    chapter = CHAPTERS[chapter] if not isinstance(chapter, Chapter) else chapter
    dtype = np.dtype(dtype)
    rng = np.random.RandomState(0)
    if chapter.dataset == "sine":
        X, y = datasets.sine(chapter.samples, dtype=dtype)
    else:
        X, y = _spiral(chapter.samples, chapter.classes, rng, dtype)
    sizes = (chapter.n_inputs, *chapter.hidden, chapter.n_outputs)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(n_in, n_out, weight_scale=chapter.weight_scale, rng=rng, dtype=dtype,
                            book_precision=book_precision, **chapter.penalties[i]))
        if i < len(chapter.hidden):
            layers.append(ReLU())
            if chapter.dropout is not None and chapter.dropout[1] == i:
                layers.append(Dropout(chapter.dropout[0], rng=rng))
    layers.append({"softmax": Softmax, "sigmoid": Sigmoid, "linear": Linear}[chapter.output]())
    loss = {"categorical_crossentropy": CategoricalCrossentropy, "binary_crossentropy": BinaryCrossentropy,
            "mean_squared_error": MeanSquaredError}[chapter.loss]()
    model = Model(layers, loss=loss, optimizer=Adam(**chapter.optimizer_kwargs))
    if chapter.dataset == "sine":
        # The book's sine data is float64 whatever nnfs.init() says, and its accuracy counts a
        # prediction within std(y) / 250 of that float64 y.
        model.regression_precision = float(np.std(datasets.sine(chapter.samples, dtype=np.float64)[1])) / 250
    run = BookRun(chapter, model, X, y, None, {"epochs": chapter.epochs}, rng, dtype)
    if chapter.validation_drawn == "after_layers":
        run.validation = run.draw_validation()
    return run
