"""Model: a list of layers, a loss and an optimizer, trained with ``fit``.

One training step is the whole book in four lines: forward pass, loss, backward pass, update.
``fit`` repeats it over epochs (and mini-batches), keeping one record per epoch in a History.
"""

import math
import time

import numpy as np

from .activations import Sigmoid, Softmax, Step, row_argmax
from .checks import LabelError, as_batch, positive_int, require_finite, whole_number
from .divergence import Rollback, TrainingDiverged
from .history import History
from .layers import Dense
from .losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Loss,
    SoftmaxCategoricalCrossentropy,
    check_between_0_and_1,
    check_one_hot,
    class_labels,
    regularization_loss,
)
from .optimizers import Optimizer
from .rng import as_rng

NO_DENSE = ("this model has no Dense layer, so it has no weights to learn and no fixed number of outputs to "
            "compare labels with: add a Dense layer")


def _check_parts(layers, loss, optimizer):
    """Refuse, with what to write instead, the parts a model cannot train right (see Model)."""
    for i, layer in enumerate(layers):
        if isinstance(layer, type):
            raise TypeError(f"layer {i} is the class {layer.__name__}, not a layer: write {layer.__name__}()")
        if not (callable(getattr(layer, "forward", None)) and callable(getattr(layer, "backward", None))):
            raise TypeError(f"layer {i} is {layer!r}, which has no forward and backward methods: not a layer")
    for part, kind, example in ((loss, Loss, "CategoricalCrossentropy"), (optimizer, Optimizer, "Adam")):
        if isinstance(part, type):
            raise TypeError(f"{part.__name__} is a class: write {part.__name__}() to make one")
        if part is not None and not isinstance(part, kind):
            what = "loss" if kind is Loss else "optimizer"
            raise TypeError(f"the {what} must be an nnengine {what} such as {example}(), got {part!r}")
    if loss is None:
        raise TypeError("a model needs a loss, such as CategoricalCrossentropy()")
    last = layers[-1]
    if isinstance(loss, SoftmaxCategoricalCrossentropy):
        raise ValueError(
            "SoftmaxCategoricalCrossentropy is not a model loss: end the model with Softmax and use "
            "CategoricalCrossentropy, and the model fuses the two itself (the same fast, stable gradient)")
    if isinstance(loss, CategoricalCrossentropy) and not isinstance(last, Softmax):
        raise ValueError(
            f"CategoricalCrossentropy takes probabilities, but the last layer is {type(last).__name__}: "
            "end the model with Softmax")
    if isinstance(loss, BinaryCrossentropy) and not isinstance(last, (Sigmoid, Softmax)):
        raise ValueError(
            f"BinaryCrossentropy takes probabilities between 0 and 1, but the last layer is {type(last).__name__}: "
            "end the model with Sigmoid or Softmax")
    width = None
    for i, layer in enumerate(layers):
        if isinstance(layer, Dense):
            if width is not None and layer.n_inputs != width:
                raise ValueError(
                    f"layer {i} takes {layer.n_inputs} inputs but the Dense layer before it gives {width}")
            width = layer.n_neurons


