"""Activations: each function with its slope; why a network needs non-linearity; softmax."""

import numpy as np
import pandas as pd
import streamlit as st

import nnengine as nn
from nnengine import lessons
from ui import charts, layout, widgets
from ui.matrix import format_number as fmt
from ui.source import show_code
from ui.state import Control

ACTIVATIONS = {"Step": nn.Step, "Linear": nn.Linear, "Sigmoid": nn.Sigmoid, "Tanh": nn.Tanh,
               "ReLU": nn.ReLU, "Leaky ReLU": nn.LeakyReLU}
ABOUT = {
    "Step": "Outputs 1 when the input is positive and 0 otherwise, like the first artificial neurons. Its "
            "slope is 0 everywhere (and undefined at 0), so **no gradient gets through**: a network of steps "
            "cannot learn by gradient descent, and it cannot tell a slightly positive input from a huge one.",
    "Linear": "Passes the input on unchanged, slope 1. It belongs on the output of a regression network. "
              "Between hidden layers it adds nothing: **stacked linear layers collapse into one** (below).",
    "Sigmoid": "Squashes any input into (0, 1), so its output reads as a probability: the output of a binary "
               "classifier. Its slope is at most 0.25 and fades to nearly 0 for large inputs of either sign "
               "(**saturation**), so deep stacks of sigmoids pass back tiny gradients.",
    "Tanh": "Like the sigmoid but from -1 to 1 and centred on 0, with a slope of up to 1. It **saturates** "
            "too: far from 0 its slope is nearly 0.",
    "ReLU": "max(0, x): cheap, and with slope 1 for positive inputs gradients pass through undiminished; the "
            "usual choice for hidden layers. A neuron whose input is negative for every sample outputs 0 with "
            "slope 0 and stops learning: a **dead ReLU**.",
    "Leaky ReLU": "Like ReLU, but negative inputs keep a small slope alpha, so a neuron that is off still "
                  "receives a gradient and can come back: no dead neurons.",
}
PAIRS_MAX = 8
START_PAIRS, START_BIAS = lessons.sine_pieces(4)
EIGHT_PAIRS, EIGHT_BIAS = lessons.sine_pieces(PAIRS_MAX)
OFF_PAIR = (8.0, 0.0, -1.0, 1.0, 0.0)      # a pair whose output weight is 0 adds nothing
PAIR_FIELDS = (("w", "first neuron weight", -20.0, 20.0, 0.5), ("b", "first neuron bias", -20.0, 20.0, 0.5),
               ("v", "second neuron weight", -3.0, 3.0, 0.05), ("c", "second neuron bias", -3.0, 3.0, 0.05),
               ("o", "output weight", -3.0, 3.0, 0.01))

ACT = Control("act", "Activation", "ReLU", "choice", options=tuple(ACTIVATIONS))
ALPHA = Control("alpha", "Leaky ReLU slope alpha", 0.1, "float", 0.0, 0.5)
PROBE = Control("probe", "Probe input x", 1.0, "float", -5.0, 5.0)
STACK_SEED = Control("stack_seed", "Seed of the random linear layers", 0, "int", 0, 10_000)
N_PAIRS = Control("pairs", "Neuron pairs", 4, "int", 4, PAIRS_MAX)
PAIR_CONTROLS = tuple(tuple(Control(f"{key}{k + 1}", f"Pair {k + 1} {label}",
                                    (START_PAIRS[k] if k < 4 else OFF_PAIR)[j], "float", low, high)
                            for j, (key, label, low, high, _) in enumerate(PAIR_FIELDS)) for k in range(PAIRS_MAX))
NAIVE_TROUBLE = {      # lessons.naive_softmax_trouble's verdicts, in words
    "overflow": "Without subtracting the max, exp({top}) overflows to infinity, and infinity / infinity is nan: "
                "the naive softmax breaks.",
    "sum overflow": "Without subtracting the max, each exp fits in a float but their sum overflows to infinity, "
                    "so every probability comes out as a number / infinity = 0: the naive softmax breaks.",
    "underflow": "Without subtracting the max, exp({top}) and every smaller exp underflow to 0, and 0 / 0 is nan: "
                 "the naive softmax breaks.",
    "rounding": "Without subtracting the max, rounding in exp makes the naive probabilities differ from the "
                "stable ones.",
}
OUT_BIAS = Control("out_bias", "Output bias", START_BIAS, "float", -3.0, 3.0)
TRAINED = Control("trained", "Show a network trained by nnengine", False, "bool")
SCORES = Control("scores", "Scores (one per class)", [4.8, 1.21, 2.385], "vector")
SCALE = Control("scale", "Multiply the scores by", 1, "int", 1, 300)
CONTROLS = (ACT, ALPHA, PROBE, STACK_SEED, N_PAIRS, *[c for pair in PAIR_CONTROLS for c in pair], OUT_BIAS,
            TRAINED, SCORES, SCALE)


