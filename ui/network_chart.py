"""A network drawn as neurons and connections: its layout (which neurons of a wide layer are shown, where
each neuron and link sits, what each is called), shared by the Altair chart here (``network_chart``,
also importable from ui.charts) and the Training page's weight editor (ui/components/network_editor.py),
which draws the same layout itself so that a learner can click a link or a neuron."""

import json

import altair as alt
import numpy as np

from ui.charts import MAX_SHOWN, NEUTRAL, SHOWN_OF_WIDE, SIGNS, _chart


def shown_neurons(layer_sizes, weights=None, max_shown=MAX_SHOWN):
    """Which neurons of each layer a network drawing shows: every one of a layer up to max_shown
    wide; of a wider layer the SHOWN_OF_WIDE (at most max_shown) with the largest total |weight| in
    and out (the first ones without weights), in their own order."""
    keep = min(SHOWN_OF_WIDE, max_shown)
    chosen = []
    for layer, size in enumerate(layer_sizes):
        if size <= max_shown:
            chosen.append(list(range(size)))
            continue
        strength = np.zeros(size)
        if weights is not None:
            if layer > 0:
                strength += np.abs(np.asarray(weights[layer - 1], dtype=float)).sum(axis=0)
            if layer < len(layer_sizes) - 1:
                strength += np.abs(np.asarray(weights[layer], dtype=float)).sum(axis=1)
        # A stable sort keeps the first of equally strong neurons (all of them without weights).
        chosen.append(sorted(np.argsort(-strength, kind="stable")[:keep].tolist()))
    return chosen


def network_layout(layer_sizes, weights=None, layer_names=None, input_names=None, max_shown=MAX_SHOWN):
    """Where a drawing puts each neuron and link. Returns (nodes, edges, captions, chosen):

    nodes: {"x": layer, "y": height, "layer": layer name, "neuron": its name, "index": its number in the
    layer (from 0)}; edges: {"x", "y", "x2", "y2", "weight", "size": |weight|, "sign", "link": a name,
    "layer": the weights' layer (0: inputs to the first hidden layer), "row": input neuron, "col":
    output neuron}; captions: each layer's name (a list [name, "+N more"] when some are not shown);
    chosen: the neurons shown of each layer (``shown_neurons``)."""
    sizes = [int(size) for size in layer_sizes]
    hidden = [f"hidden {i}" for i in range(1, len(sizes) - 1)]
    names = list(layer_names or (["inputs"] + hidden + ["outputs"]))
    if input_names is None:
        inputs = [f"{names[0]} {i + 1}" for i in range(sizes[0])]
    else:
        inputs = [str(name) for name in input_names]
    if len(inputs) != sizes[0]:
        raise ValueError(f"input_names has {len(inputs)} names for {sizes[0]} inputs")
    chosen = shown_neurons(sizes, weights, max_shown)
    # Neuron 1 at the top: a column of k neurons sits at heights (k-1)/2 ... -(k-1)/2.
    place = [{j: (len(kept) - 1) / 2 - row for row, j in enumerate(kept)} for kept in chosen]

    def name_of(layer, j):
        return inputs[j] if layer == 0 else f"{names[layer]} {j + 1}"

    nodes = [{"x": layer, "y": place[layer][j], "layer": names[layer], "neuron": name_of(layer, j), "index": j}
             for layer, kept in enumerate(chosen) for j in kept]
    edges = []
    for layer in range(len(sizes) - 1):
        w = None if weights is None else np.asarray(weights[layer], dtype=float)
        if w is not None and w.shape != (sizes[layer], sizes[layer + 1]):
            raise ValueError(f"weights[{layer}] has shape {w.shape}, not {(sizes[layer], sizes[layer + 1])}")
        for i in chosen[layer]:
            for j in chosen[layer + 1]:
                value = float(w[i, j]) if w is not None else 1.0
                edges.append({"x": layer, "y": place[layer][i], "x2": layer + 1, "y2": place[layer + 1][j],
                              "weight": value, "size": abs(value), "sign": "negative" if value < 0 else "positive",
                              "link": f"{name_of(layer, i)} → {name_of(layer + 1, j)}",
                              "layer": layer, "row": i, "col": j})
    captions = [name if len(kept) == size else [name, f"+{size - len(kept)} more"]
                for name, kept, size in zip(names, chosen, sizes)]
    return nodes, edges, captions, chosen