class Model:
    """layers: e.g. [Dense(2, 64), ReLU(), Dense(64, 3), Softmax()]; loss; optimizer.

    What a model accepts, and what it refuses when it is built (each with a message that says why):

    - ``SoftmaxCategoricalCrossentropy`` is not a model loss: end the model with Softmax and use
      CategoricalCrossentropy, and the model fuses the two itself. (The fused loss takes logits;
      ``gradcheck(layer, X, y, loss=SoftmaxCategoricalCrossentropy())`` treats its input so.)
    - CategoricalCrossentropy needs a final Softmax, BinaryCrossentropy a final Sigmoid or
      Softmax: on raw outputs the log of a clipped number trains nothing sensible.
    - A loss other than categorical cross-entropy compares the outputs with the targets as given
      (a Softmax model with MeanSquaredError takes one-hot rows, never class indices); a Softmax
      model stays a classifier (accuracy: argmax against argmax).
    - Consecutive Dense layers must fit (each takes as many inputs as the one before gives);
      layers, loss and optimizer must be objects, e.g. ``ReLU()``, not the class ``ReLU``.
    - A model with a Step can be built, run and saved, but ``fit`` refuses it (``check_trainable``).
    - Labels that do not fit the loss or the output raise ``LabelError`` (see ``fit``).

    When the last layer is Softmax and the loss CategoricalCrossentropy, training uses their
    fused gradient (probabilities - one_hot) / n, which is faster and more stable than the two
    backward passes one after the other; the numbers are the same.

    ``book_precision`` True or False sets that option on every Dense layer (see ``Dense``); None
    leaves each layer as it was built.
    """

    def __init__(self, layers, loss, optimizer=None, book_precision=None):
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("a model needs at least one layer")
        _check_parts(self.layers, loss, optimizer)
        self.loss = loss
        self.optimizer = optimizer
        self.history = History()
        self.epochs_done = 0
        self.regression_precision = None
        self.metadata = None            # the application's own dict, kept by save and load
        self.state_restored = True      # False only when loaded from a file without training state
        self.fused = (SoftmaxCategoricalCrossentropy()
                      if isinstance(self.layers[-1], Softmax) and isinstance(loss, CategoricalCrossentropy)
                      else None)
        denses = self.dense_layers
        if book_precision is not None:
            for layer in denses:
                layer.book_precision = bool(book_precision)
        self.n_inputs = denses[0].n_inputs if denses else None
        self.n_outputs = denses[-1].n_neurons if denses else None

    def check_trainable(self):
        """Raise ValueError, saying why, if ``fit`` cannot train this model: it has no Dense
        layer (nothing to learn), or it holds a Step, whose slope is 0 everywhere, so no gradient
        reaches the layers before it (a Step can be shown on a page, not trained)."""
        if not self.dense_layers:
            raise ValueError(NO_DENSE)
        steps = [i for i, layer in enumerate(self.layers) if isinstance(layer, Step)]
        if steps:
            raise ValueError(
                f"a model with a Step (layer {steps[0]}) cannot be trained: the step's slope is 0 everywhere, "
                "so no gradient reaches the layers before it and they would never learn. Use Sigmoid, Tanh or "
                "ReLU to train; a Step can still be run with predict and evaluate")

    # -- structure -----------------------------------------------------------------------

    @property
    def dense_layers(self):
        return [layer for layer in self.layers if isinstance(layer, Dense)]

    @property
    def task(self):
        """'classification' (softmax), 'binary' (sigmoid: a 0/1 decision whatever the loss) or
        'regression' (anything else)."""
        last = self.layers[-1]
        if isinstance(last, Softmax):
            return "classification"
        if isinstance(last, Sigmoid):
            return "binary"
        return "regression"

    @property
    def dtype(self):
        denses = self.dense_layers
        return denses[0].weights.dtype if denses else np.dtype(np.float32)

    def parameters(self):
        """Every trainable array, as (name, array) pairs such as ('layer 0 weights', ...)."""
        return [(f"layer {i} {name}", array)
                for i, layer in enumerate(self.layers) if isinstance(layer, Dense)
                for name, array in layer.parameters().items()]

    def count_parameters(self):
        return sum(array.size for _, array in self.parameters())

    # -- the four steps --------------------------------------------------------------------

    def forward(self, X, training=False):
        """Pass inputs through every layer; returns the last layer's output."""
        output = X
        for layer in self.layers:
            output = layer.forward(output, training=training)
        return output

    def backward(self, output, y):
        """Send the loss gradient back through every layer, setting each one's gradients."""
        return self._backward(output, self._labels(y, len(output)))

    def _backward(self, output, labels):
        layers = self.layers
        if self.fused is not None:
            # The fused gradient is already dL/d(softmax inputs): skip Softmax.backward.
            dvalues = self.fused.gradient(output, labels)
            layers[-1].dinputs = dvalues
            layers = layers[:-1]
        else:
            dvalues = self.loss.gradient(output, labels)
            self.loss.dinputs = dvalues
        for layer in reversed(layers):
            dvalues = layer.backward(dvalues)
        return dvalues

    def accuracy(self, output, y):
        """Share of correct predictions. Regression counts a prediction as correct within
        std(y) / 250 of its target, as the book does."""
        return self._accuracy(output, self._labels(y, len(output)))

    def _accuracy(self, output, labels):
        task = self.task
        if task == "classification":
            if labels.ndim == 2:            # one-hot targets of another loss than cross-entropy
                labels = row_argmax(labels)
            return int(np.count_nonzero(row_argmax(output) == labels)) / len(labels)
        if task == "binary":
            return int(np.count_nonzero((output > 0.5) == (labels > 0.5))) / labels.size
        precision = self.regression_precision
        if precision is None:
            precision = float(np.std(labels)) / 250
        return int(np.count_nonzero(np.abs(output - labels) < precision)) / labels.size

    def _labels(self, y, n_samples):
        """Check the true values once and put them in the form the loss math uses: class
        indices for categorical cross-entropy, targets shaped like the outputs, as given,
        for any other loss. Labels that do not fit raise LabelError."""
        if self.n_outputs is None:
            raise ValueError(NO_DENSE)
        y = np.asarray(y)
        if y.dtype.kind not in "iufb":
            raise LabelError(f"labels must be numbers, got dtype {y.dtype}")
        if y.dtype.kind == "f":
            require_finite(y, "labels")
        if len(y) != n_samples:
            raise ValueError(f"{n_samples} samples but {len(y)} labels")
        if self.fused is not None:
            return class_labels(y, n_samples, self.n_outputs)
        with np.errstate(over="ignore"):    # -1e39 in float32: reported just below, by name
            prepared = self.loss.prepare(y, (n_samples, self.n_outputs), self.dtype)
        if prepared.dtype.kind == "f":
            require_finite(prepared, "labels", original=y)
        task = self.task
        if task == "classification":
            # A Softmax model stays a classifier: every target row names one class.
            check_one_hot(prepared)
        elif task == "binary":
            check_between_0_and_1(prepared, "targets for a sigmoid output (which lies between 0 and 1)")
        return prepared

    def _check_data(self, X, y, what="X"):
        original = X
        with np.errstate(over="ignore"):        # 1e39 in float32: reported just below, by name
            X = as_batch(X, self.n_inputs, self.dtype, what)
        require_finite(X, what, original)
        y = np.asarray(y)
        if y.ndim == 0 or len(y) != len(X):
            raise ValueError(f"{what} has {len(X)} samples but its labels have {y.size if y.ndim else 0}")
        return X, self._labels(y, len(X))

    def _losses(self, output, labels, penalized=None):
        """(data loss, regularization loss) of an output; ``penalized`` lists the layers with
        L1/L2 penalties when the caller already knows them."""
        losses = self.loss.sample_losses(output, labels)
        penalized = self.dense_layers if penalized is None else penalized
        return float(losses.sum() / len(losses)), regularization_loss(penalized) if penalized else 0.0

    # -- training ------------------------------------------------------------------------

    def fit(self, X, y, epochs=10_001, batch_size=None, validation_data=None, rng=None,
            callback=None, validation_freq=1):
        """Train for ``epochs`` more epochs and return the History (``self.history``).

        X: (n_samples, n_inputs); y: class labels (n_samples,) or exactly one-hot rows for
        categorical cross-entropy, one-hot rows for another loss on a Softmax output, targets in
        [0, 1] for a sigmoid output, numbers (n_samples, n_outputs) for regression. Anything else
        raises LabelError (a ValueError and a TypeError) saying what was expected.
        epochs: a whole number >= 0 (an int or a numpy integer; 2.7 or "3" are refused).
        batch_size None trains on the full batch each step; a number splits every epoch into
        mini-batches, shuffled by ``rng`` when it is given (in order, as the book does, when not).
        validation_data (X_val, y_val) is evaluated every ``validation_freq`` epochs (a whole
        number >= 1). Inputs must be finite in the model's dtype: 1e39 is refused as too large
        for float32. A model with a Step or without a Dense layer is refused (check_trainable).
        callback(record) runs after each epoch; when an epoch has several batches and takes a
        while, it also runs between batches with a progress record holding 'batch' and
        'batches'. Returning False stops training after the step that just finished.

        Training continues from the current weights and optimizer state: epochs are numbered on
        from the last call. A stop in the middle of an epoch still records that epoch, marked
        partial (see ``History``), so epoch numbers are never used twice.

        Raises TrainingDiverged if the loss becomes NaN or infinite, after rolling the model and
        its optimizer back to the start of this fit's epoch with the lowest loss (see there), so
        a retry with a lower learning rate starts from good weights.
        """
        if self.optimizer is None:
            raise ValueError("this model has no optimizer: pass optimizer= to train it")
        self.check_trainable()
        epochs = whole_number(epochs, "epochs", minimum=0)
        validation_freq = positive_int(validation_freq, "validation_freq")
        if callback is not None and not callable(callback):
            raise TypeError(f"callback must be a function taking a record, got {callback!r}")
        X, y = self._check_data(X, y)           # labels are checked here, once
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("validation_data must be a pair (X_val, y_val)")
            X_val, y_val = self._check_data(*validation_data, what="validation X")
        if self.task == "regression" and self.regression_precision is None:
            self.regression_precision = float(np.std(y)) / 250
        n_samples = len(X)
        if batch_size is not None:
            batch_size = min(positive_int(batch_size, "batch_size"), n_samples)
            if batch_size == n_samples:
                batch_size = None
        shuffle = as_rng(rng) if (rng is not None and batch_size is not None) else None
        trainable = self.dense_layers
        penalized = [layer for layer in trainable
                     if layer.weight_l1 or layer.weight_l2 or layer.bias_l1 or layer.bias_l2]
        validation = None if validation_data is None else (X_val, y_val)
        with np.errstate(over="ignore", invalid="ignore"):     # a diverging run is caught below, by its loss
            self._fit_epochs(X, y, epochs, batch_size, shuffle, validation, validation_freq, callback,
                             trainable, penalized)
        return self.history

    def _fit_epochs(self, X, y, epochs, batch_size, shuffle, validation, validation_freq, callback,
                    trainable, penalized):
        """fit's loop over epochs and batches (fit has checked and prepared everything)."""
        n_samples = len(X)
        rollback = Rollback([array for _, array in self.parameters()], self.optimizer)
        rollback.take_start()                   # where this fit starts
        for _ in range(epochs):
            epoch = self.epochs_done
            if batch_size is not None:
                rollback.take_start()
            if batch_size is None:
                batches = [(X, y)]
            else:
                order = shuffle.permutation(n_samples) if shuffle is not None else np.arange(n_samples)
                batches = [(X[order[i:i + batch_size]], y[order[i:i + batch_size]])
                           for i in range(0, n_samples, batch_size)]
            # Sums over the epoch's batches, each weighted by its number of samples.
            data_sum = reg_sum = correct_sum = 0.0
            seen = 0
            started = time.perf_counter()
            for number, (X_batch, y_batch) in enumerate(batches):
                output = self.forward(X_batch, training=True)
                data_loss, reg_loss = self._losses(output, y_batch, penalized)
                if not math.isfinite(data_loss + reg_loss):
                    rollback.roll_back()
                    raise TrainingDiverged(epoch, data_loss + reg_loss, rollback.best_epoch, rollback.best_loss)
                n = len(X_batch)
                data_sum += data_loss * n
                reg_sum += reg_loss * n
                correct_sum += self._accuracy(output, y_batch) * n
                seen += n
                if batch_size is None:
                    rollback.improved(epoch, (data_sum + reg_sum) / seen)     # the record's loss
                self._backward(output, y_batch)
                self.optimizer.step(trainable)
                if (callback is not None and len(batches) > 1 and number + 1 < len(batches)
                        and time.perf_counter() - started > 0.1):
                    started = time.perf_counter()
                    progress = {"epoch": epoch, "batch": number + 1, "batches": len(batches),
                                "loss": (data_sum + reg_sum) / seen, "accuracy": correct_sum / seen,
                                "learning_rate": self.optimizer.current_learning_rate}
                    if callback(progress) is False:
                        # Stopped inside the epoch: keep what it did, marked partial (see History).
                        self.history.append({**self._record(epoch, data_sum, reg_sum, correct_sum, seen),
                                             "partial": True, "batch": number + 1, "batches": len(batches)})
                        self.epochs_done += 1
                        return
            record = self._record(epoch, data_sum, reg_sum, correct_sum, seen)
            if batch_size is not None:
                rollback.epoch_done(epoch, record["loss"])
            if validation is not None and (epoch % validation_freq == 0 or _ == epochs - 1):
                scores = self.evaluate(*validation)
                record["val_loss"], record["val_accuracy"] = scores["loss"], scores["accuracy"]
            self.history.append(record)
            self.epochs_done += 1
            if callback is not None and callback(record) is False:
                break
        return self.history

    def _record(self, epoch, data_sum, reg_sum, correct_sum, seen):
        """An epoch's History record from its sums over the batches done."""
        return {"epoch": epoch, "loss": (data_sum + reg_sum) / seen,
                "data_loss": data_sum / seen, "reg_loss": reg_sum / seen,
                "accuracy": correct_sum / seen,
                "learning_rate": float(self.optimizer.current_learning_rate),
                "val_loss": None, "val_accuracy": None}

    def predict(self, X):
        """The last layer's outputs for X (probabilities for a classifier), dropout off."""
        with np.errstate(over="ignore"):        # 1e39 in float32: reported just below, by name
            batch = as_batch(X, self.n_inputs, self.dtype)
        X = require_finite(batch, "X", X)
        return self.forward(X, training=False).copy()

    def evaluate(self, X, y):
        """{'loss': data loss, 'accuracy': ...} on X, y, dropout off."""
        X, y = self._check_data(X, y)
        output = self.forward(X, training=False)
        return {"loss": self._losses(output, y)[0], "accuracy": float(self._accuracy(output, y))}

    # -- files ---------------------------------------------------------------------------

    def save(self, file, metadata=None):
        """Write the model to ONE .npz file (a path or a binary file object): its arrays and a
        JSON description; no pickle anywhere.

        The file holds everything needed to train on exactly as if it had never been saved: the
        weights, the optimizer's step count, current rate and memories, the History,
        ``epochs_done`` and each Dropout layer's random state. ``metadata`` is the application's
        own JSON-able dict (what built the model, say); ``load`` gives it back as ``.metadata``.
        """
        from .files import save_model
        save_model(self, file, metadata)

    @classmethod
    def load(cls, file):
        """Read a model written by ``save``; a bad file raises ModelFileError.

        The loaded model carries the saved training state, so ``fit`` continues bit for bit as
        the original would have (given the same data and shuffle ``rng``). Files written before
        the training state was saved (format version 1) still load, with the weights, settings
        and ``epochs_done`` only: a fresh optimizer and an empty History; ``state_restored`` is
        then False. Every value read is checked: a bad one raises ModelFileError.
        """
        from .files import load_model
        return load_model(file)

    def __repr__(self):
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Model([{inner}], loss={self.loss!r}, optimizer={self.optimizer!r})"

