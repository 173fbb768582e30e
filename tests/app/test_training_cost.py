"""ui/training_cost.py: a run's cost is measured on a copy of its model, and only runs that are not the
book's are capped to about LIMIT_SECONDS."""

import time

import numpy as np
from conftest import open_page, texts

import nnengine as nn
from ui import training, training_cost

PAGE = "app_pages/training.py"


def final_weights(setup, settings):
    setup.model.fit(setup.X, setup.y, epochs=settings.epochs, **training.fit_kwargs(settings, setup))
    return [array.copy() for _, array in setup.model.parameters()]


def test_the_estimate_leaves_the_runs_random_streams_and_weights_untouched():
    """It trains a copy: the run then draws the same dropout masks and the same shuffles as without it."""
    settings = training.Settings(samples=50, hidden=(16,), dropout=0.2, batch_size=32, epochs=15)
    plain = final_weights(training.build(settings), settings)
    setup = training.build(settings)
    before = [array.copy() for _, array in setup.model.parameters()]
    assert training_cost.estimate_seconds(setup, settings, validation_freq=1) > 0
    assert all(np.array_equal(a, b) for a, b in zip(before, (array for _, array in setup.model.parameters())))
    assert setup.model.epochs_done == 0 and not setup.model.history.records
    assert all(np.array_equal(a, b) for a, b in zip(plain, final_weights(setup, settings)))


def test_a_diverging_run_is_still_estimated():
    settings = training.Settings(dataset="sine", samples=200, optimizer="SGD", lr=10.0, init_scale=0.5, epochs=300,
                                 noise=0.0)
    assert training_cost.estimate_seconds(training.build(settings), settings, validation_freq=1) > 0


def test_a_big_run_is_timed_on_fewer_samples():
    assert training_cost.probe_rows(387, 300) == 300
    assert training_cost.probe_rows(500_000, 5_000) < 2_500


def test_the_cap_keeps_a_run_to_about_the_limit():
    assert training_cost.epoch_cap(10.0, 10_001) == 10_001
    assert training_cost.epoch_cap(60.0, 10_001, limit=30.0) == 5_000
    assert training_cost.epoch_cap(1e9, 10_001) == 1


def test_a_book_preset_trains_to_its_last_epoch_however_long_it_is_estimated(monkeypatch):
    monkeypatch.setattr(training_cost, "estimate_seconds", lambda setup, settings, freq: 1e6)
    at = open_page(PAGE)
    at.selectbox(key="preset").set_value("Chapter 17: sine regression").run()
    epochs = training.preset("Chapter 17: sine regression").epochs
    assert [p.proto.text for p in at.get("progress")] == [f"epoch 0 of {epochs}"]
    assert not any("trains at most" in w for w in texts(at.warning))
    at.number_input(key="epochs").set_value(epochs - 1).run()        # no longer the book's run: capped
    assert any("would take about 1,000,000 s" in w and "trains at most" in w for w in texts(at.warning))
    assert [p.proto.text for p in at.get("progress")] == ["epoch 0 of 1"]


def test_a_moment_when_the_core_is_busy_elsewhere_does_not_inflate_the_estimate():
    """Another process busy on the same core for a moment slows one round of the probe (on the CPU clock too,
    when two cores share one physical core): the quickest round counts, so the estimate stays the machine's."""
    settings = training.Settings(epochs=1000)
    calm = training_cost.estimate_seconds(training.build(settings), settings, 5)
    calls = []

    def hiccup():                             # the CPU clock, with half a second lost once, early in the probe
        calls.append(None)
        return time.thread_time() + (0.5 if len(calls) >= 4 else 0.0)

    busy = training_cost.estimate_seconds(training.build(settings), settings, 5, clock=hiccup)
    assert busy < 2 * calm, (busy, calm)


def test_what_a_call_of_fit_costs_before_its_first_epoch_is_not_counted_per_epoch(monkeypatch):
    """A run calls fit once; the probe calls it once a round. Each call first checks its arguments, which on a
    quick processor cost as much as ten short epochs: timed with them, 20-epoch rounds put chapter 10 at 1.7x
    its real time. Here a call's start costs a (pretend) 20 ms, a hundred short epochs, and the estimate does not
    move."""
    settings = training.Settings(epochs=1000)
    calm = training_cost.estimate_seconds(training.build(settings), settings, 5)
    lost = [0.0]
    fit = nn.Model.fit

    def slow_to_start(self, *args, **kwargs):
        lost[0] += 0.02                       # the pretend 20 ms, before any epoch
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(nn.Model, "fit", slow_to_start)
    slow = training_cost.estimate_seconds(training.build(settings), settings, 5, clock=lambda: time.thread_time()
                                          + lost[0])
    assert slow < 2 * calm, (slow, calm)
