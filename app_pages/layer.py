"""Layer: several neurons reading the same inputs; a loop and a dot product side by side."""

import numpy as np
import pandas as pd
import streamlit as st

from nnengine import lessons
from nnengine.layers import Dense
from ui import charts, layout, mathtex, widgets
from ui.matrix import count
from ui.matrix import format_number as fmt
from ui.source import code_of, show_code
from ui.state import Control

# The series' layer: 3 neurons on 4 inputs. (One seed notebook has +0.27 in the third row, a
# sign typo that gives 3.465; the series' own result, 2.385, needs -0.27.)
INPUTS = Control("inputs", "Inputs (one value per input)", [1.0, 2.0, 3.0, 2.5], "vector")
WEIGHTS = Control("weights", "Weights (one row per neuron)",
                  [[0.2, 0.8, -0.5, 1.0], [0.5, -0.91, 0.26, -0.5], [-0.26, -0.27, 0.17, 0.87]], "matrix")
BIASES = Control("biases", "Biases (one per neuron)", [2.0, 3.0, 0.5], "vector")
CONTROLS = (INPUTS, WEIGHTS, BIASES)


layout.header("A layer of neurons",
              "A layer is several neurons that all read the same inputs, each with its own weights "
              "and bias; one dot product computes them all.",
              "book chapter 2, *A layer of neurons* and *Using numpy*, and videos 2 and 3")
layout.link_notices(CONTROLS)

editors, picture = st.columns([3, 2], gap="large")
with editors:
    inputs = widgets.matrix_editor(INPUTS, help="Numbers separated by commas, e.g. 1, 2, 3, 2.5")
    weights = widgets.matrix_editor(WEIGHTS, help="One line per neuron; each line holds one weight per input.")
    biases = widgets.matrix_editor(BIASES, help="One bias per neuron, separated by commas.")

problem = None
if inputs is not None and weights is not None and weights.shape[1] != len(inputs):
    problem = (f"Each neuron needs one weight per input: there are {len(inputs)} inputs but the "
               f"weight rows hold {weights.shape[1]} values. Add or remove values so they match.")
elif weights is not None and biases is not None and len(biases) != weights.shape[0]:
    problem = (f"Each neuron needs one bias: there are {weights.shape[0]} rows of weights (neurons) "
               f"but {len(biases)} biases.")
if problem:
    editors.error(problem, icon=":material/error:")
    try:                    # numpy's own words for the same mismatch, as the code below would meet it
        lessons.layer_dot(inputs, weights, biases)
    except ValueError as error:
        editors.code(f"np.dot(weights, inputs) + biases\nValueError: {error}", language=None, wrap_lines=True)
ready = inputs is not None and weights is not None and biases is not None and problem is None

