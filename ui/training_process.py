"""One turn of a training run, trained in a process of its own.

Why a process and not a thread: the server is one Python process, and Python runs the Python code of
one thread at a time. A training of small matrices is mostly Python between short numpy calls, so a
training thread took turns with everything else the server did: beside its own page's redraws the book's
chapter 10 run took 1.6 to 1.9 times as long as alone (bench/training_ui.py), and with twenty learners'
pages open on one server no run finished its 10 001 epochs within ten minutes (bench/load.py). A process
has an interpreter of its own: it trains on a core of its own while the server draws the pages.

``Trainer`` (ui/trainers.py) trains each turn in a process of its own (``start_turn``): a fresh Python that
imports only numpy and the engine, never a fork of the app's server with its many threads, started ahead
of need (``Spare``) so that a turn starts at once. The process receives copies of the model, the data,
``fit``'s arguments and the run's check (pickled as one whole: the check's model IS the model trained),
runs ONE ``model.fit``, sends a ``Snapshot`` about every SNAPSHOT_SECONDS, obeys 'stop' and 'pause', and
at the end sends the trained model and the shuffle stream's state back; ``finish_turn`` puts them in place
of the page's own, so the run goes on exactly as if it had trained in the server (pickle copies numbers
bit for bit).

Pickle is safe here: its bytes travel only on a socket pair between the server and the process it started
(nobody else can write to it), and they hold objects the app built; a learner's files are read without it
(nnengine/files.py). This module imports no Streamlit, so the training processes load only what they need.
"""

import os
import pickle
import socket
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import nnengine as nn

SNAPSHOT_SECONDS = 0.1   # the copy of the weights the page draws from is sent this often
LOOK_SECONDS = 0.01      # the process looks for 'stop' and 'pause' this often
STOP_SECONDS = 0.3       # Stop waits this long for the epoch to end, then stops between two of its batches
START_SECONDS = 0.3      # about how long a training process takes to start (a new Python importing numpy)
REFILL_SECONDS = 5.0     # a spare process taken for a turn is replaced this long after (``Spare``)
ROOT = Path(__file__).resolve().parent.parent      # the repository: the process runs `python -m ui.training_process`


@dataclass(frozen=True)
class Snapshot:
    """What the page draws while a run trains: the model as it was at one moment between two epochs (or two
    batches of a long epoch), copied so that drawing it never touches the arrays being trained."""
    epochs_done: int
    records: int                  # how many History records were complete then
    weights: tuple                # copies of model.parameters()' arrays, in that order
    progress: dict = None         # the last callback record (with 'batch' and 'batches' in a long epoch)


def snapshot(model, progress=None):
    history = model.history.records
    return Snapshot(model.epochs_done, len(history), tuple(array.copy() for _, array in model.parameters()),
                    progress if progress is not None else (history[-1] if history else None))


# Every epoch allocates the same large temporaries (activations, gradients, the book's float64 products) and
# frees them. In a fresh, small process glibc's allocator hands such memory back to the system at once and
# takes it again, zeroed, page by page, next epoch: the digits' 2 000 epochs took 7.7 s of CPU that way, 4.2 s
# with these two settings (arrays up to 256 MB come from the heap, and freed memory is kept for the next epoch).
# Other allocators ignore them.
KEEP_MEMORY = {"MALLOC_MMAP_THRESHOLD_": str(256 * 2**20), "MALLOC_TRIM_THRESHOLD_": str(2**30)}


def launch():
    """A new training process, waiting for its job on the connection: (process, connection)."""
    ours, theirs = socket.socketpair()
    process = subprocess.Popen([sys.executable, "-m", "ui.training_process", str(theirs.fileno())],
                               pass_fds=[theirs.fileno()], cwd=ROOT, stdin=subprocess.DEVNULL,
                               env={**os.environ, **KEEP_MEMORY})
    theirs.close()
    return process, Connection(ours.detach())


