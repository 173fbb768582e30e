"""What ``fit`` does when the loss stops being a number: it raises TrainingDiverged, and a Rollback
has kept the weights and the optimizer's state of the best epoch so far to go back to."""

import numpy as np


class TrainingDiverged(FloatingPointError):
    """Raised by ``fit`` when the loss becomes NaN or infinite.

    ``epoch`` is the epoch whose loss was not finite, ``loss`` that loss. The model AND its
    optimizer (memories, step count, current rate) are rolled back to the start of epoch
    ``best_epoch``, the epoch of this ``fit`` with the lowest loss, ``best_loss``: the last
    finite loss is often already huge, and the momentum kept with it would throw a retry at a
    sane rate off again at once. When no epoch of this fit finished, they go back to where the
    fit started (``best_epoch`` and ``best_loss`` are then None). History and ``epochs_done``
    keep the epochs that were reported.
    """

    def __init__(self, epoch, loss, best_epoch=None, best_loss=None):
        self.epoch = epoch
        self.loss = loss
        self.best_epoch = best_epoch
        self.best_loss = best_loss
        where = ("where this fit started" if best_epoch is None else
                 f"the start of epoch {best_epoch}, the lowest loss of this fit ({best_loss:.4g})")
        super().__init__(
            f"the loss became {loss} at epoch {epoch}, so training stopped; the model and its optimizer "
            f"are back at {where}. A lower learning rate usually helps."
        )


class Rollback:
    """Copies of the weights and the optimizer state at the start of two epochs: the current one
    and the one with the lowest loss so far, for TrainingDiverged. Taking one is a few small array
    copies into buffers kept from epoch to epoch.

    With one batch per epoch the epoch's loss is known before its update, so ``improved`` copies
    only when the loss is a new best (4 epochs in 10 of chapter 10). With mini-batches it is
    known at the end: ``take_start`` copies at every start and ``epoch_done`` keeps the best."""

    def __init__(self, params, optimizer):
        self.params, self.optimizer = params, optimizer
        self.start = {"params": [np.empty_like(array) for array in params], "optimizer": None}
        self.best = {"params": [np.empty_like(array) for array in params], "optimizer": None}
        self.best_epoch = self.best_loss = None

    def _copy_into(self, saved):
        for array, copy in zip(self.params, saved["params"]):
            np.copyto(copy, array)
        saved["optimizer"] = self.optimizer.state(reuse=saved["optimizer"])

    def take_start(self):
        self._copy_into(self.start)

    def improved(self, epoch, loss):
        """One batch per epoch, before its update: keep this state if its loss is the best."""
        if self.best_loss is None or loss < self.best_loss:
            self._copy_into(self.best)
            self.best_epoch, self.best_loss = epoch, loss

    def epoch_done(self, epoch, loss):
        """The epoch that started at the last ``take_start`` ended with ``loss``."""
        if self.best_loss is None or loss < self.best_loss:
            self.start, self.best = self.best, self.start     # swap: no copying
            self.best_epoch, self.best_loss = epoch, loss

    def roll_back(self):
        """Back to the best epoch's start (or this fit's start if no epoch finished)."""
        saved = self.best if self.best_loss is not None else self.start
        for array, copy in zip(self.params, saved["params"]):
            np.copyto(array, copy)
        self.optimizer.set_state(saved["optimizer"])
