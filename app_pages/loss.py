"""Loss: how wrong is the network? Cross-entropy, binary cross-entropy, MSE and MAE, with accuracy."""

import numpy as np
import pandas as pd
import streamlit as st

import nnengine as nn
from nnengine import lessons
from nnengine.losses import EPSILON
from ui import charts, layout, mathtex, widgets
from ui.matrix import format_number as fmt
from ui.source import show_code
from ui.state import Control

CONFIDENCES = tuple(Control(f"c{k}", f"Confidence in class {k} (before scaling)", value, "float", 0.0, 1.0)
                    for k, value in enumerate((0.7, 0.1, 0.2)))
TARGET = Control("target", "Correct class", "0", "choice", options=("0", "1", "2"))
BATCH = Control("batch", "Predicted probabilities (one sample per line)",
                [[0.7, 0.1, 0.2], [0.1, 0.5, 0.4], [0.02, 0.9, 0.08]], "matrix")
TARGETS = Control("targets", "Correct class of each sample", [0.0, 1.0, 1.0], "vector")
BCE_P = Control("bce_p", "Sigmoid output p (the predicted chance of class 1)", 0.8, "float", 0.0, 1.0)
BCE_Y = Control("bce_y", "True label", "1", "choice", options=("1", "0"))
SLOPE = Control("slope", "Slope of the line", 0.5, "float", -2.0, 2.0)
INTERCEPT = Control("intercept", "Intercept of the line", 1.0, "float", -3.0, 5.0)
OUTLIER = Control("outlier", "Move the last point 4 units up (an outlier)", False, "bool")
CONTROLS = (*CONFIDENCES, TARGET, BATCH, TARGETS, BCE_P, BCE_Y, SLOPE, INTERCEPT, OUTLIER)
CCE = nn.CategoricalCrossentropy()


def clipped(p):
    """p as the loss uses it: kept within [EPSILON, 1 - EPSILON] so that its log is finite."""
    return float(np.clip(p, EPSILON, 1 - EPSILON))


def minus_log(p, digits=4):
    """TeX for -log p as the engine computes it, writing out the clip when it changed p."""
    if clipped(p) == p:
        return rf"-\log({fmt(round(p, digits))})"
    bound = r"10^{-7}" if p < EPSILON else r"1 - 10^{-7}"
    return rf"-\log({fmt(round(p, digits))}) \to -\log({bound})"


def log_curve(lowest):
    """p from ``lowest`` (at most 0.005) to 1 for a -log p curve: evenly spaced, plus points
    spaced by ratio below 0.005 when the curve must reach a clipped probability near 0."""
    ps = np.linspace(0.005, 1, 200)
    if lowest < 0.005:
        ps = np.concatenate([np.geomspace(lowest, 0.005, 40, endpoint=False), ps])
    return ps

layout.header("Loss: how wrong is the network?",
              "A loss turns a prediction and the truth into one number that is small when the network is "
              "right and confident, and that training drives down.",
              "book chapter 5, *Calculating network error with loss*, and videos 7 and 8")
layout.link_notices(CONTROLS)

# -- categorical cross-entropy, one sample ------------------------------------------------------
st.subheader("Categorical cross-entropy")
left, right = st.columns([2, 3], gap="large")
with left:
    raw = np.array([widgets.slider(control, 0.01, help="The three are divided by their sum, so that they add "
                                                       "up to 1 like the outputs of softmax.")
                    for control in CONFIDENCES])
    target = int(widgets.choice(TARGET))
    if raw.sum() > 0:
        # right under the sliders, so the result stays in view on a phone where the columns stack
        scaled = raw / raw.sum()
        st.markdown("Scaled to add up to 1 (each divided by " + fmt(round(float(raw.sum()), 4)) + "): "
                    + ", ".join(f"class {k} **{v:.4g}**" for k, v in enumerate(scaled))
                    + f". Loss for class {target}: **{CCE.calculate(scaled.reshape(1, -1), [target]):.4f}**.")
