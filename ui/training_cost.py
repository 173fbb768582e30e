"""What a training run will cost, measured rather than modelled, and how many of its epochs the page trains.

A count of the work (parameters x samples x epochs) misses most of what a small network's epoch costs:
Python's few microseconds per layer and step, the elementwise work of activations and losses, dropout's
random draws (chapter 15's 3 000 x 64 Bernoulli draws per epoch cost more than its matrix products), the
optimizer's updates and the validation passes. So the estimate times the run itself: a copy of the model
trains a few epochs on the run's own data, and the run's epochs are that time scaled up. The copy has its
own copies of the random streams, so the run itself draws exactly what it would have drawn without it.

The probe is timed on this thread's CPU clock, not the wall clock: when other learners' sessions are busy
on the same server, a wall-clock probe counted their turns at Python's lock as this run's cost, so ten
learners opening the page together got caps from 450 to 670 of their 1 001 epochs, different for the same
settings. Measured in CPU time, the estimate (and so the cap) is the machine's, not the moment's.
"""

import copy
import time

import numpy as np

import nnengine as nn

LIMIT_SECONDS = 30.0     # a run estimated to take longer trains only the epochs that fit (book presets excepted)
PROBE_SECONDS = 0.05     # about this long, or PROBE_EPOCHS epochs, is timed (after one untimed epoch)
PROBE_EPOCHS = 20
PROBE_ROUNDS = 3         # ... in this many rounds, the quickest of which counts
PROBE_WORK = 2e8         # parameters x samples of the timed epochs: a bigger run is timed on fewer of its samples


def probe_rows(parameters, samples):
    """How many samples the timed epochs use: all of them, unless that is a lot of work (then fewer, and a
    second probe on twice as many tells a step's fixed cost, the optimizer's update, from its cost per sample)."""
    if parameters * samples <= PROBE_WORK:
        return samples
    return min(samples // 2, max(64, int(PROBE_WORK // parameters)))


def seconds_per_epoch(model, X, y, kwargs, clock=time.thread_time):
    """One epoch's seconds on (X, y), timed on ``model`` (which it trains): one untimed epoch (the first
    allocates), then PROBE_ROUNDS rounds of about PROBE_SECONDS / PROBE_ROUNDS or PROBE_EPOCHS epochs each,
    unless one epoch is all the time there is. A round is timed from the end of its first epoch to the end of
    its last (fit's callback reads the clock), so what a call of fit costs before its first epoch (checking
    its arguments) is left out: a run pays it once, a round of 20 short epochs paid it 20 times over. The
    quickest round counts: another process busy on the same core for a moment slows a round (even on the CPU
    clock, when two cores share one physical core), never speeds it up. A run that diverges is timed over the
    epochs it trained (a diverging loss costs no more than another)."""
    started = clock()
    try:
        model.fit(X, y, epochs=1, **kwargs)
    except nn.TrainingDiverged:
        return clock() - started
    first = clock() - started
    if first >= PROBE_SECONDS:
        return first
    rounds = []
    for _ in range(PROBE_ROUNDS):
        ends, diverged = epoch_ends(model, X, y, kwargs, clock)
        if len(ends) >= 2:
            rounds.append((ends[-1] - ends[0]) / (len(ends) - 1))
        if diverged:
            break
    return min(rounds) if rounds else first


def epoch_ends(model, X, y, kwargs, clock):
    """One round of the probe: up to PROBE_EPOCHS + 1 epochs, until PROBE_SECONDS / PROBE_ROUNDS have passed
    since the first ended. Returns (the clock at the end of each epoch, whether the loss diverged)."""
    ends = []

    def epoch_ended(record):
        if "batch" in record:                   # between two batches: the epoch goes on
            return True
        ends.append(clock())
        return ends[-1] - ends[0] < PROBE_SECONDS / PROBE_ROUNDS

    try:
        model.fit(X, y, epochs=PROBE_EPOCHS + 1, callback=epoch_ended, **kwargs)
    except nn.TrainingDiverged:
        return ends, True
    return ends, False


def estimate_seconds(setup, settings, validation_freq, clock=time.thread_time):
    """Seconds that ``settings.epochs`` epochs of this run take on this machine as it is now (finding out
    takes about a tenth of a second)."""
    if not len(setup.X):
        return 0.0                   # your own points, none placed yet: nothing to train
    model = copy.deepcopy(setup.model)
    n, parameters = len(setup.X), model.count_parameters()
    rows = probe_rows(parameters, n)
    kwargs = {"batch_size": settings.batch_size or None,
              "rng": np.random.RandomState(settings.seed + 1) if settings.batch_size else None}
    if rows == n:
        per_epoch = seconds_per_epoch(model, setup.X, setup.y, kwargs, clock)
    else:
        # A step on k samples takes about fixed + k x per_sample: two full-batch probes give both.
        one = seconds_per_epoch(model, setup.X[:rows], setup.y[:rows], {}, clock)
        two = seconds_per_epoch(model, setup.X[:2 * rows], setup.y[:2 * rows], {}, clock)
        per_sample = max(two - one, 0.0) / rows
        fixed = max(one - rows * per_sample, 0.0)
        steps = -(-n // settings.batch_size) if settings.batch_size else 1
        per_epoch = steps * fixed + n * per_sample
    val_rows = min(len(setup.X_val), max(rows, 64))
    if not val_rows:
        return settings.epochs * per_epoch          # no validation set (your own points, share 0)
    started = clock()
    model.evaluate(setup.X_val[:val_rows], setup.y_val[:val_rows])
    per_validation = (clock() - started) * len(setup.X_val) / val_rows
    return settings.epochs * per_epoch + (settings.epochs // validation_freq + 1) * per_validation


def epoch_cap(estimate, epochs, limit=LIMIT_SECONDS):
    """How many of ``epochs`` fit in about ``limit`` seconds when all of them take ``estimate`` (at least 1)."""
    if estimate <= limit:
        return epochs
    return max(1, min(epochs, int(epochs * limit / estimate)))
