"""The trainer queue: one training per core, first come first served, closed tabs forgotten, long runs
take turns; and the Training page waiting in line with a message."""

import os
import signal
import threading
from functools import partial
from pathlib import Path

import numpy as np
from conftest import open_page, texts, train, until_trained

from ui import trainers, training, training_process
from ui.trainers import TrainerQueue

PAGE = "app_pages/training.py"


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_at_most_slots_tickets_train_and_the_rest_wait_in_order():
    queue = TrainerQueue(2, clock=Clock())
    assert queue.ask("a") is None and queue.ask("b") is None
    assert [queue.ask(t) for t in "cde"] == [0, 1, 2]
    assert queue.status() == (2, 3)
    assert queue.ask("a") is None                    # a keeps its turn while it asks again
    queue.leave("a")
    assert queue.ask("e") == 1                       # c took a's trainer; d is ahead of e
    assert queue.ask("c") is None and queue.ask("d") == 0


def test_a_ticket_that_stops_asking_loses_its_trainer_and_its_place():
    clock = Clock()
    queue = TrainerQueue(1, lease_seconds=5, clock=clock)
    queue.ask("closed tab")
    assert queue.ask("b") == 0 and queue.ask("c") == 1
    clock.now = 3
    assert queue.ask("c") == 1
    clock.now = 6                                    # "closed tab" silent for 6 s; b last asked at 0 s
    assert queue.ask("c") is None
    assert queue.status() == (1, 0)


def test_a_long_run_lets_the_next_go_when_others_wait():
    clock = Clock()
    queue = TrainerQueue(1, lease_seconds=100, turn_seconds=10, clock=clock)
    assert queue.ask("long") is None
    clock.now = 20
    assert queue.ask("long") is None                 # nobody waits: it keeps going
    assert queue.ask("next") == 0
    clock.now = 21
    assert queue.ask("long") == 0                    # its turn is over: to the back of the line
    assert queue.ask("next") is None


