"""Optimizers: SGD, momentum, Adagrad, RMSprop and Adam stepping on 2-D loss surfaces."""

import numpy as np
import pyarrow as pa
import streamlit as st

import nnengine as nn
from nnengine import lessons
from nnengine.optimizers import Optimizer
from ui import layout, surface_charts, widgets
from ui.matrix import count
from ui.numbers import significant as number
from ui.source import show_code
from ui.state import Control

SURFACE_KEYS = {"Bowl": "bowl", "Valley": "valley", "Saddle": "saddle", "Network": "network"}
NAMES = tuple(lessons.OPTIMIZERS)
LR_OPTIONS = ("0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.3", "0.5", "0.7", "1", "1.5", "2",
              "3", "5", "10")
DECAY_OPTIONS = ("0", "0.0001", "0.001", "0.01", "0.03", "0.1", "0.3", "1")
EPSILON_OPTIONS = ("1e-10", "1e-8", "1e-7", "1e-6", "1e-4", "0.01", "0.1", "1")
BETA_2_OPTIONS = ("0.5", "0.9", "0.99", "0.999", "0.9999")
GRID = 32                   # cells per side of a drawn surface: 1,024 rectangles for the browser to draw
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
SYMBOLS = {"learning_rate": "η", "momentum": "μ", "rho": "ρ", "beta_1": "β₁", "beta_2": "β₂", "epsilon": "ε"}
HELP = {
    "learning_rate": "How far each step goes, relative to the gradient (or, for the adaptive ones, in absolute terms).",
    "decay": "The book's decay: step t uses η / (1 + decay · t).",
    "momentum": "The fraction of the previous step kept in the next one.",
    "rho": "How much of the squared-gradient cache is kept each step (RMSprop forgets the rest).",
    "beta_1": "How much of the gradients' moving average is kept each step.",
    "beta_2": "How much of the squared gradients' moving average is kept each step.",
    "epsilon": "Added under the division so it never divides by zero.",
}
FORMULA = {
    "bowl": r"L(x, y) = \tfrac12\left(\frac{x^2}{c} + y^2\right)",
    "valley": r"L(x, y) = \frac{(1 - x/2)^2}{10} + \frac{(y + 2 - x^2/2)^2}{4}",
    "saddle": r"L(x, y) = \frac{x^2}{4} + \frac{(y^2 - 4)^2}{16}",
    "network": r"\begin{aligned} \hat v_i &= \tanh(x\,u_i + 0.5) - \tanh(y\,u_i - 0.5) \\"
               r" L(x, y) &= \tfrac{1}{21} \textstyle\sum_i (\hat v_i - v_i)^2 \end{aligned}",
}
ABOUT = {
    "bowl": "One minimum at (0, 0). Across (y) the walls are steep, along (x) the floor is c times flatter: a "
            "learning rate small enough for the walls crawls along the floor.",
    "valley": "A curved, narrow valley whose floor slopes gently down to the minimum at (2, 0): reaching the floor "
              "is quick, following it is slow.",
    "saddle": "A hump at y = 0 between two valleys (minima at (0, ±2)). At (0, 0) the gradient is zero but it is "
              "not a minimum: start near y = 0 and see who gets away first.",
    "network": "A 1-2-1 tanh network fitted to 21 points u_i (targets v_i made with weights (1.5, 0.5)); x and y are "
               "its two first-layer weights, everything else fixed. Two equally deep valleys (at (-0.5, -1.5) the "
               "neurons swap roles), flat plateaus where tanh saturates, and on the line y = -x the two neurons "
               "mirror each other.",
}
RULE = {
    "SGD": r"w \leftarrow w - \eta_t\, g",
    "SGD with momentum": r"\begin{aligned} v &\leftarrow \mu\, v - \eta_t\, g \\ w &\leftarrow w + v \end{aligned}",
    "Adagrad": r"\begin{aligned} c &\leftarrow c + g^2 \\ w &\leftarrow w - \eta_t\, \frac{g}{\sqrt{c} + \epsilon}"
               r"\end{aligned}",
    "RMSprop": r"\begin{aligned} c &\leftarrow \rho\, c + (1 - \rho)\, g^2 \\"
               r" w &\leftarrow w - \eta_t\, \frac{g}{\sqrt{c} + \epsilon} \end{aligned}",
    "Adam": r"\begin{aligned} m &\leftarrow \beta_1 m + (1 - \beta_1)\, g \\"
            r" v &\leftarrow \beta_2 v + (1 - \beta_2)\, g^2 \\"
            r" \hat m &= \frac{m}{1 - \beta_1^{\,t+1}}, \quad \hat v = \frac{v}{1 - \beta_2^{\,t+1}} \\"
            r" w &\leftarrow w - \eta_t\, \frac{\hat m}{\sqrt{\hat v} + \epsilon} \end{aligned}",
}