if raw.sum() == 0:
    left.error("All three confidences are 0: raise at least one, so they can be scaled to add up to 1.",
               icon=":material/error:")
    probabilities = None
else:
    probabilities = raw / raw.sum()          # kept normalised: the three always add up to 1
with right:
    if probabilities is not None:
        sample = probabilities.reshape(1, -1)
        sparse = CCE.calculate(sample, [target])
        one_hot = CCE.calculate(sample, np.eye(3)[[target]])
        p_true = probabilities[target]
        st.latex(r"\begin{gathered}\hat y = " + mathtex.matrix(np.round(probabilities, 4)) + r" \\ L = -\log \hat y_{"
                 + str(target) + "} = " + minus_log(p_true) + " = " + fmt(round(sparse, 4)) + r"\end{gathered}")
        cols = st.columns(3)
        cols[0].metric("Loss, sparse label", f"{sparse:.4f}", help=f"y = {target}")
        cols[1].metric("Loss, one-hot label", f"{one_hot:.4f}", help=f"y = {np.eye(3, dtype=int)[target].tolist()}")
        cols[2].metric("Predicted class", int(np.argmax(probabilities)),
                       help="The class with the largest probability; accuracy compares it with the truth.")
        ps = log_curve(clipped(p_true))
        layout.chart(
            charts.function_chart(pd.DataFrame({"p": ps, "loss": -np.log(ps)}), "p", "loss",
                                  "probability given to the correct class", "loss = -log p",
                                  point=(float(p_true), float(sparse))),
            f"The loss -log(p) against the probability p given to the correct class: 0 at p = 1, rising "
            f"steeply as p falls towards 0. Now p = {p_true:.4f} and the loss is {sparse:.4f}"
            + (f" (p clipped to {clipped(p_true):g})." if clipped(p_true) != p_true else "."),
            "The loss -log(p) against the probability p given to the correct class, with a dot at the current p.")
zero_loss = CCE.calculate(np.array([[1.0, 0.0, 0.0]]), [1])
with np.errstate(divide="ignore"):
    unclipped = float(-np.log(0.0))
st.markdown(
    f"**Sparse or one-hot**, the loss is the same: a one-hot row only picks out the correct class's "
    f"probability. **Clipping**: if the correct class gets probability 0, -log(0) is {unclipped} and one sample "
    f"would make the mean infinite, so the engine keeps probabilities within [{EPSILON:g}, 1 - {EPSILON:g}]; "
    f"that sample's loss is then {zero_loss:.3f}, large but finite.")
show_code(nn.CategoricalCrossentropy.sample_losses, nn.CategoricalCrossentropy.prepare)

# -- the book's batch -------------------------------------------------------------------------
st.subheader("A batch: one loss per sample, then the mean")
batch_left, batch_right = st.columns([2, 3], gap="large")
with batch_left:
    batch = widgets.matrix_editor(BATCH, help="One line per sample; each line one probability per class.")
    targets = widgets.matrix_editor(TARGETS, help="One whole number per sample, the index of its correct class.")
problem = None
if batch is not None and targets is not None:
    if len(targets) != len(batch):
        problem = f"{len(batch)} samples need {len(batch)} correct classes; there are {len(targets)}."
    elif np.any(targets != np.round(targets)) or targets.min() < 0 or targets.max() >= batch.shape[1]:
        problem = f"Each correct class must be a whole number from 0 to {batch.shape[1] - 1}."
    elif batch.min() < 0 or batch.max() > 1:
        problem = "Probabilities lie between 0 and 1."
    elif not np.allclose(batch.sum(axis=1), 1, atol=1e-6):
        sums = ", ".join(fmt(round(v, 6)) for v in batch.sum(axis=1))
        problem = f"Each sample's probabilities must add up to 1 (the rows add up to {sums})."
    if problem:
        batch_left.error(problem, icon=":material/error:")
