"""Chart builders: data in, ``alt.Chart`` out. No Streamlit here, so every chart is testable.

One colour-blind-safe scheme everywhere (Okabe and Ito): blue for positive, vermillion for
negative, and the same fixed order of colours for classes. Every chart has tooltips and a
``description`` (read out by screen readers); pages also print that text under the chart.

Speed: a page redraws its charts on every slider move, and building and converting an Altair
chart costs milliseconds. So each builder splits its chart in two: the *structure* (marks,
encodings, scales), made by a module-level function of the builder's settings alone (titles,
column names, sizes: hashable values, never data), and the *rows*, plain records attached by name
(``alt.NamedData``) to a cheap copy of that structure. Because a structure is a pure function of
its settings, ``_structure`` can remember it, with its Vega-Lite dict, in a ``functools.lru_cache``:
it is built and converted once per distinct set of settings, shared by every session, and
nothing is ever written to module state by hand. ``to_spec`` then costs a dict copy.
"""

import copy
import functools
from typing import NamedTuple

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa

POSITIVE = "#0072B2"   # blue
NEGATIVE = "#D55E00"   # vermillion
NEUTRAL = "#999999"
CLASS_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9",
                 "#D55E00", "#F0E442", "#7F3C8D", "#999999", "#882255")   # purple, not black: dark theme
DATA_POINT = "#009E73"  # bluish green: data points, apart from the blue model line
# Ink for numbers drawn as text marks: Streamlit's chart theme colours axes, legends and titles for
# the light or dark theme but leaves text marks black, so they get a mid grey that reads on both.
MID_INK = "#8a8a8a"
LEGEND_ROW = 20          # pixels a legend entry takes in a column (the symbol and an 11 px label)
SIGNS = alt.Scale(domain=["positive", "negative"], range=[POSITIVE, NEGATIVE])


def records(table):
    """Rows of a DataFrame as JSON-ready dicts (column by column through ``tolist``, which gives
    plain Python numbers and is many times faster than ``DataFrame.to_dict``)."""
    columns = [str(name) for name in table.columns]
    return [dict(zip(columns, row)) for row in zip(*(table[name].tolist() for name in table.columns))]


def arrow(table, columns):
    """A DataFrame's ``columns`` as an Arrow table, built column by column from their numpy arrays.
    Streamlit sends an Arrow table as it is; rows as dicts it first turns into a DataFrame and then
    into Arrow: for the 2,000 points of two 1,000-step loss curves, 0.1 ms against about 5 ms."""
    return pa.table({str(name): table[name].to_numpy() for name in columns})


class Structure(NamedTuple):
    chart: alt.TopLevelMixin     # marks, encodings and scales, reading their rows by name
    spec: dict                   # its Vega-Lite dict, without rows


@functools.lru_cache(maxsize=512)
def _structure(build, settings):
    """What ``build(*settings)`` makes, with its Vega-Lite dict: built and converted once per
    (structure function, settings), then remembered. A memo of a pure function of its arguments
    (settings are never data), so sharing it between sessions is safe; the cache forgets the least
    recently used structures beyond 512."""
    chart = build(*settings)
    return Structure(chart, chart.to_dict(validate=False))


def _chart(build, settings, datasets):
    """The chart ``build(*settings)`` makes (once per settings, see ``_structure``), holding
    ``datasets``' rows: e.g. ``_chart(_function_structure, (x, y, ...), {"curve": rows})``."""
    cached = _structure(build, settings).chart
    chart = copy.copy(cached)
    # The copy gets its own top-level settings, so attaching rows never touches the cached one.
    object.__setattr__(chart, "_kwds", dict(cached._kwds))
    object.__setattr__(chart, "structure_key", (build, settings))
    chart.datasets = datasets
    return chart


def to_spec(chart):
    """The Vega-Lite dict of a chart made here: the cached conversion of its structure plus its
    rows (any other Altair chart is converted in full). Change only its top-level keys: the
    nested ones are shared with the cached structure."""
    key = chart.__dict__.get("structure_key")
    if key is None:
        return chart.to_dict(validate=False)
    return {**_structure(*key).spec, "datasets": chart.datasets}


def sign_of(values):
    return np.where(np.asarray(values) < 0, "negative", "positive")