def load_pairs(pairs, bias):
    """Put a set of pair settings on the sliders (a button's on_click): every pair, the ones the
    preset does not use switched off (output weight 0), so adding a pair later adds nothing."""
    st.session_state[N_PAIRS.key] = len(pairs)
    for k in range(PAIRS_MAX):
        for control, value in zip(PAIR_CONTROLS[k], pairs[k] if k < len(pairs) else OFF_PAIR):
            st.session_state[control.key] = float(value)
    st.session_state[OUT_BIAS.key] = float(bias)


@st.cache_data(show_spinner=False)
def linear_stack(seed):
    return lessons.linear_stack_demo(seed)


@st.cache_data(show_spinner="nnengine is training a 1-8-8-1 network on the sine…")
def trained_fit():
    model, error = lessons.trained_sine_network(seed=0)
    X, _ = nn.datasets.sine(samples=200)
    return model.predict(X)[:, 0], error


layout.header("Activation functions",
              "An activation bends a neuron's output. Without one, any stack of layers is a single straight-line "
              "map; with one, a network can draw curves.",
              "book chapter 4, *Activation functions*, and videos 5 and 6")
layout.link_notices(CONTROLS)

# -- 1. each function and its slope ----------------------------------------------------------
# Each section is a fragment: moving one of its controls reruns that section alone.
@st.fragment
def functions_section():
    st.subheader("The functions and their slopes")
    left, right = st.columns([2, 3], gap="large")
    with left:
        name = widgets.choice(ACT)
        alpha = widgets.slider(ALPHA, 0.01, help="Only Leaky ReLU uses it.") if name == "Leaky ReLU" else ALPHA.default
        probe = widgets.slider(PROBE, 0.1)
        activation = nn.LeakyReLU(alpha) if name == "Leaky ReLU" else ACTIVATIONS[name]()
        xs = np.linspace(-5, 5, 201).reshape(-1, 1)
        values = activation.forward(xs)[:, 0].copy()
        slopes = activation.backward(np.ones_like(xs))[:, 0]     # the chain rule with dvalues = 1: f'(x)
        at = np.array([[probe]])
        value_here = float(activation.forward(at)[0, 0])
        slope_here = float(activation.backward(np.ones_like(at))[0, 0])
        cols = st.columns(2)
        cols[0].metric(f"{name}({fmt(probe)})", fmt(round(value_here, 6)))
        cols[1].metric("slope there", fmt(round(slope_here, 6)))
        st.markdown(ABOUT[name])
    with right:
        table = pd.concat([pd.DataFrame({"x": xs[:, 0], "y": values, "curve": name}),
                           pd.DataFrame({"x": xs[:, 0], "y": slopes, "curve": "its slope"})])
        layout.chart(
            charts.lines_chart(table, "x", "y", "curve", "input x", "output", dashed=("its slope",),
                               colours=[charts.POSITIVE, charts.NEGATIVE],
                               points=[{"x": probe, "y": value_here, "curve": name},
                                       {"x": probe, "y": slope_here, "curve": "its slope"}]),
            f"{name} (solid) and its slope (dashed) for inputs from -5 to 5. At x = {fmt(probe)} the output is "
            f"{fmt(round(value_here, 6))} and the slope {fmt(round(slope_here, 6))}.",
            f"{name} (solid) and its slope (dashed) for inputs from -5 to 5, with a dot at the probe input x.")
    show_code(type(activation).function, type(activation).backward,
              note="The curves are these two methods run on 201 inputs: backward with a gradient of 1 gives the slope.")


# -- 2. why non-linearity -----------------------------------------------------------------------
X, y = nn.datasets.sine(samples=200, dtype=np.float64)
mse = nn.MeanSquaredError()


