"""Backpropagation: the chain rule through one neuron, a layer's gradients, the gradient check,
learning without gradients, and why the seed notebook's XOR network never learns."""

import numpy as np
import pandas as pd
import streamlit as st

import nnengine as nn
from nnengine import lessons
from ui import charts, layout, mathtex, widgets
from ui.backprop_walk import walk_section
from ui.matrix import format_number as fmt
from ui.source import show_code
from ui.state import Control

BATCH = np.array([[1.0, 2.0, 3.0, 2.5], [2.0, 5.0, -1.0, 2.0], [-1.5, 2.7, 3.3, -0.8]])
LAYER_ROWS = np.array([[0.2, 0.8, -0.5, 1.0], [0.5, -0.91, 0.26, -0.5], [-0.26, -0.27, 0.17, 0.87]])

INPUTS = Control("inputs", "Inputs x", [1.0, -2.0, 3.0], "vector")
WEIGHTS = Control("weights", "Weights w", [-3.0, -1.0, 2.0], "vector")
BIAS = Control("bias", "Bias b", 1.0, "float", -10.0, 10.0)
MAX_INPUTS = 5                 # the graph draws at most this many inputs
# The neuron takes 2n + 4 operations for n inputs (n products, the sum, ReLU; then ReLU's, the sum's
# and n products' backward steps): the slider runs from 0 to that, at most 14.
STEP = Control("step", "Operations done", 2 * MAX_INPUTS + 4, "int", 0, 2 * MAX_INPUTS + 4)
RATE = Control("rate", "Learning rate of the step", 0.001, "float", 0.0001, 1.0)
DVALUES = Control("dvalues", "Gradient arriving from the next layer, dL/d(output)",
                  [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [3.0, 3.0, 3.0]], "matrix", shape=(3, 3))
HIDDEN = Control("hidden", "Hidden neurons", 4, "int", 1, 8)
ACTIVATION = Control("check_act", "Hidden activation", "ReLU", "choice", options=("ReLU", "Tanh", "Sigmoid"))
BREAK = Control("broken", "Break a backward rule", "nothing", "choice", options=tuple(lessons.BROKEN))
ORIGIN = Control("origin", "Keep the 3 points at the origin (on ReLU's kink)", False, "bool")
ITERATIONS = Control("iterations", "Iterations", 1000, "int", 100, 2000)
SEARCH_SEED = Control("search_seed", "Seed", 0, "int", 0, 10_000)
SCALE = Control("scale", "Initial weights: scale × normal", "0.01", "choice",
                options=("0.01", "0.1", "0.5", "1.0", "2.0"))
XOR_RATE = Control("xor_rate", "Learning rate", "0.1", "choice", options=("0.1", "0.5", "1.0", "2.0", "5.0"))
EPOCHS = Control("epochs", "Epochs", "1000", "choice", options=("1000", "5000", "10000", "20000"))
CONTROLS = (INPUTS, WEIGHTS, BIAS, STEP, RATE, DVALUES, HIDDEN, ACTIVATION, BREAK, ORIGIN, ITERATIONS, SEARCH_SEED,
            SCALE, XOR_RATE, EPOCHS)


@st.cache_data(show_spinner=False)
def checked(hidden, activation, broken, origin):
    """Per parameter: name, shape, largest relative error over the entries checked, and the
    indices of the entries left out because their finite difference crossed a kink."""
    return [(c.name, c.analytic.shape, c.max_relative_error, [tuple(map(int, i)) for i in np.argwhere(c.kinks)])
            for c in lessons.check_network(hidden=hidden, activation=activation, broken=broken, origin=origin)]


@st.cache_data(show_spinner="Searching and descending…")
def search_and_descent(iterations, seed):
    return lessons.random_search_vs_gradients(iterations=iterations, seed=seed)


