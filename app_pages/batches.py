"""Batches: many samples through a layer as one matrix product; the transpose; two layers;
where a random seed must be set; why batches help."""

import numpy as np
import pandas as pd
import streamlit as st

from nnengine import lessons
from nnengine import rng as nn_rng
from nnengine.layers import Dense
from ui import charts, layout, mathtex, widgets
from ui.matrix import format_number
from ui.source import show_code
from ui.state import Control

# The series' batch of 3 samples, its 3-neuron layer, and the second layer chained after it.
BATCH = Control("batch", "Batch of inputs (one sample per line)",
                [[1.0, 2.0, 3.0, 2.5], [2.0, 5.0, -1.0, 2.0], [-1.5, 2.7, 3.3, -0.8]], "matrix")
WEIGHTS1 = Control("weights1", "Layer 1 weights (one row per neuron)",
                   [[0.2, 0.8, -0.5, 1.0], [0.5, -0.91, 0.26, -0.5], [-0.26, -0.27, 0.17, 0.87]], "matrix")
BIASES1 = Control("biases1", "Layer 1 biases", [2.0, 3.0, 0.5], "vector")
WEIGHTS2 = Control("weights2", "Layer 2 weights (one row per neuron)",
                   [[0.1, -0.14, 0.5], [-0.5, 0.12, -0.33], [-0.44, 0.73, -0.13]], "matrix")
BIASES2 = Control("biases2", "Layer 2 biases", [-1.0, 2.0, -0.5], "vector")
SEED = Control("seed", "Seed", 0, "int", 0, 10_000)
DRAWS = Control("draws", "Draws before the layers", 60, "int", 0, 10_000)
# Seed notebook 001 printed exactly the untransposed ("wrong") second layer for the default numbers.
NOTEBOOK_001 = [[-2.1744, 3.21425, 1.19065], [0.707, 0.6828, 4.5213], [-1.39594, 1.9477, -0.14521]]
CONTROLS = (BATCH, WEIGHTS1, BIASES1, WEIGHTS2, BIASES2, SEED, DRAWS)
SEEDED_INPUTS = (1.0, 2.0, 3.0, 2.5)


@st.cache_data(show_spinner=False)
def batch_spread():
    return lessons.batch_loss_spread()


def rows_text(matrix):
    """A matrix as Python would print its rows, numbers as on the rest of the page: [4.8, 1.21], [8.9, -1.81]."""
    return ", ".join("[" + ", ".join(format_number(round(float(v), 10)) for v in row) + "]" for row in matrix)


def check_layer(inputs_width, weights, biases, name):
    """A message when a layer's numbers do not fit together, else None."""
    if weights.shape[1] != inputs_width:
        return (f"{name}: each neuron needs one weight per input. Its inputs have {inputs_width} values "
                f"per sample but its weight rows hold {weights.shape[1]}.")
    if len(biases) != weights.shape[0]:
        return f"{name}: {weights.shape[0]} neurons need {weights.shape[0]} biases, not {len(biases)}."
    return None


layout.header("Batches, the transpose, and two layers",
              "A batch is many samples at once: one matrix product sends them all through a layer, "
              "as long as the shapes line up.",
              "book chapters 2 and 3, *A batch of data*, *Adding layers* and *the Dense layer class*, "
              "and video 4")
layout.link_notices(CONTROLS)

left, right = st.columns(2, gap="large")
with left:
    batch = widgets.matrix_editor(BATCH, help="One sample per line; each sample has one value per input.")
    weights1 = widgets.matrix_editor(WEIGHTS1, help="One line per neuron, one weight per input.")
    biases1 = widgets.matrix_editor(BIASES1)
with right:
    weights2 = widgets.matrix_editor(WEIGHTS2, help="One line per neuron, one weight per layer-1 neuron.")
    biases2 = widgets.matrix_editor(BIASES2)

layer1_ok = batch is not None and weights1 is not None and biases1 is not None
problem1 = check_layer(batch.shape[1], weights1, biases1, "Layer 1") if layer1_ok else None
if problem1:
    left.error(problem1, icon=":material/error:")
layer2_ok = layer1_ok and not problem1 and weights2 is not None and biases2 is not None
problem2 = check_layer(len(biases1), weights2, biases2, "Layer 2") if layer2_ok else None
if problem2:
    right.error(problem2, icon=":material/error:")

