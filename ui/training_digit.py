"""Draw a digit (Training page, digits dataset): a pad to draw on, the 8x8 image the drawing becomes
(made the way the shipped digits were, nnengine/lessons/digits.py), and what the learner's trained
network makes of it: its class probabilities and its hidden layers' activations. The prediction follows
each stroke; only this area reruns (a fragment)."""

import math

import numpy as np
import pandas as pd
import streamlit as st

from nnengine.lessons import digit_image, read_digit
from ui import charts, layout
from ui.components.digit_pad import digit_pad

PAD_KEY = "digit_pad"


def digit_view(run, train):
    """The pad and the reading of ``run``'s model. ``train``: the page's on_click that starts training
    the run (used when the model has not been trained yet)."""
    st.subheader("Draw a digit")
    model = run["setup"].model
    if model.epochs_done == 0:
        st.info("The network on the left has not been trained yet: its weights are still the random ones it "
                "started with, so what it made of a drawing would mean nothing. Train it first (its progress "
                "shows above), then draw.", icon=":material/draw:")
        st.button("Train this network", icon=":material/play_arrow:", key="digit_train", on_click=train,
                  args=("train",))
        return
    st.fragment(_pad_and_reading)(model)


def _ignore():
    """The pad's on-change callback: the value is read where the pad is mounted."""


def _pad_and_reading(model):
    pad, image, reading = st.columns([1, 1, 1.4])
    with pad:
        st.caption("Draw one digit, large, with a mouse, a pen or a finger; Clear to start again.")
        bitmap, problem = digit_pad(PAD_KEY, _ignore)
    if problem:
        st.warning(problem, icon=":material/warning:")
        return
    counts = None if bitmap is None else digit_image(bitmap)
    if counts is None:
        with image:
            st.caption("Nothing drawn yet: the network reads a drawing once it has some ink.")
        return
    with image:
        layout.chart(charts.images_chart(image_rows(counts, "the 8x8 image"), columns=1, size=150),
                     "The drawing cropped to its box, scaled to fill 32x32 pixels, centred, then each 4x4 "
                     "block's ink counted (0 to 16): the way the training digits were made. The network "
                     "gets these counts divided by 16, as it got every training image.")
    probabilities, hidden = read_digit(model, counts)
    if not np.all(np.isfinite(probabilities)):
        reading.warning("The network's outputs for this drawing are not finite numbers, so it reads nothing: "
                        "its weights have overflowed. Press Reset and train with a lower learning rate.",
                        icon=":material/error:")
        return
    best = int(np.argmax(probabilities))
    with reading:
        st.markdown(f"The network reads a **{best}** (probability {probabilities[best]:.3f}).")
        table = pd.DataFrame({"digit": [str(d) for d in range(len(probabilities))],
                              "probability": np.round(probabilities.astype(float), 3)})
        layout.chart(charts.signed_bars(table, "digit", "probability", "probability", height=300,
                                        ticks=[0, 0.5, 1]),
                     "The output layer's softmax: the network's probability for each digit (to 3 decimals).")
    with st.expander("The 64 counts (0 to 16) the network is fed, each divided by 16"):
        st.code("\n".join(" ".join(f"{int(v):2d}" for v in row) for row in counts), language=None)
    for number, activations in enumerate(hidden, start=1):
        largest = float(np.max(np.abs(activations)))
        scale = (f"darker for a larger output (in size), the largest ({largest:.3g}) black" if largest else
                 "all of them 0 for this drawing")
        layout.chart(charts.images_chart(activation_rows(activations, number), columns=1, size=150),
                     f"Hidden layer {number}: its {len(activations)} neurons' outputs for this drawing, one "
                     f"square each (row by row), {scale}.")


def image_rows(counts, title):
    """An 8x8 image of counts 0..16 as rows for charts.images_chart (ink 0..1)."""
    return [{"image": title, "row": r, "col": c, "ink": float(counts[r, c]) / 16}
            for r in range(counts.shape[0]) for c in range(counts.shape[1])]


def activation_rows(activations, number):
    """A hidden layer's activations in a square-ish grid, scaled by the largest (0 when all are 0)."""
    width = math.ceil(math.sqrt(len(activations)))
    top = float(np.max(np.abs(activations))) or 1.0
    return [{"image": f"hidden layer {number}", "row": k // width, "col": k % width,
             "ink": abs(float(a)) / top} for k, a in enumerate(activations)]
