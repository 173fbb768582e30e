"""Chart builders: data in, ``alt.Chart`` out. No Streamlit here, so every chart is testable.

One colour-blind-safe scheme everywhere (Okabe and Ito): blue for positive, vermillion for
negative, and the same fixed order of colours for classes. Every chart has tooltips and a
``description`` (read out by screen readers); pages also print that text under the chart.
"""

import altair as alt
import numpy as np
import pandas as pd

POSITIVE = "#0072B2"   # blue
NEGATIVE = "#D55E00"   # vermillion
NEUTRAL = "#999999"
CLASS_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
                 "#D55E00", "#F0E442", "#000000", "#999999", "#882255"]
SIGNS = alt.Scale(domain=["positive", "negative"], range=[POSITIVE, NEGATIVE])


def sign_of(values):
    return np.where(np.asarray(values) < 0, "negative", "positive")


def function_chart(curve, x, y, x_title, y_title, point=None, description="", height=280):
    """A line of y against x, with the current point marked.

    curve: DataFrame with columns x and y; point: (x, y) of the current value, or None.
    """
    base = alt.Chart(curve).mark_line(color=POSITIVE, strokeWidth=2.5).encode(
        x=alt.X(f"{x}:Q", title=x_title),
        y=alt.Y(f"{y}:Q", title=y_title),
        tooltip=[alt.Tooltip(f"{x}:Q", title=x_title, format=".3g"),
                 alt.Tooltip(f"{y}:Q", title=y_title, format=".4g")],
    )
    layers = [base]
    if point is not None:
        here = pd.DataFrame({x: [point[0]], y: [point[1]],
                             "label": [f"({point[0]:.3g}, {point[1]:.4g})"]})
        dot = alt.Chart(here).mark_point(filled=True, size=140, color=NEGATIVE).encode(
            x=f"{x}:Q", y=f"{y}:Q",
            tooltip=[alt.Tooltip(f"{x}:Q", title=x_title, format=".3g"),
                     alt.Tooltip(f"{y}:Q", title=y_title, format=".4g")])
        label = dot.mark_text(align="left", dx=9, dy=-9, fontSize=13, color=NEGATIVE).encode(text="label:N")
        layers += [dot, label]
    return alt.layer(*layers).properties(height=height, description=description)


def signed_bars(table, category, value, value_title="value", description="", height=220, sort=None):
    """Horizontal bars, blue when positive and vermillion when negative, each labelled."""
    table = table.assign(sign=sign_of(table[value]),
                         text=[f"{v:.6g}" for v in table[value]])
    bars = alt.Chart(table).mark_bar().encode(
        y=alt.Y(f"{category}:N", title=None, sort=sort or list(table[category])),
        # Room beyond the longest bars for their labels.
        x=alt.X(f"{value}:Q", title=value_title,
                scale=alt.Scale(domain=[min(0.0, float(table[value].min())) * 1.3,
                                        max(0.0, float(table[value].max())) * 1.15 or 1.0])),
        color=alt.Color("sign:N", scale=SIGNS, legend=None),
        tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=".6g")],
    )
    # Labels sit just outside each bar's end: right of positive bars, left of negative ones.
    text_right = bars.mark_text(align="left", dx=4, fontSize=12).encode(
        text="text:N", color=alt.value("#555")).transform_filter(f"datum.{value} >= 0")
    text_left = bars.mark_text(align="right", dx=-4, fontSize=12).encode(
        text="text:N", color=alt.value("#555")).transform_filter(f"datum.{value} < 0")
    zero = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(color="#888").encode(x="zero:Q")
    return alt.layer(bars, text_right, text_left, zero).properties(height=height, description=description)