def function_chart(curve, x, y, x_title, y_title, point=None, description="", height=280):
    """A line of y against x, with the current point marked.

    curve: DataFrame with columns x and y; point: (x, y) of the current value, or None. The point's
    label sits on the side of the point the line does not pass through (``label_place``).
    """
    datasets = {"curve": arrow(curve, [x, y])}
    if point is not None:
        datasets["point"] = [{x: float(point[0]), y: float(point[1]),
                              "label": f"({point[0]:.3g}, {point[1]:.4g})",
                              "place": label_place(curve[x].to_numpy(float), curve[y].to_numpy(float), point)}]
    settings = (x, y, x_title, y_title, point is not None, height, description)
    return _chart(_function_structure, settings, datasets)


def label_place(xs, ys, point):
    """Where a point's label goes so the curve through it does not strike it out: to the right of
    a point in the left half of the x range (else to the left), and above where the curve falls
    on that side (below where it goes up): 'right above', 'right below', 'left above', 'left below'."""
    order = np.argsort(xs)
    xs, ys = xs[order], ys[order]
    span = float(xs[-1] - xs[0]) or 1.0
    right = point[0] <= xs[0] + span / 2
    step = span / 20 if right else -span / 20
    rise = float(np.interp(point[0] + step, xs, ys) - point[1])     # the curve on the label's side
    return f"{'right' if right else 'left'} {'below' if rise > 0 else 'above'}"


