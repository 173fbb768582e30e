"""Optimizers: SGD, momentum, Adagrad, RMSprop and Adam stepping on 2-D loss surfaces."""

import numpy as np
import pyarrow as pa
import streamlit as st

import nnengine as nn
from nnengine import lessons
from nnengine.optimizers import Optimizer
from ui import layout, surface_charts, widgets
from ui import optimizer_notes as notes
from ui.matrix import count
from ui.numbers import significant as number
from ui.optimizer_notes import point
from ui.source import show_code
from ui.state import Control

SURFACE_KEYS = {"Bowl": "bowl", "Valley": "valley", "Saddle": "saddle", "Network": "network"}
NAMES = tuple(lessons.OPTIMIZERS)
LR_OPTIONS = ("0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.3", "0.5", "0.7", "1", "1.5", "2",
              "3", "5", "10")
DECAY_OPTIONS = ("0", "0.0001", "0.001", "0.01", "0.03", "0.1", "0.3", "1")
EPSILON_OPTIONS = ("1e-10", "1e-8", "1e-7", "1e-6", "1e-4", "0.01", "0.1", "1")
BETA_2_OPTIONS = ("0.5", "0.9", "0.99", "0.999", "0.9999")
GRID = 32                   # points per side of a drawn surface: a pixel each in its picture
REACHED = 1e-3              # the race table's "loss below this at step" column, and question 1's level

SURFACE = Control("surface", "Loss surface", "Bowl", "choice", options=tuple(SURFACE_KEYS))
CONDITIONING = Control("cond", "Conditioning c: how many times flatter along x than across", 10, "int", 1, 100)
START_X = Control("x", "Start x", lessons.Bowl.start[0], "float", *lessons.BOX)
START_Y = Control("y", "Start y", lessons.Bowl.start[1], "float", *lessons.BOX)
STEPS = Control("steps", "Steps", 100, "int", 10, 500)
OPTIMIZER = Control("opt", "Optimizer", "SGD", "choice", options=NAMES)
LR = Control("lr", "Learning rate η", "0.3", "choice", options=LR_OPTIONS)
DECAY = Control("decay", "Learning-rate decay", "0", "choice", options=DECAY_OPTIONS)
MOMENTUM = Control("momentum", "Momentum μ", 0.9, "float", 0.0, 0.99)
RHO = Control("rho", "Cache decay ρ", 0.9, "float", 0.0, 0.999)
BETA_1 = Control("beta_1", "β₁ (momentum's average)", 0.9, "float", 0.0, 0.99)
BETA_2 = Control("beta_2", "β₂ (the cache's average)", "0.999", "choice", options=BETA_2_OPTIONS)
EPSILON = Control("eps", "ε", "1e-7", "choice", options=EPSILON_OPTIONS)
TRY_LR = Control("big_lr", "Learning rate for plain SGD", "1.5", "choice", options=LR_OPTIONS)
CONTROLS = (SURFACE, CONDITIONING, START_X, START_Y, STEPS, OPTIMIZER, LR, DECAY, MOMENTUM, RHO, BETA_1, BETA_2,
            EPSILON, TRY_LR)
# The hyperparameter each control sets, and how its widget is drawn: (control, setting, slider step or None).
SETTINGS = {"momentum": (MOMENTUM, 0.01), "rho": (RHO, 0.001), "beta_1": (BETA_1, 0.01), "beta_2": (BETA_2, None),
            "epsilon": (EPSILON, None)}


def option(value, options):
    """The option text standing for a number (options are the widget's strings)."""
    return min(options, key=lambda o: abs(float(o) - value))


# -- cached math: pure functions of their settings ---------------------------------------------
@st.cache_data(show_spinner=False, max_entries=64)
def surface_grid(key, conditioning):
    surface = lessons.make_surface(key, conditioning)
    xs, ys, values = surface.grid(GRID)
    worst = float(lessons.curvatures(surface, surface.minimum)[-1])
    return surface_charts.surface_image(xs, ys, values), worst