@st.fragment
def stack_section():
    stack_col, stack_text = st.columns([3, 2], gap="large")
    with stack_text:
        st.markdown("Three layers, 1 → 8 → 8 → 1, with random weights and biases and **no activation** between "
                    "them. Multiply them out and they are one layer with a single weight and bias:")
        stack_seed = widgets.number(STACK_SEED, 1, help="Draw other random weights: seeds 0 to 10 000.",
                                    say_out_of_range=True)
        demo = linear_stack(stack_seed)
        st.latex(r"W = W_1 W_2 W_3 = " + fmt(round(demo["weight"], 6)))
        st.latex(r"b = (b_1 W_2 + b_2) W_3 + b_3 = " + fmt(round(demo["bias"], 6)))
        st.caption(f"The single layer's outputs match the stack's to {demo['gap']:.0e}. Put ReLU between the "
                   "same layers and the line bends.")
    with stack_col:
        stacked = pd.concat([
            pd.DataFrame({"x": demo["x"], "y": demo["straight"], "network": "3 linear layers"}),
            pd.DataFrame({"x": demo["x"], "y": demo["bent"], "network": "same weights with ReLU"})])
        layout.chart(
            charts.lines_chart(stacked, "x", "y", "network", "input x", "output",
                               colours=[charts.NEGATIVE, charts.POSITIVE]),
            "The three stacked linear layers give a straight line; the same weights with ReLU between the layers "
            "give a line with bends.")


@st.fragment
def hand_fit_section():
    st.markdown("**Fit sin(2πx) by hand.** Each *pair* is a neuron in the first hidden layer, which decides where the "
                "pair switches on (at x = -b / w) and how steeply it rises, feeding one neuron in the second hidden "
                "layer, which clips that rise (a negative weight and a positive bias). The output weight scales the "
                "pair's step and the output neuron adds the steps up. Start from four straight pieces and make the "
                "fit better: move the pieces, or add pairs.")
    buttons = st.columns(3)
    buttons[0].button("Four straight pieces", on_click=load_pairs, args=(START_PAIRS, START_BIAS), width="stretch")
    buttons[1].button("Eight straight pieces", on_click=load_pairs, args=(EIGHT_PAIRS, EIGHT_BIAS), width="stretch")
    with buttons[2]:
        show_trained = widgets.toggle(TRAINED, help="Trains a 1-8-8-1 ReLU network with Adam, 3000 epochs.")
    fit_col, pair_col = st.columns([3, 2], gap="large")
    with pair_col:
        n_pairs = widgets.slider(N_PAIRS, 1)
        pairs = []
        for k, tab in enumerate(st.tabs([f"Pair {k + 1}" for k in range(n_pairs)])):
            with tab:
                steps = [field[-1] for field in PAIR_FIELDS]
                pairs.append([widgets.slider(control, step) for control, step in zip(PAIR_CONTROLS[k], steps)])
        out_bias = widgets.slider(OUT_BIAS, 0.05)
    network = lessons.relu_pairs(pairs, out_bias)
    fit = lessons.run_layers(network, X)[:, 0]
    error = mse.calculate(fit.reshape(-1, 1), y)
    with fit_col, layout.pinned_column("sine_fit"):      # on a phone the fit stays above the sliders
        curves = [pd.DataFrame({"x": X[:, 0], "y": y[:, 0], "curve": "sin(2πx)"}),
                  pd.DataFrame({"x": X[:, 0], "y": fit, "curve": "your network"})]
        caption = f"The target sine (grey) and your {n_pairs}-pair network (blue): mean squared error {error:.4f}."
        if show_trained:
            trained, trained_error = trained_fit()
            curves.append(pd.DataFrame({"x": X[:, 0], "y": trained, "curve": "trained by nnengine"}))
            caption += f" The trained network (orange, dashed) reaches {trained_error:.4f}."
        metrics = st.columns(2)
        metrics[0].metric("Your mean squared error", f"{error:.4f}")
        if show_trained:
            metrics[1].metric("Trained network's error", f"{trained_error:.4f}")
        layout.chart(charts.lines_chart(pd.concat(curves), "x", "y", "curve", "x", "y",
                                        colours=[charts.NEUTRAL, charts.POSITIVE, charts.CLASS_COLOURS[1]],
                                        dashed=("trained by nnengine",)), caption,
                     "The target sine (grey) and your network's fit (blue), with nnengine's trained fit (orange, "
                     "dashed) when it is shown.")
    show_code(lessons.relu_pairs, lessons.linear_stack_demo, lessons.collapse_linear,
              nn.MeanSquaredError.sample_losses)