def option(value, options):
    """The option text standing for a number (options are the widget's strings)."""
    return min(options, key=lambda o: abs(float(o) - value))


def point(xy, digits=3):
    return "(" + ", ".join(f"{v:.{digits}g}" if abs(v) >= 1e-9 else "0" for v in xy) + ")"


# -- cached math: pure functions of their settings ---------------------------------------------
@st.cache_data(show_spinner=False, max_entries=64)
def surface_grid(key, conditioning):
    surface = lessons.make_surface(key, conditioning)
    xs, ys, values = surface.grid(GRID)
    worst = float(lessons.curvatures(surface, surface.minimum)[-1])
    return surface_charts.grid_table(xs, ys, values), worst


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
cells, steepest = surface_grid(key, conditioning)
start_loss = float(surface.value(np.array(start)))
with about:
    st.latex(FORMULA[key] + (rf",\quad c = {conditioning}" if key == "bowl" else ""))
    st.markdown(ABOUT[key])
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


def off_map_note(run, what):
    """A note when a run that did not diverge still left the drawn square, or None."""
    outside = np.abs(run.path).max(axis=1) > lessons.BOX[1]
    if run.diverged or not outside.any():
        return None
    return (f"{what} left the drawn square (±{lessons.BOX[1]:g}) at step {int(np.argmax(outside))} and ended at "
            f"{point(run.path[-1])}, off the map shown: the chart draws only the part of its path inside the square.")


def thrown_back_note(run, what):
    """A note when a run ended at a visible loss (above 1e-9) at least 1000 times higher than the
    lowest it reached, or None."""
    best = int(np.argmin(run.losses))
    if run.diverged or not run.losses[-1] > max(1e3 * run.losses[best], 1e-9):
        return None
    text = (f"{what} reached a loss of {number(run.losses[best], 2)} at step {best}, then was thrown back: it ended at "
            f"{number(run.losses[-1], 2)}.")
    if what.startswith(("RMSprop", "Adam")):
        text += (" Its step is η·g / (√c + ε), with c a running average of recent squared gradients. Near the "
                 "minimum g and c shrink together; once √c falls below ε the step becomes η·g / ε, plain gradient "
                 "descent with the rate η / ε (here far above 2 / curvature), and the point is thrown out until √c "
                 "is back above ε. Without decay it then keeps bouncing with steps about η long; a smaller η or a "
                 "decay makes the bounces smaller.")
    return text


def diverged_message(run, what):
    """The explanation shown when a run blew up (never its nan or inf)."""
    return (f"{what} diverged at step {run.diverged_at}: each step overshot further than the last, until the point "
            f"was more than {lessons.surfaces.LIMIT:g} from the origin (the drawing shows only ±{lessons.BOX[1]:g}; "
            "a few steps more and the numbers would overflow to infinity). "
            f"By then the loss was {number(run.losses[-1])}, from {number(run.losses[0])} at the start. The run stops "
            "there and the charts show the steps before; a smaller learning rate (or more decay) keeps it on the "
            "surface.")


# -- one optimizer ---------------------------------------------------------------------------------
@st.fragment
def one_optimizer(surface, key, conditioning, start, steps):
    st.subheader("One optimizer, step by step")
    summary = st.container()      # where it ended, filled once the run is known
    left, right = st.columns([2, 3], gap="large")
    with left:
        name = st.radio(OPTIMIZER.label, OPTIMIZER.options, index=OPTIMIZER.options.index(OPTIMIZER.default),
                        key=OPTIMIZER.key, bind="query-params", horizontal=True, on_change=optimizer_changed)
        settings = {"learning_rate": float(choice_slider(LR, HELP["learning_rate"])),
                    "decay": float(choice_slider(DECAY, HELP["decay"]))}
        for setting in lessons.surfaces.EXTRA_SETTINGS[name]:
            control, step = SETTINGS[setting]
            value = (choice_slider(control, HELP[setting]) if step is None
                     else widgets.slider(control, step, help=HELP[setting]))
            settings[setting] = float(value)
        st.latex(RULE[name])
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
            st.error(diverged_message(run, name), icon=":material/error:")
        for note in (off_map_note(run, name), thrown_back_note(run, name)):
            if note:
                st.info(note, icon=":material/info:")
    # The walk beside its controls; on a phone it stays in view above them while they move.
    with right, layout.pinned_column("one_optimizer"):
        layout.chart(
            surface_charts.surface_chart(cells, rows, [name], marks, lessons.BOX),
            f"{name} on the {surface_name.lower()} surface, {count(done, 'step')} from {point(start)}; "
            f"darker grey is higher loss, and each band is the next contour. It stopped at {point(run.path[-1])} "
            f"with loss {number(run.losses[-1])}.")
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
                     f"{number(run.losses[-1])} after {count(done, 'step')}.")
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
                     f"{steps} with your decay, against other decays for comparison.")


