"""Sharing the machine between learners: at most one training per core at a time, the rest wait in line.

A hosted app serves every learner from one process. Twenty learners pressing Train at once would make
twenty trainings share two cores, and every page, the concept pages too, would crawl. So a training
asks the queue for a turn before each chunk of epochs:

- first come, first served: at most ``slots`` sessions train at once (``trainer_count``);
- a session keeps its turn from chunk to chunk until its run ends, so most runs train without pause;
- a run that has trained for ``turn_seconds`` while others wait goes to the back of the line;
- a session that stops asking (its tab was closed) loses its place after ``lease_seconds``.

The queue knows sessions only by an opaque ticket (a random string): nothing of a learner's data or
model ever enters it, so one queue is safely shared by every session (``shared_queue``), as is the
measure of the machine's speed (``machine_speed``).
"""

import os
import secrets
import threading
import time

import streamlit as st

from ui import training

LEASE_SECONDS = 5.0      # a ticket not heard from for this long is dropped (a closed tab)
TURN_SECONDS = 20.0      # a run that has trained this long while others wait lets the next one go


def trainer_count():
    """How many trainings run at once: one core is kept for the pages, the others train (at least one).

    Why not one per core: the server is one Python process, and Python runs the Python code of one
    thread at a time. A training of small matrices is mostly Python between short numpy calls, so two
    trainings on two cores mostly take turns at that lock, and lose time handing it over: on 2 cores,
    20 runs took the server 60 s of CPU two at a time and 33 s one at a time (bench/load.py).
    NNX_TRAINERS=n sets the number, for a machine where more pay off.
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
        """Ask for a turn (the session asks again before every chunk, and every second while it waits).
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


@st.cache_resource(ttl=3600, show_spinner=False)
def machine_speed():
    """This server's seconds per unit of training work (ui/training.py's estimate of a run's cost multiplies
    it), timed once an hour: it describes the machine, not a learner, so every session shares it."""
    return training.calibrate()


def waiting_message(ahead, slots):
    trainers = "one training" if slots == 1 else f"{slots} trainings"
    where = "you are next" if ahead == 0 else f"{ahead} ahead"
    return (f"Waiting for a free trainer, {where}. This server runs {trainers} at a time so that every page "
            "stays quick; yours starts by itself.")
