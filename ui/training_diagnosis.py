"""What has gone wrong with a training run, in words with the fix to try (the Training page shows it
and stops the run: the training process asks, ``check_run``)."""

import numpy as np

import nnengine as nn
from ui.matrix import readable

STILL = 1.05       # a loss that never rose above 1.05 x its start has not moved: no step overshot


def dead_neurons(setup):
    """(dead, total) hidden ReLU neurons: those whose output is 0 for every training sample. ReLU's
    gradient is 0 there, so no update ever reaches their weights again: they are dead for good."""
    dead = total = 0
    values = setup.X
    for layer in setup.model.layers[:-2]:           # the hidden layers (not the output and its activation)
        values = layer.forward(values, training=False)
        if isinstance(layer, nn.ReLU):
            dead += int(np.count_nonzero(values.max(axis=0) <= 0))
            total += values.shape[1]
    return dead, total


def diagnose(setup, settings):
    """What has gone wrong with a classifier whose steps are too large, in words with the fix to try,
    or None. Three signs (tests/app/test_claims_training.py sets each up): the loss jumped far above
    the loss it started at (a guess's: ln 3 for three classes) and has not been below that for 50
    epochs; every point is given one class; most ReLU neurons are dead. Every point in one class with a loss
    that never rose from its start is no overshoot: that run is said to learn nothing at all, with the causes to
    look at instead of the learning rate. Looked at from epoch 20 on,
    when a sane run has left its start behind."""
    records = setup.model.history.records
    if setup.task == "regression" or len(records) < 20:
        return None
    start = records[0]["data_loss"]
    worst = max(records, key=lambda r: r["data_loss"])
    output = setup.model.predict(setup.X)
    predicted = (output[:, 0] > 0.5).astype(int) if setup.task == "binary" else output.argmax(axis=1)
    dead, total = dead_neurons(setup)
    now = records[-1]["data_loss"]
    recent = min(r["data_loss"] for r in records[-50:])
    if worst["data_loss"] > 2 * start and recent >= start:   # a spike in a run that was learning is left alone
        sign = (f"the loss jumped to {readable(worst['data_loss'])} at epoch {worst['epoch']}, far above the "
                f"{readable(start)} it started at (the loss of a guess), and is still at {readable(now)}")
    elif len(np.unique(predicted)) == 1 and now > 0.9 * start and worst["data_loss"] <= STILL * start:
        # The loss never rose: nothing overshot, so a lower learning rate is no cure (it stays at a guess too).
        return (f"Training stopped: every training point is given class {int(predicted[0])}, and the loss "
                f"({readable(now)}) has not moved from the {readable(start)} of a guess (it never rose above "
                f"{readable(worst['data_loss'])}): the network is not learning at all, and a lower learning rate "
                "would not change that. Weights that start too small for this many layers (Initial weights), or "
                "dropout or a penalty too strong for layers this narrow, let almost no gradient through: change "
                "one of them, then press Reset and Train.")
    elif len(np.unique(predicted)) == 1 and now > 0.9 * start:
        sign = (f"every training point is given class {int(predicted[0])}, and the loss ({readable(now)}) is no "
                f"better than the {readable(start)} of a guess")
    elif total and dead >= 0.75 * total:
        sign = (f"{dead} of {total} hidden ReLU neurons are dead: they output 0 for every point, so their "
                "gradient is 0 and they never learn again")
    else:
        return None
    fix = f"lower the learning rate (try {settings.lr / 10:g})"
    if settings.optimizer == "SGD" and settings.momentum > 0.9:
        # Both: at 10 and 0.99, a rate of 1 kills the ReLUs by epoch 150 and 0.9 alone ends in one class.
        fix = (f"lower the learning rate to {settings.lr / 10:g} and the momentum to 0.9 ({settings.momentum:g} "
               "keeps adding the old steps)")
    return (f"Training stopped: {sign}. Steps this large overshoot the valley the loss is in and throw the "
            f"weights about. To fix it, {fix}, then press Reset and Train.")


OFTEN, THEN = 50, 500     # looked at every 50 epochs for the first 1 000 (where steps too large show), then every 500


def check_run(setup, settings, record):
    """A training run's check (ui/trainers.py, run in the training process after each epoch): the diagnosis
    every OFTEN epochs for the first 1 000 epochs, every THEN after that (each look predicts every training
    point, and reads the whole History), None in between."""
    every = OFTEN if record["epoch"] < 1000 else THEN
    return diagnose(setup, settings) if record["epoch"] % every == every - 1 else None