one_optimizer(surface, key, conditioning, start, steps)

# -- the race ---------------------------------------------------------------------------------------
st.subheader("The race: all five from the same start")
runs, race_rows = race_of_five(key, conditioning, start, steps)
table = [f"| optimizer | settings | loss at the end | where it stopped | loss < {REACHED:g} at step |",
         "|---|---|---:|---:|---:|"]
for name, run in runs.items():
    settings = ", ".join(f"{SYMBOLS[k]} {number(v)}" for k, v in lessons.RACERS[name].items() if k != "decay")
    reached = lessons.first_step_below(run, REACHED)
    end = f"diverged at step {run.diverged_at}" if run.diverged else number(run.losses[-1])
    table.append(f"| {name} | {settings} | {end} | {point(run.path[-1])} | {'—' if reached is None else reached} |")
race_left, race_right = st.columns([1, 1], gap="large")
with race_left:
    best = min(runs, key=lambda n: (runs[n].diverged, runs[n].losses[-1]))
    layout.chart(
        surface_charts.surface_chart(cells, race_rows, NAMES, marks, lessons.BOX),
        f"The five optimizers' paths over {steps} steps from {point(start)} on the {surface_name.lower()} surface, "
        f"one colour each. Lowest at the end: {best}, with loss {number(runs[best].losses[-1])}.")
with race_right:
    layout.chart(surface_charts.loss_chart(race_rows, NAMES, height=330),
                 "Each optimizer's loss against step on a log scale (losses below 1e-12 drawn at 1e-12); a line "
                 "that stops early diverged.")
st.markdown("\n".join(table))
st.caption("Each uses the settings in its row, no decay: the book's momentum 0.9, ρ 0.9 and β values, with "
           "learning rates that suit a surface this size. Move the start or change the surface to rerun the race.")
for name, run in runs.items():
    if run.diverged:
        st.warning(diverged_message(run, name), icon=":material/warning:")
    for note in (off_map_note(run, name), thrown_back_note(run, name)):
        if note:
            st.info(note, icon=":material/info:")


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
        if not np.any(surface.gradient(np.array(start, dtype=float))):
            st.info(f"The gradient at the start {point(start)} is exactly 0, so no step moves the point, whatever the "
                    "learning rate: the loss stays at " + number(run.losses[-1]) + ". Move the start a little.",
                    icon=":material/info:")
        elif run.diverged:
            st.error(diverged_message(run, f"SGD with learning rate {number(rate)}"), icon=":material/error:")
        elif np.isclose(rate, limit, rtol=1e-6):
            st.warning(f"Learning rate {number(rate)} is exactly the limit 2 / {number(steepest, 3)}: near the minimum "
                       "a step along the steepest direction lands exactly as far up the opposite side as it started, "
                       "so that bounce neither grows nor dies out. The loss ended at "
                       f"{number(run.losses[-1])}.", icon=":material/warning:")
        elif rate > limit:
            largest = (("decay", 0.0), ("learning_rate", float(LR_OPTIONS[-1])))
            biggest = walk(key, conditioning, start, steps, "SGD", largest)[0]
            further = (f"at {LR_OPTIONS[-1]} it diverges at step {biggest.diverged_at}." if biggest.diverged else
                       f"even {LR_OPTIONS[-1]} does not diverge here"
                       + (": this loss is bounded, since the network's output, a difference of two tanh, stays "
                          "between -2 and 2 however large the weights." if key == "network" else "."))
            st.warning(f"Learning rate {number(rate)} is above {number(limit, 3)} yet the run stayed within "
                       f"{lessons.surfaces.LIMIT:g} of the origin: the loss ended at {number(run.losses[-1])}. The "
                       f"limit holds near the minimum, where the curvature is {number(steepest, 3)}; elsewhere the "
                       f"surface curves differently. Raise the rate further: {further}", icon=":material/warning:")
        else:
            st.success(f"Learning rate {number(rate)} is below {number(limit, 3)}: the loss went from "
                       f"{number(run.losses[0])} to {number(run.losses[-1])}. Raise it past {number(limit, 3)}.",
                       icon=":material/check_circle:")
    with big_right, layout.pinned_column("too_large"):     # on a phone, in view above the slider
        layout.chart(surface_charts.loss_chart(rows, ["SGD"], height=260),
                     f"Plain SGD's loss per step with learning rate {number(rate)}, log scale"
                     + (f"; it diverged at step {run.diverged_at}." if run.diverged else "."))


too_large(surface, key, conditioning, start, steps, steepest)

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
