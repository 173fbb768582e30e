"""History: what ``fit`` records, one plain dict per epoch."""

import numpy as np


class History:
    """One record per epoch, in order: plain dicts with the keys in ``FIELDS``.

    loss = data_loss + reg_loss and accuracy are those of the epoch's forward pass, before its
    update (as the book prints them); learning_rate is the rate that epoch's update used;
    val_loss and val_accuracy are None when there is no validation data (or it was skipped).

    The book prints ``lr:`` before the epoch's update, when the optimizer still holds the rate
    of the previous update: its line for epoch t shows the rate of epoch t - 1 here (both are
    lr / (1 + decay * step)). Here each record keeps the rate that moved the weights it reports,
    the one a learner changing the decay wants to see; ``nnengine.book.BookRun.epoch_line``
    prints a record the book's way.

    When a callback stops ``fit`` in the middle of an epoch of several batches, that epoch is
    kept as a partial record: three more keys, ``partial`` (True), ``batch`` (the batches done)
    and ``batches`` (of how many); its losses and accuracy are over the samples of the batches
    done, and its number is used up (the next epoch gets the next number).
    """

    FIELDS = ("epoch", "loss", "data_loss", "reg_loss", "accuracy", "learning_rate",
              "val_loss", "val_accuracy")

    def __init__(self, records=()):
        self.records = [dict(r) for r in records]

    def append(self, record):
        self.records.append(record)

    def to_records(self):
        return [dict(r) for r in self.records]

    def column(self, field):
        """One field over all epochs as a float array (None becomes NaN)."""
        return np.array([np.nan if r[field] is None else r[field] for r in self.records], dtype=float)

    def __len__(self):
        return len(self.records)

    def __getitem__(self, index):
        return self.records[index]

    def __iter__(self):
        return iter(self.records)

    def __repr__(self):
        return f"History({len(self)} epochs)"
