"""The walk's network drawing: neurons with their values and gradients written under them, links
coloured by sign and as wide as the weight (forward) or its gradient (backward).

Every label has a place of its own, so none can sit on a node or on another label: the vertical
axis is in pixels (each neuron owns a slot tall enough for its lines of text), and the columns are
far enough apart for the longest label (numbers are written with 4 significant digits). The chart
is drawn as SVG, so a browser test can read every label's box.
"""

import altair as alt
import numpy as np

from ui.charts import NEGATIVE, SIGNS, _chart, sign_of

LOSS_STEP = 0.6     # the loss's column, this far right of the outputs (in columns)
LABEL_WIDTH = 78    # px: the background box of every label (the longest label is about 72 px)
TOP = 34            # px above the first neuron: the column titles
LINE = 16           # px per line of text (an 11 px font's box is 15 px tall)
GAP = 18            # px between a neuron's centre and its first line, and after its last line
MOST_DRAWN = 8      # neurons per layer the drawing shows; beyond, the section shows tables


def short(value):
    """A number in at most about 10 characters: 4 significant digits, a short exponent."""
    value = float(value)
    text = f"{value + 0.0 if value else 0.0:.4g}"          # never "-0"
    return text.replace("e-0", "e-").replace("e+0", "e+")


def _lines(walk, k):
    """The text lines under neuron rows of column k: (text, is_gradient, quantity) per line kind."""
    column = walk.columns[k]
    if k == 0:
        return [("x", "a", False), ("∂x", "da", True)]
    out = k == len(walk.columns) - 1
    name = "p" if out and column.activation == "Softmax" else ("ŷ" if out else "a")
    return [("z", "z", False), (name, "a", False), ("∂" + name, "da", True), ("∂z", "dz", True)]


def drawable(walk):
    return max(len(c.a) for c in walk.columns) <= MOST_DRAWN


def walk_rows(walk, done):
    """The drawing's rows after the first ``done`` operations of ``walk.steps``: nodes, labels,
    links and column titles, all placed in pixels vertically."""
    known, new = set(), set()
    for number, step in enumerate(walk.steps[:done]):
        known.update(step.makes)
        if number == done - 1:
            new = set(step.makes)
    n_lines = 4
    slot = 2 * GAP + n_lines * LINE
    tallest = max(len(c.a) for c in walk.columns)
    height = TOP + tallest * slot
    places = {}
    nodes, labels = [], []
    for k, column in enumerate(walk.columns):
        size = len(column.a)
        top = TOP + (tallest - size) * slot / 2
        lines = _lines(walk, k)
        for j in range(size):
            y = top + j * slot + GAP / 2
            places[k, j] = y
            nodes.append({"x": k, "y": y, "neuron": f"{column.name} {j + 1}"})
            for line, (symbol, quantity, gradient) in enumerate(lines):
                values = getattr(column, quantity)
                if (quantity, k) not in known or values is None:
                    continue
                subscript = str(j + 1)
                labels.append({"x": k, "y": y + GAP + line * LINE, "gradient": gradient,
                               "new": (quantity, k) in new,
                               "text": f"{symbol}{subscript} {short(values[j])}"})
    # The loss: one more, narrower column beside the outputs (its label is short).
    last = len(walk.columns) - 1 + LOSS_STEP
    loss_y = TOP + (tallest - 1) * slot / 2 + GAP / 2
    nodes.append({"x": last, "y": loss_y, "neuron": "loss"})
    if ("loss", 0) in known:
        labels.append({"x": last, "y": loss_y + GAP, "gradient": False, "new": ("loss", 0) in new,
                       "text": f"L {short(walk.loss)}"})
    backward = any(kind == "dW" for kind, _ in known)
    links = []
    for k, link in enumerate(walk.links, start=1):
        show_gradient = backward and ("dW", k) in known
        values = link.dweights if show_gradient else link.weights
        faded = backward and not show_gradient
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                links.append({"x": k - 1, "y": places[k - 1, i], "x2": k, "y2": places[k, j],
                              "size": 0.0 if faded else abs(float(values[i, j])),
                              "sign": "not yet" if faded else str(sign_of(values[i, j])),
                              "link": f"{walk.columns[k - 1].name} {i + 1} → {walk.columns[k].name} {j + 1}",
                              "w": float(link.weights[i, j]),
                              "dW": float(link.dweights[i, j]) if show_gradient else None})
    for j in range(len(walk.columns[-1].a)):
        links.append({"x": len(walk.columns) - 1, "y": places[len(walk.columns) - 1, j], "x2": last, "y2": loss_y,
                      "size": 0.0,
                      "sign": "not yet", "link": "output → loss", "w": None, "dW": None})
    titles = [{"x": k, "y": TOP / 2 - 4, "text": c.name} for k, c in enumerate(walk.columns)]
    titles.append({"x": last, "y": TOP / 2 - 4, "text": "loss"})
    return {"nodes": nodes, "labels": labels, "links": links, "titles": titles}, height, backward


INK = {"light": ("#31333F", "#ffffff", NEGATIVE), "dark": ("#fafafa", "#0e1117", "#FF8A50")}


def walk_chart(walk, done, theme="light", description=""):
    """The network of ``walk`` after ``done`` operations, as an Altair chart (SVG). ``theme``: 'light'
    or 'dark', for the ink of the labels and their background boxes."""
    rows, height, backward = walk_rows(walk, done)
    settings = (len(walk.columns) - 1 + LOSS_STEP, height, backward, theme if theme in INK else "light", description)
    return _chart(_walk_structure, settings, rows)


