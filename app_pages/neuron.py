"""Neuron: inputs times weights, summed, plus a bias, then an optional activation."""

import numpy as np
import pandas as pd
import streamlit as st

import nnengine as nn
from nnengine import lessons
from ui import charts, layout, widgets
from ui.matrix import format_number as fmt
from ui.source import show_code
from ui.state import Control

MAX_INPUTS = 5
# The series' neurons: the first has 3 inputs (output 2.3); its 4-input version gives 4.8.
DEFAULT_INPUTS = (1.0, 2.0, 3.0, 2.5, 1.0)
DEFAULT_WEIGHTS = (0.2, 0.8, -0.5, 1.0, 0.5)
DEFAULT_BIAS = 2.0
# Video 1's neuron: 1.2·3.1 + 5.1·2.1 + 2.1·8.7 + 3 = 35.7.
VIDEO1_INPUTS, VIDEO1_WEIGHTS, VIDEO1_BIAS = (1.2, 5.1, 2.1), (3.1, 2.1, 8.7), 3.0
LIMIT = 10.0            # every slider runs from -10 to 10: wide enough for the series' neurons
ACTIVATIONS = {"none": None, "ReLU": nn.ReLU, "Step": nn.Step, "Sigmoid": nn.Sigmoid, "Tanh": nn.Tanh}

N = Control("n", "Number of inputs", 3, "int", 1, MAX_INPUTS)
XS = tuple(Control(f"x{i + 1}", f"Input x{i + 1}", DEFAULT_INPUTS[i], "float", -LIMIT, LIMIT)
           for i in range(MAX_INPUTS))
WS = tuple(Control(f"w{i + 1}", f"Weight w{i + 1}", DEFAULT_WEIGHTS[i], "float", -LIMIT, LIMIT)
           for i in range(MAX_INPUTS))
B = Control("b", "Bias b", DEFAULT_BIAS, "float", -LIMIT, LIMIT)
ACT = Control("activation", "Activation", "none", "choice", options=tuple(ACTIVATIONS))
SWEEP = Control("sweep", "Input to sweep in the chart", "x1", "choice",
                options=tuple(f"x{i + 1}" for i in range(MAX_INPUTS)))
CONTROLS = (N, *XS, *WS, B, ACT, SWEEP)


def load_example(inputs, weights, bias):
    """Put one of the series' neurons on the sliders."""
    st.session_state["n"] = len(inputs)
    for i, (x, w) in enumerate(zip(inputs, weights)):
        st.session_state[XS[i].key] = x
        st.session_state[WS[i].key] = w
    st.session_state["b"] = bias


layout.header("One neuron",
              "A neuron multiplies each input by its own weight, adds the products and a bias, "
              "and may pass the sum through an activation function.",
              "book chapter 2, *Coding our first neurons*, and videos 1 to 3 of the series")
layout.link_notices(CONTROLS)

# The result first, pinned: it stays in view while the sliders below scroll by (on a phone, where
# the columns stack, the sliders come first and the term-by-term sum after them).
summary = layout.pinned("neuron_result")
controls, result = st.columns([2, 3], gap="large")
with controls:
    examples = st.container(horizontal=True, gap="small")       # the buttons wrap when narrow
    examples.button("3-input neuron (2.3)", on_click=load_example, width="content",
                    args=(DEFAULT_INPUTS[:3], DEFAULT_WEIGHTS[:3], DEFAULT_BIAS),
                    help="The series' first neuron: inputs 1, 2, 3; weights 0.2, 0.8, -0.5; bias 2.")
    examples.button("4-input neuron (4.8)", on_click=load_example, width="content",
                    args=(DEFAULT_INPUTS[:4], DEFAULT_WEIGHTS[:4], DEFAULT_BIAS),
                    help="The same neuron with a fourth input 2.5 and weight 1.0.")
    examples.button("Video 1's neuron (35.7)", on_click=load_example, width="content",
                    args=(VIDEO1_INPUTS, VIDEO1_WEIGHTS, VIDEO1_BIAS),
                    help="Inputs 1.2, 5.1, 2.1; weights 3.1, 2.1, 8.7; bias 3.")
    n = widgets.slider(N, 1)
    inputs, weights = [], []
    for i in range(n):
        left, right = st.columns(2)
        with left:
            inputs.append(widgets.slider(XS[i], 0.1))
        with right:
            weights.append(widgets.slider(WS[i], 0.01))
    bias = widgets.slider(B, 0.1)
    activation_name = widgets.choice(ACT, help="Applied to the sum. 'none' shows the raw sum.")

# -- the math, all from the engine --------------------------------------------------------------
products, total = lessons.neuron_terms(inputs, weights, bias)
neuron = lessons.dense_from_rows([weights], [bias])        # one neuron = a Dense layer of width 1
z = float(neuron.forward([inputs])[0, 0])
activation = ACTIVATIONS[activation_name]() if ACTIVATIONS[activation_name] else None
output = float(activation.forward(np.array([[z]]))[0, 0]) if activation else z

