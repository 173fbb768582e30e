"""Sharing the machine between learners, and training in a process of its own while the page draws.

Each run trains in processes of its own (``Trainer``; ui/training_process.py says why not on a thread of
the server); the Training page only draws from it, as often as it likes, and the training never waits for
a browser to draw.

A hosted app serves every learner from one server. Twenty learners pressing Train at once would make
twenty trainings share the machine's cores, and every page, the concept pages too, would crawl. So a run
asks the queue for a turn before it trains, and again about every ``ASK_SECONDS`` while it does:

- first come, first served: at most ``slots`` sessions train at once (``trainer_count``);
- a run keeps its turn until it ends, so most runs train without pause;
- a run that has trained for ``turn_seconds`` while others wait goes to the back of the line;
- a ticket that stops asking loses its place after ``lease_seconds``; a run whose tab was closed
  stops by itself (``Trainer``) and gives its trainer back.

The queue knows sessions only by an opaque ticket (a random string): nothing of a learner's data or
model ever enters it, so one queue is safely shared by every session (``shared_queue``). A Trainer
belongs to one session (it is kept in that session's state) and holds only that session's run.
"""

import copy
import os
import secrets
import threading
import time

import numpy as np
import streamlit as st

import nnengine as nn
from ui import training_process

LEASE_SECONDS = 5.0      # a ticket not heard from for this long is dropped (a closed tab)
TURN_SECONDS = 20.0      # a run that has trained this long while others wait lets the next one go
ASK_SECONDS = 0.5        # a training thread asks the queue again this often (keeping its place, or giving it up)
WAIT_POLL = 0.25         # a thread waiting in line asks this often


def trainer_count():
    """How many trainings run at once: one core is kept for the server, which draws every learner's pages, and
    each of the others trains one run (in a process of its own), at least one. NNX_TRAINERS=n sets the number
    (deploy/cluster.py gives each replica one, with a replica per core).
    """
    override = os.environ.get("NNX_TRAINERS", "")
    if override.isdigit() and int(override) > 0:
        return int(override)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:                         # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores - 1)


def new_ticket():
    return secrets.token_hex(8)


class TrainerQueue:
    """A line of tickets and the few that hold a trainer. Thread-safe: sessions run in their own threads."""

    def __init__(self, slots, lease_seconds=LEASE_SECONDS, turn_seconds=TURN_SECONDS, clock=time.monotonic):
        self.slots = max(1, int(slots))
        self.lease_seconds, self.turn_seconds, self.clock = lease_seconds, turn_seconds, clock
        self._lock = threading.Lock()
        self._line = []            # waiting tickets, first come first
        self._training = {}        # ticket -> when its turn began
        self._heard = {}           # ticket -> when it last asked

    def ask(self, ticket):
        """Ask for a turn (a training thread asks again about every ASK_SECONDS, and every WAIT_POLL s in line).
        Returns None when the ticket may train now, else how many tickets wait ahead of it in the line."""
        with self._lock:
            return self._place(ticket)

    def leave(self, ticket):
        """The ticket's run has ended (finished, stopped, reset): its trainer, or its place, goes to the next."""
        with self._lock:
            self._training.pop(ticket, None)
            self._heard.pop(ticket, None)
            if ticket in self._line:
                self._line.remove(ticket)

    def status(self):
        """(tickets training, tickets waiting): for the page and the tests."""
        with self._lock:
            return len(self._training), len(self._line)

    def _place(self, ticket):
        """One step of the bookkeeping (the lock held): None when ``ticket`` trains now, else its place."""
        now = self.clock()
        self._heard[ticket] = now
        for other, heard in list(self._heard.items()):
            if now - heard > self.lease_seconds:          # gone quiet: a closed tab or an abandoned run
                self._training.pop(other, None)
                self._heard.pop(other)
                if other in self._line:
                    self._line.remove(other)
        if ticket in self._training:
            if not (self._line and now - self._training[ticket] > self.turn_seconds):
                return None
            del self._training[ticket]                     # its turn is over and others wait
        if ticket not in self._line:
            self._line.append(ticket)
        while self._line and len(self._training) < self.slots:
            self._training[self._line.pop(0)] = now        # the front of the line takes the free trainers
        if ticket in self._training:
            return None
        return self._line.index(ticket)


