"""Chart builders: data in, ``alt.Chart`` out. No Streamlit here, so every chart is testable.

One colour-blind-safe scheme everywhere (Okabe and Ito): blue for positive, vermillion for
negative, and the same fixed order of colours for classes. Every chart has tooltips and a
``description`` (read out by screen readers); pages also print that text under the chart.

Speed: a page redraws its charts on every slider move. Altair is slow to copy and convert
DataFrames, so each chart refers to its data by name (``alt.NamedData``) and carries the rows
as plain records in its top-level ``datasets``; ``to_spec`` turns it into Vega-Lite in well
under a millisecond by leaving those rows out of Altair's conversion.
"""

import altair as alt
import numpy as np

POSITIVE = "#0072B2"   # blue
NEGATIVE = "#D55E00"   # vermillion
NEUTRAL = "#999999"
CLASS_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
                 "#D55E00", "#F0E442", "#000000", "#999999", "#882255"]
SIGNS = alt.Scale(domain=["positive", "negative"], range=[POSITIVE, NEGATIVE])


def records(table):
    """Rows of a DataFrame as JSON-ready dicts."""
    return table.to_dict("records")


def to_spec(chart):
    """The Vega-Lite dict of a chart made here: Altair converts the structure, the rows are
    attached as they are (they are already plain records)."""
    datasets, chart.datasets = chart.datasets, alt.Undefined
    try:
        spec = chart.to_dict(validate=False)
    finally:
        chart.datasets = datasets
    if datasets is not alt.Undefined:
        spec["datasets"] = datasets
    return spec


def with_data(chart, datasets):
    """Attach rows to a chart by name, without Altair deep-copying them (as passing them to
    the constructor would)."""
    chart.datasets = datasets
    return chart


def sign_of(values):
    return np.where(np.asarray(values) < 0, "negative", "positive")