st.subheader("One layer, a whole batch")
if layer1_ok and not problem1:
    dense1 = lessons.dense_from_rows(weights1, biases1)    # stores weights1.T
    out1 = dense1.forward(batch)
    # Each layer's outputs right under its numbers: on a phone the equations come after all five editors.
    left.markdown(f"Layer 1's outputs, one row per sample: `{rows_text(out1)}`")
    st.latex(mathtex.underset(mathtex.matrix(batch), batch) + r"\cdot"
             + mathtex.underset(mathtex.matrix(weights1.T), weights1.T) + "+"
             + mathtex.underset(mathtex.matrix(biases1), biases1) + "="
             + mathtex.underset(mathtex.matrix(out1), out1))
    st.markdown(
        f"Inputs {batch.shape} times the transposed weights {weights1.T.shape} give {out1.shape}: "
        "**one row per sample, one column per neuron**. The biases, one per neuron, are added to every "
        "row. Entry (i, j) is sample i's dot product with neuron j's weights plus neuron j's bias.")

    st.subheader("Why the transpose")
    error = lessons.shape_error_without_transpose(batch, weights1)
    if error:
        st.markdown(
            f"The weights are written one row per neuron, {weights1.shape}. Multiplying the batch "
            f"{batch.shape} by them as written fails, because a matrix product needs the columns of "
            "the first to match the rows of the second:")
        st.code(f"np.dot(inputs, weights)\nValueError: {error}", language=None, wrap_lines=True)
        st.markdown("Transposing swaps rows and columns, so each neuron's weights become a column and "
                    "every sample row meets every neuron column. `nnengine.Dense` stores its weights "
                    "already transposed, (inputs × neurons), to skip this step.")
    else:
        st.warning(
            f"With these shapes ({batch.shape} and {weights1.shape}) the untransposed product does not "
            "fail, but it pairs each sample with the wrong weights. See the quiet mistake below.",
            icon=":material/visibility:")
else:
    st.info("Fix layer 1's numbers above to see the batch go through.", icon=":material/edit:")

st.subheader("Two layers chained, and the quiet mistake")
if layer2_ok and not problem2:
    hidden, out2 = lessons.chained_layers(batch, weights1, biases1, weights2, biases2)
    engine_out2 = lessons.dense_from_rows(weights2, biases2).forward(out1)
    right.markdown(f"Layer 2's outputs, one row per sample: `{rows_text(engine_out2)}`")
    st.latex(r"\text{layer 2} = \text{layer 1 output} \cdot W_2^T + b_2 = "
             + mathtex.underset(mathtex.matrix(out2), out2))
    correct_col, wrong_col = st.columns(2, gap="large")
    with correct_col:
        st.markdown("**Correct:** with the transpose")
        st.latex(mathtex.matrix(engine_out2))
    with wrong_col:
        st.markdown("**Wrong:** without it")
        if weights2.shape[0] == weights2.shape[1]:
            _, wrong = lessons.chained_layers(batch, weights1, biases1, weights2, biases2, transpose_second=False)
            st.latex(mathtex.matrix(wrong))
            if np.allclose(wrong, NOTEBOOK_001, rtol=0, atol=1e-9):
                st.caption("A real notebook made this mistake: seed notebook 001 printed exactly this matrix, "
                           "`[[-2.1744  3.21425  1.19065] ...]`, from `np.dot(layer1_outputs, weights2)`.")
        else:
            error2 = lessons.shape_error_without_transpose(hidden, weights2)
            st.code(f"ValueError: {error2}" if error2 else "(no error)", language=None, wrap_lines=True)
    if weights2.shape[0] == weights2.shape[1]:
        st.warning(
            f"Layer 2's weights are square, {weights2.shape}, so forgetting the transpose raises **no "
            "error**: every number is computed, and wrong. Each neuron reads a column of the matrix, "
            "which holds one weight from every neuron, instead of its own row. Only the values give the "
            "mistake away, which is why checking shapes is not enough.", icon=":material/visibility_off:")
    show_code(Dense.forward, lessons.chained_layers,
              note="The correct numbers (left) come from this code; the wrong ones from the same function "
                   "with transpose_second=False.")
else:
    if layer2_ok and weights2.shape[1] != len(biases1):
        hidden = lessons.batch_layer(batch, weights1, biases1)
        quiet = lessons.shape_error_without_transpose(hidden, weights2) is None
        loud = lessons.shape_error_without_transpose(hidden, weights2.T)
        if quiet and loud:
            st.warning(
                f"An even quieter mistake: the correct product, layer 1's output {hidden.shape} · W₂ᵀ "
                f"{weights2.T.shape}, fails (`{loud}`), but the untransposed `np.dot(hidden, weights2)`, "
                f"{hidden.shape} · {weights2.shape}, runs and returns shape {(hidden.shape[0], weights2.shape[1])}: "
                "numbers for the wrong neurons, with no error.", icon=":material/visibility_off:")
    st.info("Fix the numbers above to chain the second layer.", icon=":material/edit:")