class Spare:
    """One training process started ahead of need for the server's next turn: a new Python takes about
    START_SECONDS to import numpy and the engine, so a turn that takes the spare starts at once. The next spare
    starts REFILL_SECONDS later, not at once: its import (about a quarter of a second of a core) would otherwise
    compete with the turn that has just begun, and with the browser drawing it, on a small machine. A turn taken
    before then starts a process of its own. A spare is only an idle process waiting for a job: nothing of any
    learner's is in it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._waiting = launch()

    def take(self):
        with self._lock:
            ready, self._waiting = self._waiting, None
        refill = threading.Timer(REFILL_SECONDS, self.refill)
        refill.daemon = True
        refill.start()
        if ready is None or ready[0].poll() is not None:      # none yet, or it has died
            return launch()
        return ready

    def refill(self):
        """Start the next spare, unless one is waiting already."""
        with self._lock:
            if self._waiting is None:
                self._waiting = launch()


def start_turn(model, X, y, epochs, fit_kwargs, check, spare=None):
    """Start one turn: ``model.fit(X, y, epochs=epochs, **fit_kwargs)`` in a training process (the ``Spare``'s,
    if one is given). Returns (process, connection): send 'stop' or 'pause' on the connection; it receives
    ('shot', Snapshot, new History records) now and then, then one ('end', ...) message for ``finish_turn``."""
    process, connection = spare.take() if spare is not None else launch()
    connection.send((model, X, y, epochs, fit_kwargs, check))
    return process, connection


def train_turn(conn, model, X, y, epochs, fit_kwargs, check):
    """In the training process: one fit; snapshots on the way; the trained model at the end."""
    sent = len(model.history.records)      # History records the page has been sent
    published = looked = time.monotonic()
    asked = {}                             # 'stop' or 'pause' -> when it arrived
    verdict = None

    def between_steps(record):
        """fit's callback. False ends the fit: Stop (at an epoch's end, or between two batches once Stop has
        waited STOP_SECONDS), a pause (the end of the turn, a closed page, new data), or the check's verdict."""
        nonlocal sent, published, looked, verdict
        now = time.monotonic()
        # A message waiting? Looking costs about 30 microseconds, a tenth of a chapter 10 epoch: so at most
        # every LOOK_SECONDS.
        if now - looked >= LOOK_SECONDS:
            looked = now
            while conn.poll():
                asked.setdefault(conn.recv(), now)
        if now - published >= SNAPSHOT_SECONDS:
            records = model.history.records
            conn.send(("shot", snapshot(model, record), records[sent:]))
            sent, published = len(records), now
        if "batch" in record:                   # between two batches of a long epoch
            return not ("stop" in asked and now - asked["stop"] > STOP_SECONDS)
        if asked:
            return False
        if check is not None:
            verdict = check(record)
            if verdict is not None:
                return False
        return True

    outcome = None
    try:
        model.fit(X, y, epochs=epochs, callback=between_steps, **fit_kwargs)
    except nn.TrainingDiverged as error:
        outcome = ("diverged", (error.epoch, error.loss, error.best_epoch, error.best_loss))
    except Exception as error:          # noqa: BLE001 - a bug: sent to the page, which raises it again
        outcome = ("error", _sendable(error))
    shuffle = fit_kwargs.get("rng")
    conn.send(("end", model, None if shuffle is None else shuffle.get_state(), verdict, outcome))


def _sendable(error):
    """The exception itself if pickle can carry it, else a RuntimeError with its text; the traceback as a note."""
    text = "".join(traceback.format_exception(error))
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:                   # noqa: BLE001 - any failure to round-trip
        error = RuntimeError(f"{type(error).__name__}: {error}")
    error.add_note(f"In the training process:\n{text}")
    return error


def finish_turn(model, fit_kwargs, message):
    """On the page's side, with the turn's ('end', ...) message: take the trained state (``adopt``) and the
    shuffle stream's; return (verdict, diverged, error) as the process reported them."""
    _, trained, shuffle_state, verdict, outcome = message
    adopt(model, trained)
    if shuffle_state is not None:
        fit_kwargs["rng"].set_state(shuffle_state)
    diverged = error = None
    if outcome is not None and outcome[0] == "diverged":
        diverged = nn.TrainingDiverged(*outcome[1])
    elif outcome is not None:
        error = outcome[1]
    return verdict, diverged, error


def adopt(model, trained):
    """Make ``model`` the trained copy: its layers (weights, Dropout's random streams), optimizer (step count,
    rate, memories), History and epochs_done. The model object stays the same one, which the page holds;
    its layers and optimizer are the copy's, which belong together (the optimizer keys its memories by
    layer object)."""
    model.__dict__.update(trained.__dict__)


def serve(fd):
    """The training process's main: the turn's job arrives on the connection, and the answers go back on it."""
    import ui.training_diagnosis  # noqa: F401 - what a job's pickle names, imported while the spare waits
    channel = Connection(fd)
    try:
        train_turn(channel, *channel.recv())
    except (EOFError, BrokenPipeError, ConnectionResetError):
        pass                         # the server has gone: nobody to train for
    finally:
        channel.close()
        sys.stderr.flush()
        os._exit(0)                  # at once: the page waits for this process to end before drawing the end


if __name__ == "__main__":      # a training process: python -m ui.training_process FD
    from ui.training_process import serve as serve_under_its_name  # so that what it sends unpickles
    serve_under_its_name(int(sys.argv[1]))