if ready:
    looped = lessons.layer_loop(inputs.tolist(), weights.tolist(), biases.tolist())
    dotted = lessons.layer_dot(inputs, weights, biases)
    dense = lessons.dense_from_rows(weights, biases)
    engine = dense.forward(inputs)[0]
    # The result right under the numbers that make it: on a phone the drawing and the equations come
    # after the editors, out of sight while a learner types.
    editors.metric("The layer's outputs, one per neuron", ", ".join(fmt(round(v, 10)) for v in dotted))
    with picture:
        layout.chart(
            charts.network_chart([len(inputs), len(biases)], weights=[weights.T],
                                 layer_names=["inputs", "neurons"],
                                 description="The layer drawn with its weights."),
            f"{count(len(inputs), 'input')}, each connected to "
            f"{'the neuron' if len(biases) == 1 else f'all {len(biases)} neurons'}: "
            f"{count(weights.size, 'weight')}. Blue lines are positive weights, vermillion negative; "
            "a line's width follows the weight's size (the legend gives the scale).")

    st.subheader("Every neuron at once")
    st.latex(mathtex.underset(mathtex.matrix(weights), weights) + r"\cdot"
             + mathtex.underset(mathtex.matrix(inputs[:, None]), inputs) + "+"
             + mathtex.underset(mathtex.matrix(biases[:, None]), biases) + "="
             + mathtex.underset(mathtex.matrix(dotted[:, None]), dotted))
    st.caption(f"Shapes: weights {weights.shape} · inputs {inputs.shape} → outputs {dotted.shape}: "
               "each row of weights meets the inputs in one dot product, giving that neuron's output.")
    for j, (row, b) in enumerate(zip(weights, biases), start=1):
        terms = " + ".join(f"{mathtex.number(x)}\\cdot{mathtex.number(w)}" for x, w in zip(inputs, row))
        st.latex(f"\\text{{neuron {j}: }} {terms} + {mathtex.number(b)} = {fmt(round(dotted[j - 1], 10))}")

    loop_col, dot_col = st.columns(2, gap="large")
    with loop_col:
        st.markdown("**Plain Python: two loops**")
        st.code(code_of(lessons.layer_loop), language="python", wrap_lines=True)
        st.markdown("Result: `" + ", ".join(fmt(round(v, 10)) for v in looped) + "`")
    with dot_col:
        st.markdown("**numpy: one dot product**")
        st.code(code_of(lessons.layer_dot), language="python", wrap_lines=True)
        st.markdown("Result: `" + ", ".join(fmt(round(v, 10)) for v in dotted) + "`")
    gap = float(np.max(np.abs(np.asarray(looped) - dotted)))
    st.success(f"Both give the same outputs (largest difference {gap:.1e}). The dot product does the "
               "same multiplications and additions, in compiled code.", icon=":material/check_circle:")

    layout.chart(
        charts.signed_bars(pd.DataFrame({"neuron": [f"neuron {j + 1}" for j in range(len(dotted))],
                                         "output": dotted}), "neuron", "output", "output",
                           description="The layer's outputs."),
        "The layer's outputs: " + ", ".join(f"neuron {j + 1} = {fmt(round(v, 10))}" for j, v in enumerate(dotted))
        + ".")

    st.subheader("How nnengine stores the same layer")
    st.markdown(
        f"`nnengine.Dense` keeps its weights the other way round: one **row per input** and one "
        f"**column per neuron**, shape {dense.weights.shape} instead of {weights.shape}. Stored "
        "like that, a whole batch of samples goes through as `inputs @ weights` with no transpose "
        "(the Batches page shows why that matters).")
    st.latex(r"\text{Dense.weights} = W^T = " + mathtex.underset(mathtex.matrix(dense.weights), dense.weights)
             + r",\quad \text{Dense.forward(inputs)} = " + mathtex.matrix(engine) + "")
    show_code(Dense.forward, lessons.dense_from_rows,
              note="The engine's answer above comes from this code.")
else:
    st.info("Fix the numbers above and the layer's outputs appear here.", icon=":material/edit:")

layout.toolbar(CONTROLS)

try:
    lessons.layer_dot(INPUTS.default[:3], WEIGHTS.default, BIASES.default)
except ValueError as error:
    refusal = str(error)
typo = lessons.layer_dot(INPUTS.default, [WEIGHTS.default[0], WEIGHTS.default[1], [-0.26, 0.27, 0.17, 0.87]],
                         BIASES.default)
layout.predict_then_check([
    ("One seed notebook writes the third neuron's second weight as +0.27. What does that neuron output then?",
     "Change -0.27 to 0.27 in the last row of weights.",
     f"**{fmt(round(typo[2], 10))}** instead of 2.385: that weight multiplies the input 2, so flipping "
     "its sign adds 2 × 0.54 = 1.08."),
    ("Add a fourth neuron. What shape will the output have?",
     "Add a fourth line of weights (four values) and a fourth bias.",
     "Four outputs, shape (4,): one per neuron. The number of inputs stays 4."),
    ("Delete one input value but leave the weights alone. What goes wrong?",
     "Remove the last input.",
     "Every neuron needs exactly one weight per input, so the dot product cannot line up 4 weights "
     f"with 3 inputs. numpy refuses (`{refusal}`); the page says which numbers to fix and shows "
     "numpy's own error instead of a result."),
])