st.subheader("Where a seed must be set")
st.markdown(
    "The series builds a 4 → 5 → 2 network with random weights (0.10 × standard normal) after seeding "
    "numpy with 0, and passes the sample 1, 2, 3, 2.5 through it. A fresh seed gives the left numbers. "
    "The notebook printed the right ones: by the time its layers were built, earlier cells had already "
    "drawn 60 numbers from the seeded stream. 60 is exactly two earlier runs of the cell that builds both "
    "layers (4 × 5 + 5 × 2 = 30 numbers each).")
seed_cols = st.columns([1, 1, 2])
with seed_cols[0]:
    seed = widgets.number(SEED, 1, help="The seed given to the random number generator: 0 to 10 000.",
                          say_out_of_range=True)
with seed_cols[1]:
    draws = widgets.number(DRAWS, 1, help="How many numbers earlier code drew from the same stream: 0 to 10 000.",
                           say_out_of_range=True)
fresh1, fresh2 = lessons.seeded_layers(SEEDED_INPUTS, seed=seed, draws_before=0)
later1, later2 = lessons.seeded_layers(SEEDED_INPUTS, seed=seed, draws_before=draws)
fresh_col, later_col = st.columns(2, gap="large")
with fresh_col:
    st.markdown(f"**Seed {seed}, layers built right away**")
    st.code(f"layer 1: {np.array2string(fresh1, precision=8)}\nlayer 2: {np.array2string(fresh2, precision=8)}",
            language=None, wrap_lines=True)
with later_col:
    st.markdown(f"**Seed {seed}, {draws} numbers drawn first**")
    st.code(f"layer 1: {np.array2string(later1, precision=8)}\nlayer 2: {np.array2string(later2, precision=8)}",
            language=None, wrap_lines=True)
st.caption("Same seed, different numbers: a seed fixes where the stream starts, not what each line of code "
           "gets. To reproduce a result, seed right before the draws you care about, or give every random "
           "thing its own generator, as nnengine does with `rng=`.")
show_code(lessons.seeded_layers, nn_rng.standard_normal,
          note="Dense(n_inputs, n_neurons, weight_scale=0.10, rng=rng) fills its weights with weight_scale × "
               "standard_normal(rng, (n_inputs, n_neurons)), one number from the stream per weight, and starts its "
               "biases at 0.")

st.subheader("Why batches help")
full_loss, spread = batch_spread()
table = pd.DataFrame([(size, float(v)) for size, values in spread.items() for v in values],
                     columns=["batch size", "batch loss"])
layout.chart(
    charts.spread_chart(table, "batch size", "batch loss", "samples per batch", "mean loss of the batch",
                        reference=full_loss, description="Batch losses scattered around the full-data loss."),
    f"Each tick is the mean loss of one random batch from a partly trained spiral classifier. Batches of 1 "
    f"sample scatter with standard deviation {spread[1].std():.3f} around the loss over all 300 samples "
    f"({full_loss:.4f}); batches of 64 only {spread[64].std():.3f}.")
st.markdown(
    "A training step follows what one batch says about the whole dataset. One sample says little and "
    "pulls the weights toward itself; a batch averages many samples, so its loss, and the gradient "
    "computed from it, point more reliably the way the whole dataset needs. And a batch is one matrix "
    "product, which runs far faster than the same samples one at a time.")

layout.toolbar(CONTROLS)

layout.predict_then_check([
    ("Add a fourth sample to the batch. What shape will layer 1's output have?",
     "Add a fourth line of four numbers to the batch.",
     "(4, 3): one row per sample, still one column per neuron. The weights do not change with the "
     "number of samples, which is why one layer serves any batch size."),
    ("Set the numbers drawn first to 30. Which result do you get?",
     "Change *Draws before the layers* to 30.",
     "Neither: a third set of numbers, the one the notebook would have printed after a single earlier "
     "run of the layer cell. Every extra draw shifts which numbers each weight gets."),
    ("Make layer 2's weights 3 × 2 (two values per row). Does the untransposed product still run?",
     "Delete the last value of every row in layer 2's weights.",
     "Yes, and that is the trap. Layer 1 gives 3 outputs per sample, and each of layer 2's neurons now has "
     "only 2 weights, so the correct product, hidden (3, 3) · W₂ᵀ (2, 3), fails, and the page names the "
     "mismatch. Without the transpose, `np.dot(hidden, weights2)` is (3, 3) · (3, 2): it runs and returns "
     "(3, 2), wrong numbers with no error. (Adding the 3 biases to those 2 columns would then fail.)"),
])