def matrix_heatmap(array, row_names, col_names, title="", description="", cell=46):
    """A matrix as coloured cells with its numbers: blue positive, vermillion negative."""
    array = np.atleast_2d(np.asarray(array, dtype=float))
    rows, cols = array.shape
    table = pd.DataFrame([(row_names[r], col_names[c], array[r, c], r, c)
                          for r in range(rows) for c in range(cols)],
                         columns=["row", "column", "value", "r", "c"])
    table["text"] = [f"{v:.4g}" for v in table["value"]]
    limit = float(np.abs(array).max()) or 1.0
    base = alt.Chart(table).encode(
        x=alt.X("column:N", sort=list(col_names), title=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("row:N", sort=list(row_names), title=None),
        tooltip=[alt.Tooltip("row:N"), alt.Tooltip("column:N"), alt.Tooltip("value:Q", format=".6g")],
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("value:Q", legend=None,
                        scale=alt.Scale(domain=[-limit, 0, limit], range=[NEGATIVE, "#f7f7f7", POSITIVE])))
    text = base.mark_text(fontSize=12).encode(
        text="text:N",
        color=alt.condition(f"abs(datum.value) > {0.6 * limit}", alt.value("white"), alt.value("black")))
    return alt.layer(cells, text).properties(
        width=cell * cols, height=cell * 0.75 * rows, title=title, description=description)


def network_chart(layer_sizes, weights=None, layer_names=None, description="", height=260):
    """A network drawn as neurons (circles) and connections (lines).

    weights: optional list of arrays, weights[i] of shape (layer_sizes[i], layer_sizes[i+1]);
    with them a line's width shows the weight's magnitude and its colour its sign.
    """
    hidden = [f"hidden {i}" for i in range(1, len(layer_sizes) - 1)]
    names = layer_names or (["inputs"] + hidden + ["outputs"])
    nodes, edges = [], []
    for layer, size in enumerate(layer_sizes):
        for j in range(size):
            nodes.append({"x": layer, "y": (j - (size - 1) / 2), "layer": names[layer], "neuron": j + 1})
    for layer in range(len(layer_sizes) - 1):
        n_in, n_out = layer_sizes[layer], layer_sizes[layer + 1]
        w = None if weights is None else np.asarray(weights[layer])
        for i in range(n_in):
            for j in range(n_out):
                value = float(w[i, j]) if w is not None else 1.0
                edges.append({"x": layer, "y": i - (n_in - 1) / 2, "x2": layer + 1, "y2": j - (n_out - 1) / 2,
                              "weight": value, "size": abs(value),
                              "sign": "negative" if value < 0 else "positive",
                              "link": f"{names[layer]} {i + 1} → {names[layer + 1]} {j + 1}"})
    edge_table, node_table = pd.DataFrame(edges), pd.DataFrame(nodes)
    x_axis = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-0.3, len(layer_sizes) - 0.7]))
    y_axis = alt.Y("y:Q", axis=None)
    width = (alt.Size("size:Q", scale=alt.Scale(range=[0.5, 5]), legend=None)
             if weights is not None else alt.value(1.2))
    lines = alt.Chart(edge_table).mark_rule(opacity=0.75).encode(
        x=x_axis, y=y_axis, x2="x2:Q", y2="y2:Q", strokeWidth=width,
        color=alt.Color("sign:N", scale=SIGNS, legend=None) if weights is not None else alt.value(NEUTRAL),
        tooltip=[alt.Tooltip("link:N", title="connection"), alt.Tooltip("weight:Q", format=".4g")]
        if weights is not None else [alt.Tooltip("link:N", title="connection")])
    dots = alt.Chart(node_table).mark_circle(size=420, color="#E69F00", stroke="#333", strokeWidth=1,
                                             opacity=1).encode(
        x=x_axis, y=y_axis, tooltip=[alt.Tooltip("layer:N"), alt.Tooltip("neuron:Q")])
    captions = alt.Chart(pd.DataFrame({"x": range(len(layer_sizes)), "name": names,
                                       "y": [-(max(layer_sizes) + 1) / 2] * len(layer_sizes)})
                         ).mark_text(fontSize=12, color="#666").encode(x=x_axis, y=y_axis, text="name:N")
    return alt.layer(lines, dots, captions).properties(height=height, description=description)


def spread_chart(table, x, y, x_title, y_title, reference=None, description="", height=260):
    """A strip plot: one tick per value of y for each x category (e.g. batch losses per batch
    size), with an optional horizontal reference line (the full-data value)."""
    ticks = alt.Chart(table).mark_tick(thickness=2, size=36, opacity=0.45, color=POSITIVE).encode(
        x=alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip(f"{x}:O", title=x_title), alt.Tooltip(f"{y}:Q", title=y_title, format=".4f")],
    )
    layers = [ticks]
    if reference is not None:
        line = alt.Chart(pd.DataFrame({"ref": [reference], "label": [f"all data: {reference:.4f}"]}))
        layers.append(line.mark_rule(color=NEGATIVE, strokeDash=[6, 4], strokeWidth=2).encode(y="ref:Q"))
        layers.append(line.mark_text(color=NEGATIVE, align="left", x=4, dy=-8)
                      .encode(y="ref:Q", text="label:N"))
    return alt.layer(*layers).properties(height=height, description=description)