def _walk_structure(right, height, backward, theme, description):
    """The structure of ``walk_chart`` (no rows)."""
    ink, paper, gradient_ink = INK[theme]
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-0.5, right + 0.4], nice=False, zero=False))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[0, height], nice=False, zero=False, reverse=True))
    what = "|∂L/∂W| (this sample)" if backward else "|W|"
    links = alt.Chart(alt.NamedData("links")).mark_rule(opacity=0.7).encode(
        x=x, y=y, x2=alt.X2("x2:Q"), y2=alt.Y2("y2:Q"),
        strokeWidth=alt.StrokeWidth("size:Q", scale=alt.Scale(range=[0.4, 7], zero=True),
                                    legend=alt.Legend(title=what, orient="bottom", direction="horizontal",
                                                      tickCount=3, format=".2g", symbolType="stroke")),
        color=alt.Color("sign:N", scale=alt.Scale(domain=["positive", "negative", "not yet"],
                                                  range=[SIGNS.range[0], SIGNS.range[1], "#aaaaaa"]), legend=None),
        tooltip=[alt.Tooltip("link:N", title="link"), alt.Tooltip("w:Q", title="weight", format=".6g"),
                 alt.Tooltip("dW:Q", title="∂L/∂W", format=".6g")])
    nodes = alt.Chart(alt.NamedData("nodes")).mark_circle(size=260, opacity=1, color="#E69F00", stroke="#555",
                                                          strokeWidth=1).encode(
        x=x, y=y, tooltip=[alt.Tooltip("neuron:N")]).properties(name="walk_nodes")
    # Each label on a box of the page's colour, so the links pass behind it and it stays readable.
    boxes = alt.Chart(alt.NamedData("labels")).mark_rect(width=LABEL_WIDTH, height=LINE - 1, color=paper,
                                                        opacity=0.88).encode(x=x, y=y)
    texts = [boxes]
    for where, extra, name in (("!datum.gradient && !datum.new", {"color": ink}, "walk_values"),
                               ("!datum.gradient && datum.new", {"color": ink, "fontWeight": "bold"},
                                "walk_values_new"),
                               ("datum.gradient && !datum.new", {"color": gradient_ink}, "walk_grads"),
                               ("datum.gradient && datum.new", {"color": gradient_ink, "fontWeight": "bold"},
                                "walk_grads_new")):
        texts.append(alt.Chart(alt.NamedData("labels")).mark_text(
            fontSize=11, baseline="middle", align="center", **extra).encode(
            x=x, y=y, text=alt.Text("text:N")).transform_filter(where).properties(name=name))
    titles = alt.Chart(alt.NamedData("titles")).mark_text(fontSize=12, fontWeight="bold", color=ink).encode(
        x=x, y=y, text=alt.Text("text:N")).properties(name="walk_titles")
    # fit-x: the width follows the page, the height stays the drawing's own, so one unit of y is one pixel
    # (Streamlit's default, fit, would squeeze the drawing to make room for the legend).
    return alt.layer(links, nodes, *texts, titles, height=height, description=description,
                     autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
                     usermeta={"embedOptions": {"renderer": "svg"}}).configure_view(stroke=None)


def inline(spec):
    """A spec from ``charts.to_spec`` with each layer's rows written into the layer itself. Streamlit
    turns named datasets into Arrow tables (milliseconds per chart); rows inside a layer stay JSON, which
    for a few hundred rows is much faster. The layers are new dicts: the cached structure is untouched."""
    datasets = spec.get("datasets", {})
    layers = [{**layer, "data": {"values": datasets[layer["data"]["name"]]}}
              if "name" in layer.get("data", {}) else layer for layer in spec["layer"]]
    return {**{key: value for key, value in spec.items() if key != "datasets"}, "layer": layers}


def sample_rows(X, y, task):
    """The data as points to click: index, the two coordinates and the class (2-D data), or x and the
    target (1-D regression)."""
    X = np.asarray(X)
    y = np.asarray(y)
    labels = y.reshape(len(y), -1)[:, 0]
    if X.shape[1] == 1:
        return [{"index": i, "x1": float(X[i, 0]), "x2": float(labels[i]), "class": "data"} for i in range(len(X))]
    return [{"index": i, "x1": float(X[i, 0]), "x2": float(X[i, 1]), "class": str(int(labels[i]))}
            for i in range(len(X))]


def samples_chart(rows, chosen, classes, titles=("x1", "x2"), description="", height=300):
    """The data, one point per sample, the chosen one ringed; clicking a point selects its index
    (a point selection named 'pick', for on_select='rerun')."""
    ring = [r for r in rows if r["index"] == chosen]
    return _chart(_samples_structure, (tuple(classes), titles, height, description), {"points": rows, "ring": ring})


def _samples_structure(classes, titles, height, description):
    from ui.charts import CLASS_COLOURS

    pick = alt.selection_point(name="pick", fields=["index"], on="click", clear=False)
    colours = alt.Scale(domain=list(classes), range=list(CLASS_COLOURS[:len(classes)]))
    x = alt.X("x1:Q", title=titles[0])
    y = alt.Y("x2:Q", title=titles[1])
    points = alt.Chart(alt.NamedData("points")).mark_circle(size=55, opacity=0.85).encode(
        x=x, y=y, color=alt.Color("class:N", scale=colours, legend=alt.Legend(title="class", orient="right")),
        tooltip=[alt.Tooltip("index:Q", title="sample"), alt.Tooltip("class:N"),
                 alt.Tooltip("x1:Q", format=".3f"), alt.Tooltip("x2:Q", format=".3f")])
    points = points.add_params(pick).properties(name="walk_points")
    ring = alt.Chart(alt.NamedData("ring")).mark_point(size=260, strokeWidth=2.5, color=NEGATIVE, filled=False).encode(
        x=x, y=y)
    return alt.layer(points, ring, height=height, description=description,
                     usermeta={"embedOptions": {"renderer": "svg"}})