if batch is not None and targets is not None and not problem:
    labels = targets.astype(int)
    per_sample = CCE.forward(batch, labels)
    mean = CCE.calculate(batch, labels)
    with batch_right:
        st.latex(r"\begin{aligned}" + r" \\ ".join(
            f"L_{i} &= {minus_log(batch[i, labels[i]])} = {fmt(round(v, 3))}" for i, v in enumerate(per_sample))
            + r"\end{aligned}")
        st.latex(r"L = \frac{1}{" + str(len(per_sample)) + r"} \sum_i L_i = " + fmt(round(mean, 3)))
        st.metric("Mean loss of the batch", f"{mean:.3f}",
                  help=f"With one-hot labels: {CCE.calculate(batch, np.eye(batch.shape[1])[labels]):.3f}")
        st.caption("Per-sample losses: " + ", ".join(f"{v:.3f}" for v in per_sample)
                   + ". The surest correct prediction costs least; the mean is what training lowers.")

# -- binary cross-entropy ----------------------------------------------------------------------
st.subheader("Binary cross-entropy")
bce_left, bce_right = st.columns([2, 3], gap="large")
with bce_left:
    p = widgets.slider(BCE_P, 0.01, help="A sigmoid output: the network's probability that the label is 1.")
    label = int(widgets.choice(BCE_Y))
    bce = nn.BinaryCrossentropy().calculate(np.array([[p]]), np.array([[label]]))
    st.latex(r"\begin{aligned} L &= -\left(y \log p + (1 - y) \log(1 - p)\right) \\ &= "
             + (minus_log(p) if label == 1 else minus_log(1 - p)) + " = " + fmt(round(bce, 4)) + r"\end{aligned}")
    st.markdown("With label 1 only the first term counts, -log p; with label 0 only the second, -log(1 - p): "
                "the same curve as cross-entropy, for each of the two outcomes.")
with bce_right:
    ps = log_curve(clipped(min(p, 1 - p)))
    ps = np.unique(np.concatenate([ps[ps <= 0.5], 1 - ps[ps <= 0.5]]))     # as close to 0 as to 1
    curves = pd.concat([pd.DataFrame({"p": ps, "loss": -np.log(ps), "label": "label 1: -log p"}),
                        pd.DataFrame({"p": ps, "loss": -np.log(1 - ps), "label": "label 0: -log(1 - p)"})])
    shown = "label 1: -log p" if label == 1 else "label 0: -log(1 - p)"
    layout.chart(
        charts.lines_chart(curves, "p", "loss", "label", "sigmoid output p", "loss",
                           points=[{"p": p, "loss": bce, "label": shown}]),
        f"The binary cross-entropy for each label as the output p moves from 0 to 1. With label {label} and "
        f"p = {fmt(p)}, the loss is {bce:.4f}.",
        "The binary cross-entropy for each label as the output p moves from 0 to 1, with a dot at the current p.")

# -- regression: MSE and MAE -------------------------------------------------------------------
st.subheader("Regression: mean squared and mean absolute error")
reg_left, reg_right = st.columns([2, 3], gap="large")
with reg_left:
    slope = widgets.slider(SLOPE, 0.05)
    intercept = widgets.slider(INTERCEPT, 0.05)
    outlier = widgets.toggle(OUTLIER)
mse, mae = nn.MeanSquaredError(), nn.MeanAbsoluteError()
scores = {}
for moved in (False, True):
    x, y = lessons.regression_points(outlier=moved)
    prediction = (intercept + slope * x).reshape(-1, 1)
    scores[moved] = (mse.calculate(prediction, y), mae.calculate(prediction, y))
x, y = lessons.regression_points(outlier=outlier)
with reg_left:
    cols = st.columns(2)
    cols[0].metric("Mean squared error", f"{scores[outlier][0]:.3f}")
    cols[1].metric("Mean absolute error", f"{scores[outlier][1]:.3f}")
    st.markdown(f"The outlier multiplies the squared error by **{scores[True][0] / scores[False][0]:.1f}** "
                f"and the absolute error by **{scores[True][1] / scores[False][1]:.1f}** for this line: a squared "
                "miss of 4 counts 16.")