# -- 3. softmax -------------------------------------------------------------------------------
@st.fragment
def softmax_section():
    st.subheader("Softmax: scores into probabilities")
    st.markdown("Softmax turns a layer's scores into probabilities: exponentiate each (so all are positive), then "
                "divide by their sum (so they add up to 1). Subtracting the largest score first changes nothing in "
                "the result, since the same factor cancels above and below the line, but it keeps every exponent at "
                "0 or below, where exp cannot overflow.")
    soft_left, soft_right = st.columns([2, 3], gap="large")
    with soft_left:
        scores = widgets.matrix_editor(SCORES, help="The outputs of a layer, e.g. the Layer page's 4.8, 1.21, 2.385.")
        scale = widgets.slider(SCALE, 1, help="Large scores show why the max is subtracted: exp(710) is already too "
                                              "big for a float.")
    if scores is not None:
        scaled = scores * scale
        stable = lessons.softmax_steps(scaled)
        naive = lessons.softmax_steps(scaled, subtract_max=False)
        engine = nn.Softmax().forward(scaled.reshape(1, -1))[0]

        def cell(value):
            return f"{value:.6g}" if np.isfinite(value) else ("**nan**" if np.isnan(value) else "**inf**")

        with st.container():
            rows = ["| class | score | score − max | exp (stable) | probability | exp (naive) | probability (naive) |",
                    "|---|---|---|---|---|---|---|"]
            for k in range(len(scaled)):
                rows.append(f"| {k} | {cell(scaled[k])} | {cell(stable['shifted'][k])} | {cell(stable['exps'][k])} | "
                            f"{cell(stable['probabilities'][k])} | {cell(naive['exps'][k])} | "
                            f"{cell(naive['probabilities'][k])} |")
            rows.append(f"| sum | | | {cell(stable['total'])} | {cell(stable['probabilities'].sum())} | "
                        f"{cell(naive['total'])} | {cell(np.sum(naive['probabilities']))} |")
            st.markdown("\n".join(rows))
            trouble = lessons.naive_softmax_trouble(scaled)
            if trouble:
                st.error(NAIVE_TROUBLE[trouble].format(top=fmt(scaled.max()), low=fmt(scaled.min()))
                         + " The stable one still gives probabilities that add up to 1.", icon=":material/error:")
            else:
                st.success("Both ways give the same probabilities. Multiply the scores by 200 to see the naive way "
                           "break.", icon=":material/check_circle:")
        with soft_right:
            layout.chart(
                charts.signed_bars(pd.DataFrame({"class": [f"class {k}" for k in range(len(engine))], "p": engine}),
                                   "class", "p", "probability", height=60 + 30 * len(engine),
                                   ticks=(0, 0.25, 0.5, 0.75, 1)),
                "Probabilities from nnengine's Softmax: "
                + ", ".join(f"class {k} {p:.4g}" for k, p in enumerate(engine))
                + f". Largest score, largest probability: class {int(np.argmax(engine))}.",
                "The probability nnengine's Softmax gives each class, one bar per class.")
        show_code(nn.Softmax.function, nn.activations.row_max, lessons.softmax_steps,
                  note="row_max(x) is each row's largest score, x.max(axis=1, keepdims=True), written to run "
                       "faster; subtracting it is the 'score − max' column above.")


functions_section()
st.subheader("Why a network needs non-linearity")
stack_section()
hand_fit_section()
softmax_section()
layout.toolbar(CONTROLS)

layout.predict_then_check([
    ("Where is the sigmoid's slope largest, and how large is it?",
     "Choose Sigmoid and move the probe.",
     "At x = 0, where the slope is 0.25: s(0) = 0.5 and the slope is s(1 - s). Far from 0 it is nearly flat, "
     "which is why sigmoids saturate."),
    ("Can any choice of random weights make three linear layers follow the sine?",
     "Change the seed of the random linear layers a few times.",
     "No: every choice collapses to one weight and one bias, a straight line. Only the activation between the "
     "layers lets the output bend."),
    ("Which pairs do you need to change to make the fit's error smaller than 0.01?",
     "Add pairs and place them, or press *Eight straight pieces*.",
     f"More, shorter pieces follow the curve more closely: eight even pieces give an error of "
     f"{mse.calculate(lessons.run_layers(lessons.relu_pairs(EIGHT_PAIRS, EIGHT_BIAS), X), y):.4f}."),
])