@st.cache_data(show_spinner="nnengine is training the XOR network…")
def xor(scale, rate, epochs):
    return lessons.xor_run(weight_scale=scale, learning_rate=rate, epochs=epochs, every=max(epochs // 50, 1))


def graph_rows(graph, done):
    """Nodes and edges of the neuron's graph, showing what the first ``done`` operations computed."""
    values, grads, steps = graph["values"], graph["grads"], graph["steps"]
    n = sum(1 for name in values if name.startswith("x"))
    known_values = {f"x{i}" for i in range(n)} | {f"w{i}" for i in range(n)} | {"b"}
    known_grads = set()
    for direction, _, names in steps[:done]:
        (known_values if direction == "forward" else known_grads).update(names)
    middle = -(2 * n - 1) / 2
    places = {f"x{i}": (0, -2 * i) for i in range(n)} | {f"w{i}": (0, -2 * i - 1) for i in range(n)}
    # b sits a little further down than the next product would, so p's labels below stay clear of it
    places |= {f"p{i}": (1, -2 * i - 0.5) for i in range(n)} | {"b": (1, -2 * n - 0.5), "z": (2, middle),
                                                                 "y": (3, middle)}
    kinds = {name: "input" for name in values} | {"z": "operation", "y": "output"}
    kinds |= {f"p{i}": "operation" for i in range(n)}
    nodes = [{"name": name, "x": x, "y": y, "kind": kinds[name],
              "value": fmt(round(values[name], 10)) if name in known_values else "",
              "grad": f"∂ {fmt(round(grads[name], 10))}" if name in known_grads else ""}
             for name, (x, y) in places.items()]
    links = [(f"x{i}", f"p{i}") for i in range(n)] + [(f"w{i}", f"p{i}") for i in range(n)]
    links += [(f"p{i}", "z") for i in range(n)] + [("b", "z"), ("z", "y")]
    edges = [{"x": places[a][0], "y": places[a][1], "x2": places[b][0], "y2": places[b][1]} for a, b in links]
    return nodes, edges


layout.header("Backpropagation",
              "Where gradients come from: the chain rule sends the loss's gradient back through every operation, "
              "each one multiplying it by its own local slope.",
              "book chapter 9, *Backpropagation*, and the series' backpropagation videos")
layout.link_notices(CONTROLS)


@st.fragment
def neuron_section():
    st.subheader("One neuron, one operation at a time")
    left, right = st.columns([2, 3], gap="large")
    with left:
        inputs = widgets.matrix_editor(INPUTS, help="One value per input, separated by commas.")
        weights = widgets.matrix_editor(WEIGHTS, help="One weight per input.")
        bias = widgets.slider(BIAS, 0.5)
    if inputs is None or weights is None:
        return
    if len(inputs) != len(weights):
        left.error(f"{len(inputs)} inputs need {len(inputs)} weights; there are {len(weights)}.",
                   icon=":material/error:")
        return
    if len(inputs) > MAX_INPUTS:
        left.error(f"This graph draws at most {MAX_INPUTS} inputs.", icon=":material/error:")
        return
    graph = lessons.neuron_graph(inputs, weights, bias)
    total = len(graph["steps"])
    if st.session_state.get(STEP.key, total) > total:       # fewer inputs than before: all operations
        st.session_state[STEP.key] = total
    with left:
        done = st.slider(STEP.label, 0, total, min(STEP.default, total), 1, key=STEP.key, bind="query-params",
                         help=f"{total} operations: forward first, then backward.")
    nodes, edges = graph_rows(graph, done)
    with right:
        # about 46 px between neighbouring inputs, so circles and their labels never touch
        height = int(46 * (2 * len(inputs) + 0.5)) + 70
        layout.chart(charts.graph_chart(nodes, edges, height=height),
                     f"The neuron as a graph after {done} of {total} operations: inputs and weights (orange) meet "
                     "in products, a sum adds the bias, ReLU gives the output (green). Beside or under each node, its "
                     "forward value and, once the backward pass reaches it, its gradient ∂ (vermillion).",
                     "The neuron as a graph: inputs and weights meet in products, a sum adds the bias, ReLU gives the "
                     "output. Each node shows its forward value and, once the backward pass reaches it, its gradient.")
        if done == 0:
            st.info("Nothing computed yet: move *Operations done* to run the forward pass.", icon=":material/info:")
        else:
            direction, text, _ = graph["steps"][done - 1]
            st.markdown(f"**Operation {done}, {direction}:**")
            st.latex(text)
    values = graph["values"]
    if done >= total:
        before, after, output = lessons.neuron_step(inputs, weights, bias, st.session_state.get(RATE.key, 0.001))
        if values["z"] > 0:
            st.markdown(f"The forward pass gives **y = {fmt(values['y'])}**. Backward from dL/dy = 1, the weights' "
                        f"gradients are the inputs, `{np.round(before['dweights'], 10).tolist()}`, the bias's is "
                        f"{fmt(before['dbias'])} and the inputs' are the weights, "
                        f"`{np.round(before['dinputs'], 10).tolist()}` (nnengine's Dense.backward gives the same).")
        else:
            st.markdown(f"The sum z = {fmt(round(values['z'], 10))} is not positive, so ReLU outputs **y = 0** and "
                        "passes no gradient back: every gradient is 0 and a step changes nothing. The neuron is off "
                        "for this input (for every input, it would be a dead ReLU).")
        cols = st.columns([2, 3], gap="large")
        with cols[0]:
            rate = widgets.number(RATE, 0.001, format="%.4f",
                                  help="The step subtracts this much of each gradient from its parameter.")
        with cols[1]:
            st.latex(r"w \leftarrow w - \eta\,\frac{\partial L}{\partial w} = "
                     + mathtex.matrix(np.round(after["weights"], 10)) + r",\quad b = "
                     + fmt(round(after["bias"], 10)))
            st.latex(r"y_{\text{new}} = " + fmt(round(output, 10)) + (r" < " if output < values["y"] else r" \geq ")
                     + fmt(values["y"]))
        if values["z"] > 0:
            st.caption(f"With learning rate {fmt(rate)}, one SGD step moves every parameter against its gradient, "
                       f"so the output goes from {fmt(values['y'])} to {fmt(round(output, 10))}: the gradient pointed "
                       "the way that raises the output, and the step goes the other way.")
        else:
            st.caption(f"Every gradient is 0, so the step (learning rate {fmt(rate)}) leaves every parameter where it "
                       "was and the output stays 0: gradient descent cannot revive this neuron for this input.")
    else:
        st.caption("Move *Operations done* to the end to take an optimizer step with these gradients.")
    show_code(lessons.neuron_graph, nn.Dense.backward, nn.ReLU.backward, nn.SGD.delta)


@st.fragment
def layer_section():
    st.subheader("A whole layer, a whole batch")
    left, right = st.columns([2, 3], gap="large")
    with left:
        dvalues = widgets.matrix_editor(DVALUES, help="One row per sample, one value per neuron.")
        st.markdown("The layer is the Layer page's 3 neurons on 4 inputs, fed the Batches page's 3 samples.")
    if dvalues is None:
        return
    layer = lessons.dense_from_rows(LAYER_ROWS, [2.0, 3.0, 0.5])
    layer.forward(BATCH)
    layer.backward(dvalues)
    with right:
        st.latex(r"\frac{\partial L}{\partial W} = X^T \cdot \frac{\partial L}{\partial \text{out}} = "
                 + mathtex.underset(mathtex.matrix(layer.dweights), layer.dweights))
        st.latex(r"\frac{\partial L}{\partial b} = \sum_{\text{samples}} \frac{\partial L}{\partial \text{out}} = "
                 + mathtex.underset(mathtex.matrix(layer.dbiases), layer.dbiases))
        st.latex(r"\frac{\partial L}{\partial X} = \frac{\partial L}{\partial \text{out}} \cdot W^T = "
                 + mathtex.underset(mathtex.matrix(layer.dinputs), layer.dinputs))
    st.caption(f"Shapes: inputs {BATCH.shape}, weights {layer.weights.shape}, gradient arriving "
               f"{dvalues.shape}. Each weight's gradient sums, over the batch, its input times the gradient at its "
               "neuron; each input's gradient gathers what all the neurons it feeds send back.")
    show_code(nn.Dense.backward)


@st.fragment
def check_section():
    st.subheader("Trust, but verify: the gradient check")
    st.markdown("Backpropagation's gradients can be checked against the definition of a slope: nudge one "
                "parameter by ±h and see how much the loss moves, (L(p + h) - L(p - h)) / 2h. The two agree to "
                "about seven digits when the backward rules are right. The network is 2 inputs, a hidden layer, 3 "
                "softmax outputs and cross-entropy, on the 12 points of a small spiral that are away from the origin "
                "(15 with the toggle below), in float64.")
    left, right = st.columns([2, 3], gap="large")
    with left:
        hidden = widgets.slider(HIDDEN, 1)
        activation = widgets.choice(ACTIVATION)
        broken = widgets.dropdown(BREAK, help="Swap in a backward rule with a bug and watch the check catch it.")
        origin = widgets.toggle(ORIGIN, help="Each spiral arm starts at (0, 0). There a hidden neuron's input is "
                                             "its bias, 0 at the start: exactly where ReLU bends.")
    results = checked(hidden, activation, broken, origin)
    worst = max(error for _, _, error, _ in results)
    skipped = sum(len(kinks) for *_, kinks in results)
    with right:
        rows = ["| parameter | shape | largest relative error | |", "|---|---|---|---|"]
        for name, shape, error, kinks in results:
            size = int(np.prod(shape))
            if len(kinks) == size:
                rows.append(f"| {name} | {shape} | — | not checked: all {size} on a kink |")
            else:
                rows.append(f"| {name} | {shape} | {error:.1e} | {'pass' if error < 1e-6 else '**fails**'}"
                            + (f" ({len(kinks)} of {size} left out: kink)" if kinks else "") + " |")
        st.markdown("\n".join(rows))
        if worst < 1e-6:
            st.success(f"Analytic and numerical gradients agree (largest relative error {worst:.1e})"
                       + (f" on every entry checked; {skipped} were left out, below." if skipped else "."),
                       icon=":material/check_circle:")
        else:
            st.error(f"The check fails (largest relative error {worst:.2g}): a backward rule is wrong, and the "
                     "table shows which parameters it affects.", icon=":material/error:")
        if broken != "nothing" and lessons.BROKEN[broken] == "relu" and activation != "ReLU":
            st.info(f"This network's hidden layer uses {activation}, not ReLU: the broken ReLU rule is not in it, "
                    "so there is nothing for the check to catch. Choose ReLU to see it fail.",
                    icon=":material/info:")
    if skipped:
        named = "; ".join(f"{name} {', '.join(str(list(k)) for k in kinks)}" for name, _, _, kinks in results if kinks)
        st.warning(f"Left out of the verdict: {named}. For these entries some ReLU input lies within h of 0 (here "
                   "exactly 0: a point at the origin meets a bias of 0), so p + h and p - h land on the two sides of "
                   "the kink and the difference averages a slope of 0 and a slope of 1: it is not a derivative, and "
                   "it would fail a correct network. The check cannot see these entries at all, so a bug in them "
                   "goes unnoticed: with the broken bias rule the first layer's biases are all left out and the "
                   "check passes. Turn the origin points off to check every entry.", icon=":material/warning:")
    show_code(nn.gradcheck, lessons.BrokenReLU, lessons.BrokenDense)


@st.fragment
def search_section():
    st.subheader("Learning without gradients")
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.markdown("Before gradients, the book tries random search on its vertical data: nudge every weight at "
                    "random, keep the nudge if the loss fell. Gradient descent on the same network knows which "
                    "way is down.")
        iterations = widgets.slider(ITERATIONS, 100)
        seed = widgets.number(SEARCH_SEED, 1)
    search, descent = search_and_descent(iterations, seed)
    with left:
        cols = st.columns(2)
        cols[0].metric("Random search, final loss", f"{search[-1]:.3f}")
        cols[1].metric("Gradient descent, final loss", f"{descent[-1]:.3f}")
    with right:
        steps = np.arange(1, iterations + 1)
        table = pd.concat([pd.DataFrame({"iteration": steps, "loss": search, "method": "random search"}),
                           pd.DataFrame({"iteration": steps, "loss": descent, "method": "gradient descent (Adam)"})])
        layout.chart(charts.lines_chart(table, "iteration", "loss", "method", "iteration", "loss"),
                     f"Loss per iteration from the same start: random search reaches {search[-1]:.3f} and gradient "
                     f"descent {descent[-1]:.3f} after {iterations} iterations.",
                     "Loss per iteration from the same start for random search and for gradient descent (Adam).")
    show_code(lessons.random_search_vs_gradients)


@st.fragment
def xor_section():
    st.subheader("Why the seed notebook's XOR network never learns")
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.markdown("A 2-4-1 network of sigmoids without biases, squared error and plain gradient descent, as "
                    "in the seed notebook. With its settings (weights 0.01 × normal, learning rate 0.1, 1000 "
                    "epochs) the notebook prints a loss of 0.2500 at every epoch.")
        scale = float(widgets.choice(SCALE))
        rate = float(widgets.choice(XOR_RATE))
        epochs = int(widgets.choice(EPOCHS))
        st.caption(f"The rate is the notebook's. The notebook starts backpropagation from p - y summed over the 4 "
                   f"samples; the engine's mean squared error has the gradient 2(p - y)/4, half of that, so the "
                   f"engine's SGD runs with {lessons.NOTEBOOK_RATE_FACTOR:g} × {fmt(rate)} = "
                   f"{fmt(lessons.NOTEBOOK_RATE_FACTOR * rate)} and every step is the notebook's step.")
    run = xor(scale, rate, epochs)
    first = [float(np.abs(g).max()) for g in run["first_gradients"]]
    outputs = np.asarray(run["outputs"])
    with left:
        st.metric("Loss after training", f"{run['final_loss']:.4f}")
        st.markdown(f"Largest gradient at the first step: **{first[0]:.1e}** for the hidden layer's weights, "
                    f"**{first[1]:.1e}** for the output's. Outputs for (0,0), (0,1), (1,0), (1,1): "
                    f"`{np.round(outputs, 3).tolist()}` (the targets are 0, 1, 1, 0).")
    with right:
        table = pd.DataFrame({"epoch": run["epochs"], "loss": run["losses"]})
        layout.chart(charts.function_chart(table, "epoch", "loss", "epoch", "loss (mean squared error)"),
                     f"The loss every {max(epochs // 50, 1)} epochs: it ends at {run['final_loss']:.4f}.",
                     "The XOR network's mean squared error as it trains, epoch by epoch.")
    verdict = lessons.xor_verdict(run)
    low, high = float(run["first_hidden"].min()), float(run["first_hidden"].max())
    if verdict == "stuck":
        st.warning(f"Stuck: with initial weights of {fmt(scale)} × normal every hidden sigmoid starts between "
                   f"{low:.3f} and {high:.3f} whatever the input, so the output is about 0.5 for all four samples "
                   "and the loss about 0.25. The gradients reaching the weights are tiny and the four samples' pulls "
                   "nearly cancel, so each step moves the weights by almost nothing. Larger initial weights break "
                   "that symmetry and a larger learning rate takes bigger steps: try scale 1.0, rate 2.0 and 5000 "
                   "epochs.", icon=":material/trending_flat:")
    elif verdict == "learned":
        st.success("Learned: every output is on the right side of 0.5 (0 for (0,0) and (1,1), 1 for the others). "
                   f"With initial weights of {fmt(scale)} × normal the hidden sigmoids start between {low:.3f} and "
                   f"{high:.3f}, different for different inputs, and the steps turn that difference into XOR.",
                   icon=":material/check_circle:")
    else:
        st.info(f"Not learned yet: after {epochs} epochs the outputs are not all on the right side of 0.5 (loss "
                f"{run['final_loss']:.4f}, from {run['losses'][0]:.4f} at the start). Try more epochs, or another "
                "scale and rate: too large a rate can also throw the sigmoids to 0 or 1, where their slope is "
                "almost 0.", icon=":material/trending_flat:")
    show_code(lessons.xor_run)


neuron_section()
layer_section()
walk_section()
check_section()
search_section()
xor_section()
layout.toolbar(CONTROLS)

book = lessons.neuron_step([1.0, -2.0, 3.0], [-3.0, -1.0, 2.0], 1.0, 0.001)
dead = lessons.neuron_graph([1.0, -2.0, 3.0], [-3.0, -1.0, 2.0], -7.0)
layout.predict_then_check([
    ("In the book's neuron, what is the gradient of each weight?",
     "Step through the backward pass.",
     f"The gradient of w_i is x_i, because z changes by x_i for every unit of w_i and ReLU passes the gradient "
     f"(z = 6 > 0): {book[0]['dweights'].tolist()}."),
    ("Make the bias -7. What happens to every gradient?",
     "Set the bias to -7 and finish the backward pass.",
     f"z = -3 + 2 + 6 - 7 = {fmt(dead['values']['z'])} < 0, so ReLU outputs 0 and passes no gradient: every "
     "gradient before it becomes 0, and a step changes nothing. This is a dead ReLU."),
    ("Which change alone makes the XOR network learn in 5000 epochs: initial weights of scale 1.0, or a "
     "learning rate of 2.0?",
     "Try each with the other left at the notebook's value.",
     f"The initial scale: scale 1.0 with rate 0.1 ends at {xor(1.0, 0.1, 5000)['final_loss']:.4f}, every output on "
     f"the right side of 0.5, while rate 2.0 with weights of 0.01 stays at {xor(0.01, 2.0, 5000)['final_loss']:.4f}. "
     "With tiny weights every hidden neuron computes nearly the same thing, and none of the rates offered here "
     "undoes that."),
])