with reg_right:
    table = pd.DataFrame({"x": x, "y": y, "prediction": intercept + slope * x})
    layout.chart(charts.residuals_chart(table, "x", "y", "prediction", "x", "y"),
                 f"Eight points, the line y = {fmt(intercept)} + {fmt(slope)}·x, and each point's miss (its "
                 f"residual) as a vermillion segment. Squared error {scores[outlier][0]:.3f}, absolute error "
                 f"{scores[outlier][1]:.3f}.",
                 "Eight points, your line, and each point's miss (its residual) as a vermillion segment.")
show_code(nn.MeanSquaredError.sample_losses, nn.MeanAbsoluteError.sample_losses)

# -- accuracy next to loss ---------------------------------------------------------------------
st.subheader("Accuracy next to loss")
pair = np.array([[0.7, 0.2, 0.1], [0.4, 0.35, 0.25]])
pair_losses = CCE.forward(pair, [0, 0])
right_both = np.argmax(pair, axis=1) == 0
st.markdown(
    f"Two predictions for a sample of class 0: a confident one, {pair[0].tolist()}, and a hesitant one, "
    f"{pair[1].tolist()}. Both pick class 0, so both count as correct: accuracy "
    f"{right_both.mean():.0%} either way. Their losses differ: **{pair_losses[0]:.3f}** and "
    f"**{pair_losses[1]:.3f}**. Accuracy only asks whether the largest probability is on the right class; "
    "the loss also asks how sure the network was, and it changes smoothly with every weight. That is why "
    "training follows the loss and reports accuracy alongside.")

layout.toolbar(CONTROLS)


@st.cache_data(show_spinner=False)
def slider_best_lines(outlier):
    """The best lines among those the two sliders can set (every step of each)."""
    slopes = np.round(np.arange(SLOPE.low, SLOPE.high + 0.025, 0.05), 2)
    intercepts = np.round(np.arange(INTERCEPT.low, INTERCEPT.high + 0.025, 0.05), 2)
    return lessons.best_lines(outlier, slopes, intercepts)


without, with_outlier = slider_best_lines(False), slider_best_lines(True)


def lines(ties, where=""):
    """'slope 0.45 and intercept 1.2' for one best line; for several tied ones, every one of them."""
    named = [f"slope {fmt(s)} and intercept {fmt(b)}" for s, b in ties]
    if len(named) == 1:
        return ("line " + where + ", " if where else "") + named[0]
    return (f"lines {where}, " if where else f"{len(named)} lines tie: ") + "; ".join(named[:-1]) + " or " + named[-1]

layout.predict_then_check([
    ("What loss does a prediction of 0.5 for the correct class give?",
     "Move the confidences until the scaled value of the correct class is 0.5 (for example 0.5, 0.3, 0.2).",
     f"-log(0.5) = {-np.log(0.5):.3f}: halving the probability of the right answer from 1 adds 0.693."),
    ("Which line gives the smallest mean absolute error once the outlier is in?",
     "Turn the outlier on and move the slope and intercept.",
     f"{lines(with_outlier['mae ties'])} (absolute error {with_outlier['mae'][2]:.3f}): close to the best "
     f"{lines(without['mae ties'], 'without the outlier')}. The smallest squared error is at slope "
     f"{fmt(with_outlier['mse'][0])}, intercept {fmt(with_outlier['mse'][1])}: tilted toward the outlier. Absolute "
     "error lets the outlier pull with its distance, squared error with its square. (Absolute error's lowest value "
     "is often shared: between two points a line can move a little closer to one and as much further from the "
     "other at no cost, so several lines tie.)"),
    ("The book's batch has a mean loss of 0.385. Which sample contributes most?",
     "Look at the per-sample losses.",
     "The second: it gives its correct class only 0.5, so its loss is -log(0.5) = 0.693."),
])