@st.cache_resource(show_spinner=False)
def shared_queue():
    """The one queue for every session of this server (it holds only tickets: see the module's docstring)."""
    return TrainerQueue(trainer_count())


@st.cache_resource(show_spinner=False)
def spare_process():
    """One idle training process for this server's next turn (ui/training_process.py, ``Spare``)."""
    return training_process.Spare()


def waiting_message(ahead, slots):
    trainers = "one training" if slots == 1 else f"{slots} trainings"
    where = "you are next" if ahead == 0 else f"{ahead} ahead"
    return (f"Waiting for a free trainer, {where}. This server runs {trainers} at a time so that every page "
            "stays quick; yours starts by itself.")


# ---- a run trained in a process of its own ---------------------------------------------------------

def drawing_copy(model):
    """A copy of ``model`` (layers, loss, optimizer; an empty History) to draw snapshots with: a prediction
    runs every layer's forward pass, which stores its inputs in the layer."""
    return copy.deepcopy(model, {id(model.history): nn.History()})


class TrainingLost(RuntimeError):
    """A turn's training process ended without sending its model back (killed, or out of memory): the model is as
    it was when the turn started."""

    def __init__(self, exit_code):
        self.exit_code = exit_code
        super().__init__(f"the training process ended unexpectedly (exit code {exit_code})")


