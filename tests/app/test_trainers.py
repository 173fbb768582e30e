"""The trainer queue: one training per core, first come first served, closed tabs forgotten, long runs
take turns; and the Training page waiting in line with a message."""

import threading

from conftest import open_page, texts

from ui import trainers
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
    assert queue.ask("a") is None                    # a keeps its turn from chunk to chunk
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
        at.button(key="train").click().run()
        assert not at.exception
        assert any("Waiting for a free trainer, 1 ahead" in i for i in texts(at.info))
        assert progress(at) == ["epoch 0 of 50"]
    finally:
        for ticket in others:
            queue.leave(ticket)
    at.run()
    assert not any("Waiting" in i for i in texts(at.info))
    assert progress(at)[0].startswith("epoch 50 of 50 · loss")
    assert queue.status() == (0, 0)                  # a finished run gives its trainer back