def test_many_threads_asking_at_once_never_get_more_trainers_than_slots():
    queue = TrainerQueue(2)
    granted = []

    def learner(name):
        for _ in range(200):
            if queue.ask(name) is None:
                granted.append(queue.status()[0])
        queue.leave(name)

    threads = [threading.Thread(target=learner, args=(f"t{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert granted and max(granted) <= 2
    assert queue.status() == (0, 0)


def test_one_core_is_kept_for_the_pages(monkeypatch):
    monkeypatch.delenv("NNX_TRAINERS", raising=False)
    monkeypatch.setattr(trainers.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    assert trainers.trainer_count() == 3
    monkeypatch.setattr(trainers.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert trainers.trainer_count() == 1
    monkeypatch.setenv("NNX_TRAINERS", "2")
    assert trainers.trainer_count() == 2


def test_the_message_says_the_place_in_line():
    assert "Waiting for a free trainer, 3 ahead" in trainers.waiting_message(3, 2)
    assert "you are next" in trainers.waiting_message(0, 2)
    assert "2 trainings at a time" in trainers.waiting_message(0, 2)


def progress(at):
    return [str(p.proto.text) for p in at.get("progress")]


def test_the_page_waits_for_a_free_trainer_then_trains():
    queue = trainers.shared_queue()
    others = [f"other learner {i}" for i in range(queue.slots + 1)]
    for ticket in others:
        queue.ask(ticket)
    try:
        at = open_page(PAGE, {"epochs": "50"})
        for ticket in others:
            queue.ask(ticket)                        # still there (a slow page load must not outlast their lease)
        at.button(key="train").click().run()
        assert not at.exception
        assert any("Waiting for a free trainer, 1 ahead" in i for i in texts(at.info)), texts(at.info)
        assert progress(at) == ["epoch 0 of 50"]
    finally:
        for ticket in others:
            queue.leave(ticket)
    until_trained(at)
    assert not any("Waiting" in i for i in texts(at.info))
    assert progress(at)[0].startswith("epoch 50 of 50 · loss")
    assert queue.status() == (0, 0)                  # a finished run gives its trainer back


# ---- a run trained in a process of its own ----------------------------------------------------------------------

def run_settings(**changes):
    return training.Settings(**{"samples": 40, "hidden": (16,), "epochs": 60, **changes})


def fit_arguments(settings, setup):
    return {**training.fit_kwargs(settings, setup), "validation_freq": 7}


def one_fit(settings):
    """The run as ONE model.fit of all its epochs: what every page run of these settings must equal."""
    setup = training.build(settings)
    setup.model.fit(setup.X, setup.y, epochs=settings.epochs, **fit_arguments(settings, setup))
    return setup.model


def same_numbers(a, b):
    weights = all(np.array_equal(x, y) for (_, x), (_, y) in zip(a.parameters(), b.parameters()))
    losses = [r["loss"] for r in a.history.records] == [r["loss"] for r in b.history.records]
    return weights and losses and a.epochs_done == b.epochs_done


def test_a_trainer_trains_its_epochs_on_its_thread_and_gives_its_turn_back():
    settings = run_settings()
    setup = training.build(settings)
    queue = TrainerQueue(1)
    trainer = trainers.Trainer(setup.model, setup.X, setup.y, settings.epochs, fit_arguments(settings, setup),
                               queue, "t").start()
    assert trainer.wait(120)
    assert trainer.error is None and trainer.diverged is None
    assert queue.status() == (0, 0)
    assert same_numbers(setup.model, one_fit(settings))
    shot = trainer.snapshot()
    assert shot.epochs_done == settings.epochs and shot.records == settings.epochs
    drawn = trainer.drawing_model(shot)
    assert drawn is not setup.model and same_numbers(drawn, setup.model) is False     # a copy: no history
    assert all(np.array_equal(x, y) for (_, x), (_, y) in zip(drawn.parameters(), setup.model.parameters()))


def test_stopped_and_started_anywhere_a_run_equals_one_fit_of_all_its_epochs():
    """Mini-batches shuffled and dropout masks drawn from streams that go on across Stop and Train: wherever
    the stops fall (they depend on the machine's speed), the numbers are those of one fit."""
    settings = run_settings(batch_size=8, dropout=0.2, epochs=500)
    setup = training.build(settings)
    arguments, queue = fit_arguments(settings, setup), TrainerQueue(1)
    stops = []
    while setup.model.epochs_done < settings.epochs:
        before = setup.model.epochs_done
        trainer = trainers.Trainer(setup.model, setup.X, setup.y, settings.epochs, arguments, queue, "t").start()
        while trainer.running() and trainer.snapshot().epochs_done == before:
            trainer.wait(0.01)                       # until it has trained a little (a snapshot shows it)
        trainer.stop()
        assert trainer.wait(120) and trainer.error is None
        stops.append(setup.model.epochs_done)
    assert len(stops) > 1 and stops[0] < settings.epochs     # it was stopped and started again at least once
    assert same_numbers(setup.model, one_fit(settings))


def test_a_run_trains_in_a_process_of_its_own_and_a_lost_process_leaves_the_model_as_it_was():
    """The training runs in a process of its own (not a thread of the server, whose pages would take turns with
    it at Python's lock). If that process dies (killed, out of memory), the run ends with TrainingLost and the
    model, History and queue are as they were when the turn started."""
    settings = run_settings(epochs=1_000_000)
    setup = training.build(settings)
    queue = TrainerQueue(1)
    trainer = trainers.Trainer(setup.model, setup.X, setup.y, settings.epochs, fit_arguments(settings, setup),
                               queue, "t").start()
    while trainer.snapshot().epochs_done == 0:
        assert trainer.wait(0.01) is False
    process = trainer.process
    assert process.pid != os.getpid()
    assert "ui.training_process" in Path(f"/proc/{process.pid}/cmdline").read_text()
    os.kill(process.pid, signal.SIGKILL)
    assert trainer.wait(60)
    assert isinstance(trainer.error, trainers.TrainingLost) and trainer.error.exit_code == -signal.SIGKILL
    assert setup.model.epochs_done == 0 and setup.model.history.records == []
    assert queue.status() == (0, 0)


def test_a_training_process_keeps_the_memory_its_epochs_free_for_the_next():
    """glibc gave a fresh training process's freed temporaries back to the system after every epoch and
    faulted them in again (the digits trained at 1.8x the CPU time of the same fit in the server): the
    process starts with its allocator told to keep them. Its check reports the setting from inside it."""
    settings = run_settings(epochs=5)
    setup = training.build(settings)
    trainer = trainers.Trainer(setup.model, setup.X, setup.y, settings.epochs, fit_arguments(settings, setup),
                               TrainerQueue(1), "t", check=partial(os.getenv, "MALLOC_TRIM_THRESHOLD_")).start()
    assert trainer.wait(60) and trainer.error is None
    assert trainer.verdict == training_process.KEEP_MEMORY["MALLOC_TRIM_THRESHOLD_"]


def test_the_page_says_when_a_training_process_was_lost_and_trains_on():
    at = open_page(PAGE, {"epochs": "50001"})
    at.button(key="train").click().run()
    trainer = at.session_state["training_run"]["trainer"]
    while trainer.process is None or trainer.snapshot().epochs_done == 0:
        assert trainer.wait(0.01) is False
    os.kill(trainer.process.pid, signal.SIGKILL)
    assert trainer.wait(60)
    at.run()
    assert not at.exception
    assert any("The training stopped unexpectedly at epoch 0" in e and "press Train to go on" in e
               for e in texts(at.error)), texts(at.error)
    at.button(key="step_epoch").click().run()
    assert progress(at)[0].startswith("epoch 1 of ") and " · loss" in progress(at)[0]


def test_a_run_whose_page_has_gone_stops_and_frees_its_trainer():
    settings = run_settings(epochs=50_001)
    setup = training.build(settings)
    queue, open_ = TrainerQueue(1), threading.Event()
    open_.set()
    trainer = trainers.Trainer(setup.model, setup.X, setup.y, settings.epochs, fit_arguments(settings, setup),
                               queue, "t", page_open=open_.is_set).start()
    open_.clear()                                      # the tab is closed
    assert trainer.wait(120)
    assert setup.model.epochs_done < settings.epochs and queue.status() == (0, 0)


def test_long_runs_take_turns_and_never_train_more_than_the_slots_at_once():
    settings = run_settings(epochs=300)
    queue = TrainerQueue(1, turn_seconds=0.0)          # every ask while another waits ends a turn
    seen = []
    runs = []
    for name in "ab":
        setup = training.build(settings)
        runs.append((setup, trainers.Trainer(setup.model, setup.X, setup.y, settings.epochs,
                                             fit_arguments(settings, setup), queue, name)))
    for _, trainer in runs:
        trainer.start()
    while any(trainer.running() for _, trainer in runs):
        seen.append(queue.status()[0])
        runs[0][1].wait(0.01)
    assert max(seen) <= 1
    expected = one_fit(settings)
    assert all(same_numbers(setup.model, expected) for setup, _ in runs)


def test_the_page_trains_on_while_nothing_redraws_it():
    """Training does not wait for the page: after one click, with no rerun at all, the run ends by itself."""
    # A run of several seconds: one expected to end within a second of Train is waited for by the click's own
    # run (SHORT_RUN), and 2,000 epochs of the default network are that short on a quick processor.
    at = open_page(PAGE, {"epochs": "3000", "hidden": "256"})
    at.button(key="train").click().run()
    trainer = at.session_state["training_run"]["trainer"]
    assert trainer is not None, "the run ended within the click's own run: make it longer"
    assert trainer.wait(300)
    at.run()
    assert progress(at)[0].startswith("epoch 3000 of 3000 · loss")


def test_step_stop_and_train_give_the_numbers_of_one_fit():
    """Mini-batches and dropout: three Steps, then Train with a Stop in the middle, end where one fit of all
    the epochs ends (the page's shuffle stream used to start again at every chunk and every Step)."""
    query = {"samples": "40", "hidden": "16", "epochs": "60", "batch_size": "8", "dropout": "0.2"}
    at = open_page(PAGE, query)
    for _ in range(3):
        at.button(key="step_epoch").click().run()
    at.button(key="train").click().run()
    at.button(key="stop").click().run()
    train(at)
    model = at.session_state["training_run"]["setup"].model
    settings = at.session_state["training_run"]["settings"]
    expected = training.build(settings)
    expected.model.fit(expected.X, expected.y, epochs=60, batch_size=8,
                       rng=np.random.RandomState(settings.seed + 1))
    assert model.epochs_done == 60
    assert all(np.array_equal(x, y) for (_, x), (_, y) in zip(model.parameters(), expected.model.parameters()))
    assert [r["loss"] for r in model.history.records] == [r["loss"] for r in expected.model.history.records]