@st.cache_data(show_spinner=False, max_entries=256)
def walk(key, conditioning, start, steps, name, settings):
    surface = lessons.make_surface(key, conditioning)
    run = lessons.race(surface, lessons.make_optimizer(name, **dict(settings)), start, steps)
    return run, surface_charts.path_table(name, run.path, run.losses, every=max(1, steps // 150))


@st.cache_data(show_spinner="nnengine's five optimizers are racing…", max_entries=128)
def race_of_five(key, conditioning, start, steps):
    runs = lessons.race_all(lessons.make_surface(key, conditioning), start, steps)
    rows = pa.concat_tables([surface_charts.path_table(name, run.path, run.losses, every=max(1, steps // 100))
                             for name, run in runs.items()])
    return runs, rows


@st.cache_data(show_spinner=False, max_entries=64)
def decay_rows(name, learning_rate, decay, steps):
    """Learning rate per step for the chosen decay, then three others to compare with."""
    decays = [decay] + [d for d in (0.0, 0.001, 0.01, 0.1) if d != decay][:3]
    curves = [(f"decay {d:g}" + (" (yours)" if d == decay else ""),
               lessons.decay_curve(lessons.make_optimizer(name, learning_rate=learning_rate, decay=d), steps))
              for d in decays]
    # The curves are smooth and monotone: about 100 points each draw them as well as all 500.
    return (surface_charts.decay_table(curves, every=max(1, steps // 100)), [label for label, _ in curves],
            curves[0][1])


@st.cache_data(show_spinner=False)
def answers():
    valley = lessons.make_surface("valley")
    valley_runs = lessons.race_all(valley, valley.start, 500)
    reach = {name: lessons.first_step_below(run, REACHED) for name, run in valley_runs.items()}
    network = lessons.make_surface("network")
    mirrored = lessons.race_all(network, (2.0, -2.0), 200)
    nudged = lessons.race_all(network, (2.0, -1.9), 200)
    bowl = lessons.make_surface("bowl", 10)
    limit = 2 / lessons.curvatures(bowl, bowl.minimum)[-1]
    below = lessons.race(bowl, nn.SGD(learning_rate=0.95 * limit), bowl.start, 100)
    above = lessons.race(bowl, nn.SGD(learning_rate=1.05 * limit), bowl.start, 100)
    return reach, mirrored, nudged, limit, below, above


def surface_changed():
    """A new surface starts from the point that shows its character (a button-like callback)."""
    surface = lessons.SURFACES[SURFACE_KEYS[st.session_state[SURFACE.key]]]
    st.session_state[START_X.key], st.session_state[START_Y.key] = map(float, surface.start)


def optimizer_changed():
    """A newly chosen optimizer starts from its race settings."""
    settings = lessons.RACERS[st.session_state[OPTIMIZER.key]]
    st.session_state[LR.key] = option(settings["learning_rate"], LR_OPTIONS)
    st.session_state[DECAY.key] = option(settings["decay"], DECAY_OPTIONS)
    for name, value in settings.items():
        if name in SETTINGS:
            control, step = SETTINGS[name]
            st.session_state[control.key] = option(value, control.options) if step is None else float(value)


def choice_slider(control, help=None):
    """A select slider over a Control's option texts (a log-like scale), bound to the link."""
    return st.select_slider(control.label, control.options, control.default, key=control.key,
                            bind="query-params", help=help)


layout.header("Optimizers: how do weights move?",
              "An optimizer turns gradients into steps; on a loss over just two weights you can watch SGD, momentum, "
              "Adagrad, RMSprop and Adam walk, race, slow down with decay and blow up with too large a step.",
              "book chapter 10, *Optimizers*, and the series' optimizer videos")
layout.link_notices(CONTROLS)

# -- one optimizer ---------------------------------------------------------------------------------
@st.fragment
def one_optimizer(surface, surface_name, key, conditioning, start, steps, picture, marks):
    st.subheader("One optimizer, step by step")
    summary = st.container()      # where it ended, filled once the run is known
    left, right = st.columns([2, 3], gap="large")
    with left:
        name = st.radio(OPTIMIZER.label, OPTIMIZER.options, index=OPTIMIZER.options.index(OPTIMIZER.default),
                        key=OPTIMIZER.key, bind="query-params", horizontal=True, on_change=optimizer_changed)
        settings = {"learning_rate": float(choice_slider(LR, notes.HELP["learning_rate"])),
                    "decay": float(choice_slider(DECAY, notes.HELP["decay"]))}
        for setting in lessons.surfaces.EXTRA_SETTINGS[name]:
            control, step = SETTINGS[setting]
            value = (choice_slider(control, notes.HELP[setting]) if step is None
                     else widgets.slider(control, step, help=notes.HELP[setting]))
            settings[setting] = float(value)
        st.latex(notes.RULE[name])
        st.caption("g is the gradient at the current point, η_t = η / (1 + decay · t) the learning rate of step t "
                   "(t counted from 0); c, v and m are remembered from step to step, one number per weight.")
    run, rows = walk(key, conditioning, start, steps, name, tuple(sorted(settings.items())))
    done = len(run.path) - 1
    with summary:
        cols = st.columns([2, 3, 2])
        cols[0].metric(f"Loss after {count(done, 'step')}", number(run.losses[-1]),
                       help=f"From {number(run.losses[0], 5)}.")
        cols[1].metric("Where it stopped", point(run.path[-1]))
        distance = min(float(np.hypot(*(run.path[-1] - np.array(p)))) for p in surface.minima)
        cols[2].metric("Distance left", number(distance, 3),
                       help="To the nearest lowest point: " + " or ".join(point(p) for p in surface.minima) + ".")
        if run.diverged:
            st.error(notes.diverged_message(run, name), icon=":material/error:")
        for note in (notes.off_map_note(run, name), notes.thrown_back_note(run, name)):
            if note:
                st.info(note, icon=":material/info:")
    # The walk beside its controls; on a phone it stays in view above them while they move.
    with right, layout.pinned_column("one_optimizer"):
        layout.chart(
            surface_charts.surface_chart(picture, rows, [name], marks, lessons.BOX),
            f"{name} on the {surface_name.lower()} surface, {count(done, 'step')} from {point(start)}; "
            f"darker grey is higher loss, and each band is the next contour. It stopped at {point(run.path[-1])} "
            f"with loss {number(run.losses[-1])}.",
            f"{name}'s path on the {surface_name.lower()} surface, drawn as grey contour bands (darker is higher "
            "loss), with the start and the lowest point marked.")
    step_col, loss_col = st.columns([2, 3], gap="large")
    with step_col:
        shown = [k for k in range(min(done, 5) + 1)] + ([done] if done > 5 else [])
        table = ["| step | x | y | loss | η used |", "|---:|---:|---:|---:|---:|"]
        for k in shown:
            rate = "" if k == 0 else number(run.learning_rates[k - 1])
            table.append(f"| {k} | {run.path[k, 0]:.4f} | {run.path[k, 1]:.4f} | {number(run.losses[k])} | {rate} |")
        st.markdown("\n".join(table))
        st.caption("The first steps and the last, as the engine's optimizer made them.")
    with loss_col:
        layout.chart(surface_charts.loss_chart(rows, [name], height=250),
                     f"The loss of {name} at each step, on a log scale: from {number(run.losses[0])} to "
                     f"{number(run.losses[-1])} after {count(done, 'step')}.",
                     f"The loss of {name} at each step, on a log scale.")
    show_code(Optimizer.step, lessons.OPTIMIZERS[name].delta, lessons.race,
              note="lessons.race sets the point's dweights to the surface's gradient and calls optimizer.step(point); "
                   "the optimizer cannot tell the point from a Dense layer.")

    st.subheader("Learning-rate decay")
    decay_left, decay_right = st.columns([2, 3], gap="large")
    decay_rates, decay_names, rates = decay_rows(name, settings["learning_rate"], settings["decay"], steps)
    with decay_left:
        st.latex(r"\eta_t = \frac{\eta}{1 + \text{decay} \cdot t} = " + number(settings["learning_rate"])
                 + r" \,/\, (1 + " + number(settings["decay"]) + r" \cdot t)")
        cols = st.columns(3)
        cols[0].metric("η at step 1", number(rates[0]))
        cols[1].metric(f"η at step {min(10, steps)}", number(rates[min(10, steps) - 1]))
        cols[2].metric(f"η at step {steps}", number(rates[-1]))
        if settings["decay"]:
            st.markdown(f"With decay {number(settings['decay'])} the rate halves by step t = 1 / decay = "
                        f"{number(1 / settings['decay'])} and keeps shrinking, so late steps are small: the path "
                        "settles instead of bouncing, but if the rate shrinks too soon it stops short of the minimum.")
        else:
            st.markdown("With decay 0 every step uses the same rate. Set a decay to see the rate shrink; the book uses "
                        "small values like 0.001 with thousands of steps.")
    with decay_right:
        layout.chart(surface_charts.decay_chart(decay_rates, decay_names, height=240),
                     f"The learning rate {name} uses at each step, read from the engine optimizer's "
                     f"current_learning_rate as it steps: {number(rates[0])} at step 1 and {number(rates[-1])} at step "
                     f"{steps} with your decay, against other decays for comparison.",
                     f"The learning rate {name} uses at each step with your decay and with three others.")


# -- too large a learning rate ---------------------------------------------------------------------
@st.fragment
def too_large(surface, key, conditioning, start, steps, steepest):
    st.subheader("Too large a learning rate")
    limit = 2 / steepest
    big_left, big_right = st.columns([2, 3], gap="large")
    with big_left:
        rate = float(choice_slider(TRY_LR, "Plain SGD, no decay, from the same start."))
        st.markdown(f"Near the minimum the steepest curvature is {number(steepest, 3)}, so plain SGD settles only "
                    f"with a learning rate below 2 / {number(steepest, 3)} = **{number(limit, 3)}**: a larger step "
                    "lands further up the opposite wall than it started, and every bounce grows.")
        run, rows = walk(key, conditioning, start, steps, "SGD", (("decay", 0.0), ("learning_rate", rate)))
        if rate > limit and not np.isclose(rate, limit, rtol=1e-6):
            largest = (("decay", 0.0), ("learning_rate", float(LR_OPTIONS[-1])))
            biggest = walk(key, conditioning, start, steps, "SGD", largest)[0]
        else:
            biggest = None
        kind, text = notes.too_large_verdict(surface, key, start, run, rate, steepest, biggest, LR_OPTIONS[-1])
        getattr(st, kind)(text, icon=notes.ICONS[kind])
    with big_right, layout.pinned_column("too_large"):     # on a phone, in view above the slider
        layout.chart(surface_charts.loss_chart(rows, ["SGD"], height=260),
                     f"Plain SGD's loss per step with learning rate {number(rate)}, log scale"
                     + (f"; it diverged at step {run.diverged_at}." if run.diverged else "."),
                     "Plain SGD's loss per step with the learning rate you chose, on a log scale.")


# -- the page's sections ------------------------------------------------------------------------
@st.fragment
def explore():
    """The surface, one optimizer, the race and too large a rate: one fragment, so that a control here
    reruns them without redrawing the rest of the page (the toolbar and the questions, which no control
    changes; Share makes its link when it opens). One optimizer and too large a rate are fragments of their
    own inside it: their controls rerun only themselves."""
    # -- the surface ---------------------------------------------------------------------------------
    st.subheader("The surface and the start")
    about = st.container()        # the surface's formula and character, filled once it is chosen below
    controls_col, summary_col = st.columns([2, 3], gap="large")
    with controls_col:
        surface_name = st.radio(SURFACE.label, SURFACE.options, index=SURFACE.options.index(SURFACE.default),
                                key=SURFACE.key, bind="query-params", horizontal=True, on_change=surface_changed)
        key = SURFACE_KEYS[surface_name]
        conditioning = (widgets.slider(CONDITIONING, 1, help="c = 1 is a round bowl.") if key == "bowl"
                        else CONDITIONING.default)
        start = (widgets.slider(START_X, 0.05), widgets.slider(START_Y, 0.05))
        steps = widgets.slider(STEPS, 10)
    surface = lessons.make_surface(key, conditioning)
    picture, steepest = surface_grid(key, conditioning)
    start_loss = float(surface.value(np.array(start)))
    with about:
        st.latex(notes.FORMULA[key] + (rf",\quad c = {conditioning}" if key == "bowl" else ""))
        st.markdown(notes.ABOUT[key])
    # The numbers the controls on the left change; on a phone they stay in view above those controls.
    with summary_col, layout.pinned_column("surface_numbers"):
        with st.container(horizontal=True, gap="medium"):
            st.metric("Loss at the start", number(start_loss, 5), help=f"At {point(start)}.", width="content")
            st.metric("Lowest point", point(surface.minimum), width="content",
                      help="Where the loss is smallest (0)" + "".join(f"; also at {point(p)}" for p in surface.twins)
                      + ".")
            st.metric("Steepest curvature there", number(steepest, 3), width="content",
                      help="The largest eigenvalue of the Hessian at the lowest point: plain SGD settles there only "
                           f"with a learning rate below 2 / {number(steepest, 3)} = {number(2 / steepest, 3)}.")
    show_code(type(surface), label="Show the surface's code")
    marks = surface_charts.marks_table([{"x": start[0], "y": start[1], "label": "start"}]
                                       + [{"x": p[0], "y": p[1], "label": "minimum"} for p in surface.minima])

    one_optimizer(surface, surface_name, key, conditioning, start, steps, picture, marks)

    # -- the race ---------------------------------------------------------------------------------------
    st.subheader("The race: all five from the same start")
    runs, race_rows = race_of_five(key, conditioning, start, steps)
    table = [f"| optimizer | settings | loss at the end | where it stopped | loss < {REACHED:g} at step |",
             "|---|---|---:|---:|---:|"]
    for name, run in runs.items():
        settings = ", ".join(f"{notes.SYMBOLS[k]} {number(v)}" for k, v in lessons.RACERS[name].items() if k != "decay")
        reached = lessons.first_step_below(run, REACHED)
        end = f"diverged at step {run.diverged_at}" if run.diverged else number(run.losses[-1])
        table.append(f"| {name} | {settings} | {end} | {point(run.path[-1])} | {'—' if reached is None else reached} |")
    race_left, race_right = st.columns([1, 1], gap="large")
    with race_left:
        best = min(runs, key=lambda n: (runs[n].diverged, runs[n].losses[-1]))
        layout.chart(
            surface_charts.surface_chart(picture, race_rows, NAMES, marks, lessons.BOX),
            f"The five optimizers' paths over {steps} steps from {point(start)} on the {surface_name.lower()} surface, "
            f"one colour each. Lowest at the end: {best}, with loss {number(runs[best].losses[-1])}.",
            f"The five optimizers' paths from the same start on the {surface_name.lower()} surface, one colour each, "
            "over grey contour bands of the loss (darker is higher).")
    with race_right:
        layout.chart(surface_charts.loss_chart(race_rows, NAMES, height=330),
                     "Each optimizer's loss against step on a log scale (losses below 1e-12 drawn at 1e-12); a line "
                     "that stops early diverged.")
    st.markdown("\n".join(table))
    st.caption("Each uses the settings in its row, no decay: the book's momentum 0.9, ρ 0.9 and β values, with "
               "learning rates that suit a surface this size. Move the start or change the surface to rerun the race.")
    for name, run in runs.items():
        if run.diverged:
            st.warning(notes.diverged_message(run, name), icon=":material/warning:")
        for note in (notes.off_map_note(run, name), notes.thrown_back_note(run, name)):
            if note:
                st.info(note, icon=":material/info:")

    too_large(surface, key, conditioning, start, steps, steepest)


explore()

layout.toolbar(CONTROLS)

reach, mirrored, nudged, limit, below, above = answers()
fastest = min((step, name) for name, step in reach.items() if step is not None)
slowest = [name for name, step in reach.items() if step is None]
layout.predict_then_check([
    (f"On the curved valley, which optimizer is first to bring the loss below {REACHED:g}?",
     "Choose Valley, set 500 steps and read the race's last column.",
     f"{fastest[1]}, at step {fastest[0]}. "
     + ", ".join(f"{name}: step {step}" for name, step in reach.items() if step is not None and name != fastest[1])
     + (f"; {' and '.join(slowest)} not within 500 steps" if slowest else "") + "."),
    ("Start the tiny network at x = 2, y = -2. Where do the optimizers end up?",
     "Choose Network and move the start there.",
     f"All five stop near {point(mirrored['Adam'].path[-1])}, loss {number(mirrored['Adam'].losses[-1], 3)}: on the "
     "line y = -x the two neurons mirror each other, the gradient never points off the line, and they settle on a "
     f"saddle. Start at y = -1.9 instead and Adam reaches loss {number(nudged['Adam'].losses[-1], 3)} at "
     f"{point(nudged['Adam'].path[-1])}."),
    ("On the bowl with conditioning 10, what is the largest learning rate at which plain SGD still settles?",
     "Move the learning rate in *Too large a learning rate*.",
     f"2 divided by the steepest curvature, 1: about {number(limit, 3)}. At {number(0.95 * limit, 3)} the loss falls "
     f"to {number(below.losses[-1], 3)} in 100 steps (bouncing across the bowl as it goes); at "
     f"{number(1.05 * limit, 3)} it "
     + (f"diverges at step {above.diverged_at}." if above.diverged
        else f"ends at {number(above.losses[-1], 3)}, growing.")),
])