class Trainer:
    """One run, trained until ``epochs`` are done, Stop is asked, its page has gone (``page_open()`` turns
    False) or the loss diverges; a thread of the server looks after it, and the training itself runs in a
    process of its own, one per turn (ui/training_process.py says why).

    The page never waits for the training, nor the training for the page: the page reads ``snapshot()``
    whenever it redraws, and the process sends a new one about every SNAPSHOT_SECONDS. The run trains only
    when the shared queue gives it a turn (see the module's docstring), with ONE model.fit call per turn,
    passing the same arguments each time (the same shuffle stream among them), and the model comes back
    from each turn exactly as trained, so a run's numbers are those of a single fit of all its epochs, however
    often it was paused, stopped and started again. Stop ends the run at the end of an epoch, or between
    two batches when that epoch would make Stop wait more than STOP_SECONDS. ``check(record)`` runs in the
    training process after each epoch (so it is pickled with the model: a module-level function, or a
    functools.partial of one); a message it returns ends the run (``verdict``).
    """

    def __init__(self, model, X, y, epochs, fit_kwargs, queue, ticket, page_open=lambda: True,
                 clock=time.monotonic, check=None, spare=None):
        self.model, self.X, self.y, self.epochs, self.fit_kwargs = model, X, y, int(epochs), fit_kwargs
        self.check, self.spare = check, spare     # spare: a training_process.Spare, or None (a new process each turn)
        self.verdict = None
        self.queue, self.ticket, self.page_open, self.clock = queue, ticket, page_open, clock
        self.place = None                 # tickets ahead of this one in the queue's line; None: not waiting
        self.diverged = None              # the TrainingDiverged that ended the run, if one did
        self.error = None                 # any other exception (a bug): the page raises it again
        self.data_changed_at = []         # epochs_done when data given to use_data took over
        self.process = None               # the turn's training process (a subprocess.Popen), while one trains
        self.finished = threading.Event()
        self._stop = threading.Event()
        self._turn_messages, self._send_lock = None, threading.Lock()   # the connection to the turn's process
        self._new_data, self._data_lock = None, threading.Lock()
        self._drawing = drawing_copy(model)
        self._snapshot = training_process.snapshot(model)
        self._thread = threading.Thread(target=self._run, name=f"trainer-{ticket}", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        """Ask the run to stop (it does so at its next epoch's end, or within about STOP_SECONDS)."""
        self._stop.set()
        self._tell("stop")

    def wait(self, timeout):
        """Wait until the run has ended, at most ``timeout`` seconds; True if it has."""
        return self.finished.wait(timeout)

    def use_data(self, X, y, validation_data):
        """Train on these arrays from the next epoch on (a learner added or removed a point while the run trains):
        the turn in progress ends after its epoch, and the next, with the same model, optimizer and shuffle
        stream, gets the new data. The network is not rebuilt."""
        with self._data_lock:
            self._new_data = (X, y, validation_data)
        self._tell("pause")

    def running(self):
        return not self.finished.is_set()

    def snapshot(self):
        return self._snapshot

    def drawing_model(self, shot):
        """The model as of snapshot ``shot``, for drawing (one copy per run, refreshed in place)."""
        for (_, array), saved in zip(self._drawing.parameters(), shot.weights):
            np.copyto(array, saved)
        self._drawing.epochs_done = shot.epochs_done
        return self._drawing

    # -- the thread that looks after the run --

    def _run(self):
        try:
            while (not self._stop.is_set() and self.verdict is None and self.diverged is None
                   and self.model.epochs_done < self.epochs and self.page_open()):
                self.place = self.queue.ask(self.ticket)
                if self.place is not None:
                    self._stop.wait(WAIT_POLL)          # in line: look again soon (Stop wakes it at once)
                    continue
                with self._data_lock:
                    if self._new_data is not None:
                        self.X, self.y, validation = self._new_data
                        self.fit_kwargs, self._new_data = {**self.fit_kwargs, "validation_data": validation}, None
                        self.data_changed_at.append(self.model.epochs_done)
                self._turn()
        except Exception as error:          # noqa: BLE001 - handed to the page, which raises it again
            self.error = error
        finally:
            self.place = None
            self.queue.leave(self.ticket)
            self._snapshot = training_process.snapshot(self.model)
            self.finished.set()

    def _turn(self):
        """One turn: the process trains while this thread relays its snapshots, keeps the run's place in the
        queue and pauses the process when the turn is over (others wait) or the page has gone."""
        process, messages = training_process.start_turn(
            self.model, self.X, self.y, self.epochs - self.model.epochs_done, self.fit_kwargs, self.check, self.spare)
        with self._send_lock:
            self._turn_messages, self.process = messages, process
        if self._stop.is_set() or self._new_data is not None:
            self._tell("stop" if self._stop.is_set() else "pause")     # asked while the process was starting
        asked, records_before = self.clock(), len(self.model.history.records)
        try:
            while True:
                if messages.poll(ASK_SECONDS):
                    try:
                        message = messages.recv()
                    except EOFError:
                        del self.model.history.records[records_before:]   # the model is as the turn found it
                        raise TrainingLost(process.wait(5)) from None
                    if message[0] == "end":
                        self.verdict, self.diverged, error = training_process.finish_turn(
                            self.model, self.fit_kwargs, message)
                        if error is not None:
                            raise error
                        return
                    _, shot, records = message
                    self.model.history.records.extend(records)
                    self._snapshot = shot
                if self.clock() - asked >= ASK_SECONDS:
                    asked = self.clock()
                    if not self.page_open() or self.queue.ask(self.ticket) is not None:
                        self._tell("pause")
        finally:
            with self._send_lock:
                self._turn_messages = self.process = None
            messages.close()
            process.wait(5)

    def _tell(self, what):
        """Send 'stop' or 'pause' to the turn's process, if one is training."""
        with self._send_lock:
            if self._turn_messages is not None:
                try:
                    self._turn_messages.send(what)
                except OSError:
                    pass                       # it has just ended


def page_watch(grace=LEASE_SECONDS, clock=time.monotonic):
    """A function telling a Trainer whether the page that started it is still open: False once this session's
    browser tab has been gone for ``grace`` seconds (Streamlit keeps a closed tab's session for a while, but
    says at once that it is no longer connected). Outside a Streamlit server (AppTest) it is never False."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx()
    if not runtime.exists() or context is None:
        return lambda: True
    server, session = runtime.get_instance(), context.session_id
    last_seen = [clock()]

    def page_open():
        now = clock()
        if server.is_active_session(session):
            last_seen[0] = now
        return now - last_seen[0] <= grace

    return page_open