def function_chart(curve, x, y, x_title, y_title, point=None, description="", height=280):
    """A line of y against x, with the current point marked.

    curve: DataFrame with columns x and y; point: (x, y) of the current value, or None.
    """
    tooltip = [alt.Tooltip(f"{x}:Q", title=x_title, format=".3g"),
               alt.Tooltip(f"{y}:Q", title=y_title, format=".4g")]
    line = alt.Chart(alt.NamedData("curve")).mark_line(color=POSITIVE, strokeWidth=2.5).encode(
        x=alt.X(f"{x}:Q", title=x_title), y=alt.Y(f"{y}:Q", title=y_title), tooltip=tooltip)
    layers, datasets = [line], {"curve": records(curve[[x, y]])}
    if point is not None:
        datasets["point"] = [{x: float(point[0]), y: float(point[1]),
                              "label": f"({point[0]:.3g}, {point[1]:.4g})"}]
        layers.append(alt.Chart(alt.NamedData("point")).mark_point(filled=True, size=140, color=NEGATIVE)
                      .encode(x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"), tooltip=tooltip))
        layers.append(alt.Chart(alt.NamedData("point"))
                      .mark_text(align="left", dx=9, dy=-9, fontSize=13, color=NEGATIVE)
                      .encode(x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"), text=alt.Text("label:N")))
    return with_data(alt.layer(*layers, height=height, description=description), datasets)


def signed_bars(table, category, value, value_title="value", description="", height=220, sort=None):
    """Horizontal bars, blue when positive and vermillion when negative, each labelled just
    outside its end."""
    values = table[value].astype(float).to_numpy()
    rows = [{category: str(c), value: float(v), "sign": s, "text": f"{v:.6g}"}
            for c, v, s in zip(table[category], values, sign_of(values))]
    # Room beyond the longest bars for their labels.
    domain = [min(0.0, float(values.min())) * 1.3, max(0.0, float(values.max())) * 1.15 or 1.0]
    y_axis = alt.Y(f"{category}:N", title=None, sort=sort or [str(c) for c in table[category]])
    x_axis = alt.X(f"{value}:Q", title=value_title, scale=alt.Scale(domain=domain))
    bars = alt.Chart(alt.NamedData("bars")).mark_bar().encode(
        y=y_axis, x=x_axis, color=alt.Color("sign:N", scale=SIGNS, legend=None),
        tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=".6g")])
    right = alt.Chart(alt.NamedData("bars")).mark_text(align="left", dx=4, fontSize=12, color="#555").encode(
        y=y_axis, x=x_axis, text=alt.Text("text:N")).transform_filter(f"datum['{value}'] >= 0")
    left = alt.Chart(alt.NamedData("bars")).mark_text(align="right", dx=-4, fontSize=12, color="#555").encode(
        y=y_axis, x=x_axis, text=alt.Text("text:N")).transform_filter(f"datum['{value}'] < 0")
    zero = alt.Chart(alt.NamedData("zero")).mark_rule(color="#888").encode(x=alt.X("zero:Q"))
    return with_data(alt.layer(bars, right, left, zero, height=height, description=description),
                     {"bars": rows, "zero": [{"zero": 0}]})


def matrix_heatmap(array, row_names, col_names, title="", description="", cell=46):
    """A matrix as coloured cells with its numbers: blue positive, vermillion negative."""
    array = np.atleast_2d(np.asarray(array, dtype=float))
    rows = [{"row": str(row_names[r]), "column": str(col_names[c]), "value": float(array[r, c]),
             "text": f"{array[r, c]:.4g}"} for r in range(array.shape[0]) for c in range(array.shape[1])]
    limit = float(np.abs(array).max()) or 1.0
    x_axis = alt.X("column:N", sort=[str(c) for c in col_names], title=None,
                   axis=alt.Axis(orient="top", labelAngle=0))
    y_axis = alt.Y("row:N", sort=[str(r) for r in row_names], title=None)
    tooltip = [alt.Tooltip("row:N"), alt.Tooltip("column:N"), alt.Tooltip("value:Q", format=".6g")]
    cells = alt.Chart(alt.NamedData("cells")).mark_rect(stroke="white").encode(
        x=x_axis, y=y_axis, tooltip=tooltip,
        color=alt.Color("value:Q", legend=None,
                        scale=alt.Scale(domain=[-limit, 0, limit], range=[NEGATIVE, "#f7f7f7", POSITIVE])))
    # Dark cells get white numbers: the text colour is computed per cell by an expression.
    text = alt.Chart(alt.NamedData("cells")).mark_text(
        fontSize=12, color=alt.expr(f"abs(datum.value) > {0.6 * limit} ? 'white' : 'black'")).encode(
        x=x_axis, y=y_axis, text=alt.Text("text:N"))
    return with_data(alt.layer(cells, text, width=cell * array.shape[1], height=cell * 0.75 * array.shape[0],
                               title=title, description=description), {"cells": rows})


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
            nodes.append({"x": layer, "y": j - (size - 1) / 2, "layer": names[layer], "neuron": j + 1})
    for layer in range(len(layer_sizes) - 1):
        n_in, n_out = layer_sizes[layer], layer_sizes[layer + 1]
        w = None if weights is None else np.asarray(weights[layer], dtype=float)
        for i in range(n_in):
            for j in range(n_out):
                value = float(w[i, j]) if w is not None else 1.0
                edges.append({"x": layer, "y": i - (n_in - 1) / 2, "x2": layer + 1, "y2": j - (n_out - 1) / 2,
                              "weight": value, "size": abs(value),
                              "sign": "negative" if value < 0 else "positive",
                              "link": f"{names[layer]} {i + 1} → {names[layer + 1]} {j + 1}"})
    captions = [{"x": i, "name": name, "y": -(max(layer_sizes) + 1) / 2} for i, name in enumerate(names)]
    x_axis = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-0.3, len(layer_sizes) - 0.7]))
    y_axis = alt.Y("y:Q", axis=None)
    lines = alt.Chart(alt.NamedData("edges")).mark_rule(opacity=0.75, strokeWidth=1.2, color=NEUTRAL).encode(
        x=x_axis, y=y_axis, x2=alt.X2("x2:Q"), y2=alt.Y2("y2:Q"),
        tooltip=[alt.Tooltip("link:N", title="connection"), alt.Tooltip("weight:Q", format=".4g")])
    if weights is not None:
        lines = lines.encode(strokeWidth=alt.StrokeWidth("size:Q", scale=alt.Scale(range=[0.5, 5]), legend=None),
                             color=alt.Color("sign:N", scale=SIGNS, legend=None))
    dots = alt.Chart(alt.NamedData("nodes")).mark_circle(
        size=420, color="#E69F00", stroke="#333", strokeWidth=1, opacity=1).encode(
        x=x_axis, y=y_axis, tooltip=[alt.Tooltip("layer:N"), alt.Tooltip("neuron:Q")])
    labels = alt.Chart(alt.NamedData("captions")).mark_text(fontSize=12, color="#666").encode(
        x=x_axis, y=y_axis, text=alt.Text("name:N"))
    return with_data(alt.layer(lines, dots, labels, height=height, description=description),
                     {"edges": edges, "nodes": nodes, "captions": captions})


def spread_chart(table, x, y, x_title, y_title, reference=None, description="", height=260):
    """A strip plot: one tick per value of y for each x category (e.g. batch losses per batch
    size), with an optional horizontal reference line (the full-data value)."""
    ticks = alt.Chart(alt.NamedData("values")).mark_tick(thickness=2, size=36, opacity=0.45, color=POSITIVE).encode(
        x=alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip(f"{x}:O", title=x_title), alt.Tooltip(f"{y}:Q", title=y_title, format=".4f")])
    layers, datasets = [ticks], {"values": records(table[[x, y]])}
    if reference is not None:
        datasets["reference"] = [{"ref": float(reference), "label": f"all data: {reference:.4f}"}]
        layers.append(alt.Chart(alt.NamedData("reference"))
                      .mark_rule(color=NEGATIVE, strokeDash=[6, 4], strokeWidth=2).encode(y=alt.Y("ref:Q")))
        layers.append(alt.Chart(alt.NamedData("reference"))
                      .mark_text(color=NEGATIVE, align="right", dy=-8, x=alt.expr("width"))
                      .encode(y=alt.Y("ref:Q"), text=alt.Text("label:N")))
    return with_data(alt.layer(*layers, height=height, description=description), datasets)