def network_chart(layer_sizes, weights=None, layer_names=None, description="", height=260,
                  input_names=None, max_shown=MAX_SHOWN):
    """A network drawn as neurons (circles) and connections (lines), layer names under the columns.

    weights: optional list of arrays, weights[i] of shape (layer_sizes[i], layer_sizes[i+1]);
    with them a line's width follows |weight| (a legend gives the scale) and its colour its sign.
    input_names: optional names of the inputs (e.g. "x1", "x1²"), written beside the input neurons.
    A layer wider than max_shown is drawn as its 8 strongest neurons, its name saying how many
    more there are (``shown_neurons``); the tooltips give every neuron's own number.
    """
    nodes, edges, captions, chosen = network_layout(layer_sizes, weights, layer_names, input_names, max_shown)
    labels = tuple(node["neuron"] for node in nodes if node["x"] == 0) if input_names is not None else ()
    settings = (tuple(len(kept) for kept in chosen), json.dumps(captions, ensure_ascii=False), labels,
                weights is not None, height, description)
    return _chart(_network_structure, settings, {"edges": edges, "nodes": nodes})


def _network_structure(shown, captions, labels, weighted, height, description):
    """The structure of ``network_chart`` for these settings (no rows). Layer names and input
    names are axis labels, so the chart theme (light or dark) gives them their colour."""
    tallest = max(shown)
    x_axis = alt.X("x:Q", scale=alt.Scale(domain=[-0.3, len(shown) - 0.7], nice=False), axis=alt.Axis(
        values=list(range(len(shown))), labelExpr=f"{captions}[datum.value]", title=None, grid=False,
        labelFontSize=12, labelLimit=0, labelFlush=False, labelPadding=4))
    # Input names label the input neurons' heights on a left axis (no axis without names).
    heights = [(len(labels) - 1) / 2 - row for row in range(len(labels))]
    names = json.dumps(list(labels), ensure_ascii=False)
    y_axis = alt.Y("y:Q", scale=alt.Scale(domain=[-tallest / 2, tallest / 2], nice=False), axis=alt.Axis(
        values=heights, labelExpr=f"{names}[{len(labels) - 1} / 2 - datum.value]",
        title=None, grid=False, labelFontSize=12, labelLimit=0, labelPadding=2) if labels else None)
    tooltip = [alt.Tooltip("link:N", title="connection"), alt.Tooltip("weight:Q", format=".4g")]
    if weighted:
        # No strokeWidth on the mark itself: in Vega-Lite a mark's own value wins over the encoding.
        lines = alt.Chart(alt.NamedData("edges")).mark_rule(opacity=0.8).encode(
            strokeWidth=alt.StrokeWidth("size:Q", title="|weight|", scale=alt.Scale(zero=True, range=[0.3, 7]),
                                        legend=alt.Legend(orient="bottom", direction="horizontal", tickCount=4,
                                                          format=".2g")),
            color=alt.Color("sign:N", scale=SIGNS, legend=None))
    else:
        lines = alt.Chart(alt.NamedData("edges")).mark_rule(opacity=0.75, strokeWidth=1.2, color=NEUTRAL)
    lines = lines.encode(x=x_axis, y=y_axis, x2=alt.X2("x2:Q"), y2=alt.Y2("y2:Q"), tooltip=tooltip)
    # Circles shrink as the tallest column grows, so a column of neurons never overlaps.
    dots = alt.Chart(alt.NamedData("nodes")).mark_circle(
        size=max(12, min(420, 0.35 * (height / tallest) ** 2)), color="#E69F00", opacity=1).encode(
        x=x_axis, y=y_axis, tooltip=[alt.Tooltip("layer:N"), alt.Tooltip("neuron:N")])
    return alt.layer(lines, dots, height=height, description=description)