with summary, st.container(horizontal=True, gap="large"):     # side by side even on a phone
    st.metric("Weighted sum plus bias, z", fmt(round(z, 10)), width="content")
    st.metric("Neuron output", fmt(round(output, 10)), width="content")

with result:
    terms = " + ".join(f"{fmt(x)}\\cdot({fmt(w)})" if w < 0 else f"{fmt(x)}\\cdot{fmt(w)}"
                       for x, w in zip(inputs, weights))
    parts = " + ".join(f"({fmt(p)})" if p < 0 else fmt(p) for p in products)
    bias_text = f"({fmt(bias)})" if bias < 0 else fmt(bias)
    st.latex(r"z = \sum_i x_i w_i + b")
    st.latex(r"\begin{aligned} z &= " + f"{terms} + {bias_text}" + r" \\ &= " + f"{parts} + {bias_text}"
             + r" \\ &= " + fmt(round(z, 10)) + r"\end{aligned}")
    if activation:
        st.latex(f"\\text{{output}} = \\text{{{activation_name}}}({fmt(z)}) = {fmt(output)}")

    contributions = pd.DataFrame({
        "term": [f"x{i + 1}·w{i + 1}" for i in range(n)] + ["bias"],
        "value": products + [bias]})
    layout.chart(
        charts.signed_bars(contributions, "term", "value", "contribution to z",
                           description="What each input-weight product and the bias add to the sum."),
        "Each bar is one term of the sum: " + ", ".join(
            f"{t} = {fmt(v)}" for t, v in zip(contributions["term"], contributions["value"]))
        + f". Together they make z = {fmt(z)}.")

    # Only this neuron's inputs can be swept; one that was dropped gives way to x1, saying so.
    asked = st.session_state.get(SWEEP.key, st.query_params.get(SWEEP.key, SWEEP.default))
    if asked not in SWEEP.options[:n]:
        st.session_state[SWEEP.key] = "x1"
        st.info(f"{asked} is not an input of this neuron now; the chart sweeps x1.")
    sweep = widgets.dropdown(SWEEP, options=SWEEP.options[:n])
    k = int(sweep[1:]) - 1
    xs = np.linspace(-LIMIT, LIMIT, 201)
    batch = np.tile(np.asarray(inputs, dtype=float), (len(xs), 1))
    batch[:, k] = xs                                       # one batch: every other input held still
    outs = neuron.forward(batch)
    if activation:
        outs = activation.forward(outs)
    curve = pd.DataFrame({sweep: xs, "output": outs[:, 0]})
    layout.chart(
        charts.function_chart(curve, sweep, "output", f"input {sweep}", "neuron output",
                              point=(inputs[k], output),
                              description=f"The neuron's output as {sweep} sweeps from -10 to 10."),
        f"The output as {sweep} moves from -10 to 10 with the other inputs held still"
        + (f": a straight line of slope w{k + 1} = {fmt(weights[k])}." if not activation
           else f", passed through {activation_name}.")
        + f" The dot marks the current value, {fmt(inputs[k])} → {fmt(round(output, 10))}.")

layout.toolbar(CONTROLS)

# -- predict, then check: the answers come from the same engine code ---------------------------
zero_bias = lessons.neuron_terms(DEFAULT_INPUTS[:3], DEFAULT_WEIGHTS[:3], 0.0)[1]
flipped = lessons.neuron_terms([1.0, 2.0, -3.0], DEFAULT_WEIGHTS[:3], DEFAULT_BIAS)[1]
layout.predict_then_check([
    ("On the 3-input neuron, what will the output be with the bias at 0?",
     "Press *3-input neuron*, then move the bias slider.",
     f"The bias is added last, unchanged, so the output drops by exactly 2: it becomes "
     f"**{fmt(round(zero_bias, 10))}**."),
    ("What happens if input x3 becomes -3 instead of 3?",
     "Its weight is -0.5: predict the direction first, then move x3.",
     f"The term x3·w3 turns from -1.5 into +1.5, so the output rises by 3, to "
     f"**{fmt(round(flipped, 10))}**. A negative weight turns a larger input into a smaller output."),
    ("With ReLU on, which bias makes this neuron output 0 for the default inputs?",
     "Choose ReLU and lower the bias; watch the sweep chart too.",
     "Any bias of -0.3 or lower: the sum before the bias is 0.3, so z ≤ 0 and ReLU outputs 0. "
     "Below -0.3 the sweep chart's dot sits on the flat part of ReLU: small changes of an input change "
     "nothing. At exactly -0.3 it sits on the kink, and raising x1 brings the output back."),
])

show_code(lessons.neuron_terms, nn.Dense.forward, *([type(activation).function] if activation else []),
          note="The page computes z with nnengine's Dense layer (one neuron is a layer of width 1) and "
               "writes the sum out with lessons.neuron_terms; both give the number above.")