def _function_structure(x, y, x_title, y_title, with_point, height, description):
    """The structure of ``function_chart`` for these settings (no rows)."""
    tooltip = [alt.Tooltip(f"{x}:Q", title=x_title, format=".3g"),
               alt.Tooltip(f"{y}:Q", title=y_title, format=".4g")]
    layers = [alt.Chart(alt.NamedData("curve")).mark_line(color=POSITIVE, strokeWidth=2.5).encode(
        x=alt.X(f"{x}:Q", title=x_title), y=alt.Y(f"{y}:Q", title=y_title), tooltip=tooltip)]
    if with_point:
        layers.append(alt.Chart(alt.NamedData("point")).mark_point(filled=True, size=140, color=NEGATIVE)
                      .encode(x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"), tooltip=tooltip))
        for side in ("right", "left"):
            for level in ("above", "below"):
                layers.append(alt.Chart(alt.NamedData("point")).mark_text(
                    align="left" if side == "right" else "right", dx=10 if side == "right" else -10,
                    dy=-12 if level == "above" else 14, fontSize=13, color=NEGATIVE)
                    .encode(x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"), text=alt.Text("label:N"))
                    .transform_filter(f"datum.place == '{side} {level}'"))
    return alt.layer(*layers, height=height, description=description)


def signed_bars(table, category, value, value_title="value", description="", height=220, ticks=None):
    """Horizontal bars, blue when positive and vermillion when negative, each labelled just
    outside its end. ticks: the values the axis marks (e.g. 0 to 1 for probabilities, so the
    room kept for the labels does not read as a probability of 1.1); None lets Vega choose."""
    values = table[value].astype(float).to_numpy()
    # Bars top to bottom in the table's order, which travels with the rows (a "rank" each), not in the
    # chart's spec: a new bar then changes only the rows, and the browser redraws the chart in place.
    datasets = {
        "bars": [{category: str(c), value: float(v), "sign": s, "text": f"{v:.6g}", "rank": rank}
                 for rank, (c, v, s) in enumerate(zip(table[category], values, sign_of(values)))],
        "zero": [{"zero": 0}],
        # Room beyond the longest bars for their labels: two invisible points widen the scale.
        "room": [{value: min(0.0, float(values.min())) * 1.3}, {value: max(0.0, float(values.max())) * 1.15 or 1.0}],
    }
    settings = (category, value, value_title, height, description, tuple(ticks or ()))
    return _chart(_bars_structure, settings, datasets)


def _bars_structure(category, value, value_title, height, description, ticks=()):
    """The structure of ``signed_bars`` for these settings (no rows)."""
    y_axis = alt.Y(f"{category}:N", title=None, sort=alt.EncodingSortField(field="rank", op="min"))
    axis = alt.Axis(values=list(ticks), format="~g") if ticks else alt.Undefined
    x_axis = alt.X(f"{value}:Q", title=value_title, axis=axis)
    bars = alt.Chart(alt.NamedData("bars")).mark_bar().encode(
        y=y_axis, x=x_axis, color=alt.Color("sign:N", scale=SIGNS, legend=None),
        tooltip=[alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=".6g")])
    # Labels in their bar's colour: Streamlit's chart theme colours axes and legends but leaves text
    # marks black, and a fixed grey nearly vanishes in the dark theme; blue and vermillion read on both.
    sign = alt.Color("sign:N", scale=SIGNS, legend=None)
    right = alt.Chart(alt.NamedData("bars")).mark_text(align="left", dx=4, fontSize=12).encode(
        y=y_axis, x=x_axis, text=alt.Text("text:N"), color=sign).transform_filter(f"datum['{value}'] >= 0")
    left = alt.Chart(alt.NamedData("bars")).mark_text(align="right", dx=-4, fontSize=12).encode(
        y=y_axis, x=x_axis, text=alt.Text("text:N"), color=sign).transform_filter(f"datum['{value}'] < 0")
    zero = alt.Chart(alt.NamedData("zero")).mark_rule(color=NEUTRAL).encode(x=alt.X("zero:Q"))
    padding = alt.Chart(alt.NamedData("room")).mark_point(opacity=0).encode(x=alt.X(f"{value}:Q"))
    return alt.layer(bars, right, left, zero, padding, height=height, description=description)


def matrix_heatmap(array, row_names, col_names, title="", description="", cell=46):
    """A matrix as coloured cells with its numbers: blue positive, vermillion negative."""
    array = np.atleast_2d(np.asarray(array, dtype=float))
    limit = float(np.abs(array).max()) or 1.0
    rows = [{"row": str(row_names[r]), "column": str(col_names[c]), "value": float(array[r, c]),
             "text": f"{array[r, c]:.4g}", "ink": "white" if abs(array[r, c]) > 0.6 * limit else "black"}
            for r in range(array.shape[0]) for c in range(array.shape[1])]
    # Two hidden cells make the colour scale symmetric, so 0 is always white.
    hidden = [{"row": None, "column": None, "value": v, "text": "", "ink": "black"} for v in (-limit, limit)]
    settings = (tuple(map(str, row_names)), tuple(map(str, col_names)), title, description, cell)
    return _chart(_heatmap_structure, settings, {"cells": rows + hidden})


def _heatmap_structure(row_names, col_names, title, description, cell):
    """The structure of ``matrix_heatmap`` for these settings (no rows)."""
    x_axis = alt.X("column:N", sort=list(col_names), title=None, axis=alt.Axis(orient="top", labelAngle=0))
    y_axis = alt.Y("row:N", sort=list(row_names), title=None)
    tooltip = [alt.Tooltip("row:N"), alt.Tooltip("column:N"), alt.Tooltip("value:Q", format=".6g")]
    colour = alt.Color("value:Q", legend=None, scale=alt.Scale(domainMid=0, range=[NEGATIVE, "#f7f7f7", POSITIVE]))
    cells = alt.Chart(alt.NamedData("cells")).mark_rect(stroke="white").encode(
        x=x_axis, y=y_axis, tooltip=tooltip, color=colour).transform_filter("datum.row != null")
    text = alt.Chart(alt.NamedData("cells")).mark_text(fontSize=12).encode(
        # An explicit white/black scale: `scale=None` makes Streamlit drop the whole chart.
        x=x_axis, y=y_axis, text=alt.Text("text:N"),
        color=alt.Color("ink:N", legend=None, scale=alt.Scale(domain=["white", "black"], range=["white", "black"])),
    ).transform_filter("datum.row != null")
    # Nominal axes are sized by their step (a number here would squash the chart).
    return alt.layer(cells, text, width=alt.Step(cell), height=alt.Step(round(cell * 0.75)),
                     title=title, description=description)


MAX_SHOWN = 10          # a layer wider than this is drawn as its SHOWN_OF_WIDE strongest neurons (ui/network_chart.py)
SHOWN_OF_WIDE = 8


def network_chart(*args, **kwargs):
    """A network drawn as neurons and connections: built in ui/network_chart.py, whose layout the
    Training page's weight editor shares (kept importable from here for the pages that draw it)."""
    from ui import network_chart
    return network_chart.network_chart(*args, **kwargs)


def spread_chart(table, x, y, x_title, y_title, reference=None, description="", height=260):
    """A strip plot: one tick per value of y for each x category (e.g. batch losses per batch
    size), with an optional horizontal reference line (the full-data value)."""
    datasets = {"values": arrow(table, [x, y])}
    if reference is not None:
        datasets["reference"] = [{"ref": float(reference), "label": f"all data: {reference:.4f}"}]
    settings = (x, y, x_title, y_title, reference is not None, height, description)
    return _chart(_spread_structure, settings, datasets)


def _spread_structure(x, y, x_title, y_title, with_reference, height, description):
    """The structure of ``spread_chart`` for these settings (no rows)."""
    ticks = alt.Chart(alt.NamedData("values")).mark_tick(thickness=2, size=36, opacity=0.45, color=POSITIVE).encode(
        x=alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip(f"{x}:O", title=x_title), alt.Tooltip(f"{y}:Q", title=y_title, format=".4f")])
    layers = [ticks]
    if with_reference:
        layers.append(alt.Chart(alt.NamedData("reference"))
                      .mark_rule(color=NEGATIVE, strokeDash=[6, 4], strokeWidth=2).encode(y=alt.Y("ref:Q")))
        layers.append(alt.Chart(alt.NamedData("reference"))
                      .mark_text(color=NEGATIVE, align="right", dy=-8, x=alt.expr("width"))
                      .encode(y=alt.Y("ref:Q"), text=alt.Text("label:N")))
    return alt.layer(*layers, height=height, description=description)


# Vega draws these charts on a canvas, one bitmap, rather than as SVG (Streamlit's default), which makes a page
# element of every mark: much less for the browser to redo for a chart of thousands of marks redrawn often.
CANVAS = {"embedOptions": {"renderer": "canvas"}}


def lines_chart(table, x, y, series, x_title, y_title, points=None, colours=None, dashed=(),
                description="", height=280, legend_columns=None, canvas=False):
    """Several lines in one chart, one per value of ``series`` (long-format table), with an
    optional marked point per series: points is a list of dicts with x, y and series keys.
    ``legend_columns``: the legend below the chart in that many columns, its names never cut short
    (for many or long names, which a legend in one row above the chart clips on a narrow screen). ``canvas``:
    drawn on a canvas (CANVAS), for a chart redrawn many times a second."""
    names = pd.unique(table[series]).tolist()          # in order of appearance
    datasets = {"lines": arrow(table, [x, y, series])}
    if points:
        datasets["points"] = [{x: float(p[x]), y: float(p[y]), series: p[series]} for p in points]
    settings = (x, y, series, x_title, y_title, tuple(names), tuple(colours or ()), tuple(dashed), bool(points),
                height, description, legend_columns, canvas)
    return _chart(_lines_structure, settings, datasets)


def _lines_structure(x, y, series, x_title, y_title, names, colours, dashed, with_points, height, description,
                     legend_columns=None, canvas=False):
    """The structure of ``lines_chart`` for these settings (no rows)."""
    scale = alt.Scale(domain=list(names), range=list(colours or CLASS_COLOURS[:len(names)]))
    legend = (alt.Legend(title=None, orient="bottom", columns=legend_columns, labelLimit=0) if legend_columns
              else alt.Legend(title=None, orient="top"))
    colour = alt.Color(f"{series}:N", scale=scale, legend=legend)
    tooltip = [alt.Tooltip(f"{series}:N"), alt.Tooltip(f"{x}:Q", title=x_title, format=".3g"),
               alt.Tooltip(f"{y}:Q", title=y_title, format=".4g")]
    dashes = alt.StrokeDash(f"{series}:N", legend=None, scale=alt.Scale(
        domain=list(names), range=[[6, 4] if name in dashed else [1, 0] for name in names]))
    layers = [alt.Chart(alt.NamedData("lines")).mark_line(strokeWidth=2.5).encode(
        x=alt.X(f"{x}:Q", title=x_title), y=alt.Y(f"{y}:Q", title=y_title), color=colour, tooltip=tooltip,
        strokeDash=dashes)]
    if with_points:
        layers.append(alt.Chart(alt.NamedData("points")).mark_point(filled=True, size=120).encode(
            x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"), color=colour, tooltip=tooltip))
    if legend_columns:
        # Streamlit fits the whole chart into its height, a legend below it included (autosize "fit"):
        # without room for the legend's rows, four curves' names squeezed the plot to a sliver.
        height += LEGEND_ROW * -(-len(names) // legend_columns) + LEGEND_ROW // 2
    return alt.layer(*layers, height=height, description=description, **({"usermeta": CANVAS} if canvas else {}))


def residuals_chart(table, x, y, prediction, x_title, y_title, description="", height=280):
    """Data points, the model's line through them, and each point's residual as a segment
    from the point to the line."""
    settings = (x, y, prediction, x_title, y_title, height, description)
    return _chart(_residuals_structure, settings, {"rows": arrow(table, [x, y, prediction])})


def _residuals_structure(x, y, prediction, x_title, y_title, height, description):
    """The structure of ``residuals_chart`` for these settings (no rows)."""
    tooltip = [alt.Tooltip(f"{x}:Q", title=x_title, format=".3g"),
               alt.Tooltip(f"{y}:Q", title=y_title, format=".4g"),
               alt.Tooltip(f"{prediction}:Q", title="prediction", format=".4g")]
    segments = alt.Chart(alt.NamedData("rows")).mark_rule(color=NEGATIVE, strokeWidth=2, opacity=0.8).encode(
        x=alt.X(f"{x}:Q", title=x_title), y=alt.Y(f"{y}:Q", title=y_title), y2=alt.Y2(f"{prediction}:Q"),
        tooltip=tooltip)
    line = alt.Chart(alt.NamedData("rows")).mark_line(color=POSITIVE, strokeWidth=2.5).encode(
        x=alt.X(f"{x}:Q"), y=alt.Y(f"{prediction}:Q"))
    dots = alt.Chart(alt.NamedData("rows")).mark_circle(size=90, color=DATA_POINT, opacity=1).encode(
        x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"), tooltip=tooltip)
    return alt.layer(segments, line, dots, height=height, description=description)


def graph_chart(nodes, edges, description="", height=320):
    """A computational graph: nodes (dicts with name, x, y, value, grad, shown as text) joined by
    edges (dicts with x, y, x2, y2). Values are written under each node, gradients in vermillion
    under the values; an empty text hides what has not been computed yet."""
    return _chart(_graph_structure, (height, description), {"nodes": nodes, "edges": edges})


def _graph_structure(height, description):
    """The structure of ``graph_chart`` for these settings (no rows)."""
    x_axis = alt.X("x:Q", axis=None, scale=alt.Scale(padding=70))
    y_axis = alt.Y("y:Q", axis=None, scale=alt.Scale(padding=30))
    lines = alt.Chart(alt.NamedData("edges")).mark_rule(color=NEUTRAL, strokeWidth=1.5).encode(
        x=x_axis, y=y_axis, x2=alt.X2("x2:Q"), y2=alt.Y2("y2:Q"))
    tooltip = [alt.Tooltip("name:N", title="node"), alt.Tooltip("value:N", title="forward value"),
               alt.Tooltip("grad:N", title="gradient")]
    dots = alt.Chart(alt.NamedData("nodes")).mark_circle(size=900, opacity=1, stroke=NEUTRAL).encode(
        x=x_axis, y=y_axis, tooltip=tooltip,
        color=alt.Color("kind:N", legend=None, scale=alt.Scale(
            domain=["input", "operation", "output"], range=["#E69F00", "#56B4E9", "#009E73"])))
    names = alt.Chart(alt.NamedData("nodes")).mark_text(fontSize=12, fontWeight="bold").encode(
        x=x_axis, y=y_axis, text=alt.Text("name:N"))
    # Inputs stand close together, so their numbers go to their left; other nodes' go below.
    texts = []
    for where, place in (("datum.kind == 'input'", {"align": "right", "dx": -24}),
                         ("datum.kind != 'input'", {"dy": 27})):
        shift = place.get("dy", -7)
        texts.append(alt.Chart(alt.NamedData("nodes")).mark_text(fontSize=12, color=MID_INK, **{**place, "dy": shift})
                     .encode(x=x_axis, y=y_axis, text=alt.Text("value:N")).transform_filter(where))
        texts.append(alt.Chart(alt.NamedData("nodes")).mark_text(fontSize=12, color=NEGATIVE,
                                                                **{**place, "dy": shift + 15})
                     .encode(x=x_axis, y=y_axis, text=alt.Text("grad:N")).transform_filter(where))
    return alt.layer(lines, dots, names, *texts, height=height, description=description)


def images_chart(rows, columns=6, size=70, description=""):
    """Small greyscale images (rows with image title, row, col, ink in 0..1), one facet each: here,
    8 x 8 digits with their true and predicted labels."""
    return _chart(_images_structure, (columns, size, description), {"pixels": rows})


def _images_structure(columns, size, description):
    """The structure of ``images_chart`` for these settings (no rows)."""
    return alt.Chart(alt.NamedData("pixels")).mark_rect().encode(
        x=alt.X("col:O", axis=None), y=alt.Y("row:O", axis=None),
        color=alt.Color("ink:Q", legend=None, scale=alt.Scale(domain=[0, 1], range=["#ffffff", "#111111"])),
        tooltip=[alt.Tooltip("image:N")],
    ).properties(width=size, height=size).facet(
        facet=alt.Facet("image:N", title=None, sort=None, header=alt.Header(labelFontSize=11)), columns=columns,
    ).properties(description=description)
