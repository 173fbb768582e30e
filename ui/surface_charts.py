"""Charts of the Optimizers page: a loss surface as filled contours with optimizers' paths on
top, loss against step, and the learning-rate decay curve.

They follow ui/charts.py: each structure is a module-level function of the chart's settings
(never its data), built once per set of settings by ``charts._chart``, and the rows are attached
by name. The rows here are Arrow tables built column by column from numpy arrays: a race has
hundreds of points, and Streamlit sends an Arrow table as it is, where a list of dicts would first
become a DataFrame (about 2 ms per chart per rerun).

The surface itself is one image (``surface_image``), not a rectangle per cell: the browser drew
1,024 rectangles per surface, twice on the page, on every move of a slider that changes the surface.
"""

import altair as alt
import numpy as np
import pyarrow as pa

from ui.charts import CANVAS, CLASS_COLOURS, POSITIVE, _chart
from ui.png import palette_png, placed

BANDS = 14                      # filled contour bands, each a step of equal ratio in the loss
# The bands' greys, light (low loss) to slate (high loss), so paths stay visible: the colours
# Vega-Lite drew for them from #fbfbfb to #5f6b73 (its default hcl interpolation) when each cell was
# a rectangle, read from that chart's SVG.
BAND_COLOURS = ((251, 251, 251), (238, 239, 240), (225, 227, 229), (213, 216, 218), (200, 204, 207),
                (188, 193, 196), (176, 182, 186), (164, 171, 175), (152, 160, 165), (140, 149, 155),
                (129, 138, 145), (117, 128, 135), (106, 117, 125), (95, 107, 115))
MARK_INK, MARK_HALO = "#111111", "#ffffff"     # the start and minimum marks: dark ink, light halo
LOSS_FLOOR = 1e-12              # losses are drawn on a log scale; smaller ones (and 0) sit here
STEP_AXIS = alt.Axis(format="d", tickMinStep=1)
POWERS_OF_TEN = tuple(10.0 ** k for k in range(-12, 15))    # a log axis's ticks: 1e-12 ... 1e14


def bands(values):
    """Each value's contour band, 0 (lowest) to BANDS - 1: BANDS equal steps of log10(loss) between
    its smallest and largest value, so the edges between bands are contour lines."""
    logs = np.log10(np.maximum(np.asarray(values, dtype=float), LOSS_FLOOR))
    low, high = float(logs.min()), float(logs.max())
    return np.floor((logs - low) / ((high - low) or 1.0) * BANDS).clip(0, BANDS - 1).astype(np.uint8)


def surface_image(xs, ys, values):
    """The surface as one picture, a pixel per grid point coloured by its band (``bands``), and
    where it goes: an Arrow table of one row with the image's edges x0, x1, y0, y1 and its url (a
    PNG data URL). xs (n,), ys (m,), values (m, n) with values[i, j] at (xs[j], ys[i]), evenly
    spaced; each pixel is centred on its grid point, so the picture reaches half a pixel past the
    outer points (the chart clips it to its box). Its top row is the largest y."""
    half_x, half_y = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    return placed(palette_png(bands(values)[::-1], BAND_COLOURS),
                  xs[0] - half_x, xs[-1] + half_x, ys[0] - half_y, ys[-1] + half_y)


def path_table(name, path, losses, every=1):
    """One optimizer's walk as an Arrow table (optimizer, step, x, y, loss, shown_loss), keeping
    every ``every``-th step and always the last, so a long run stays light to draw.
    path (n+1, 2), losses (n+1,); shown_loss is the loss raised to LOSS_FLOOR for a log axis."""
    keep = np.arange(0, len(path), max(1, int(every)))
    if keep[-1] != len(path) - 1:
        keep = np.append(keep, len(path) - 1)
    losses = np.asarray(losses, dtype=float)[keep]
    return pa.table({"optimizer": [name] * len(keep), "step": keep, "x": path[keep, 0], "y": path[keep, 1],
                     "loss": losses, "shown_loss": np.maximum(losses, LOSS_FLOOR)})


def marks_table(marks):
    """Labelled points (dicts with x, y, label), e.g. the start and the minimum."""
    return pa.Table.from_pylist([{"x": float(m["x"]), "y": float(m["y"]), "label": str(m["label"])} for m in marks])


def _colours(names, legend=True):
    return alt.Color("optimizer:N", scale=alt.Scale(domain=list(names), range=list(CLASS_COLOURS[:len(names)])),
                     legend=alt.Legend(title=None, orient="top", columns=2, labelLimit=220) if legend else None)


def surface_chart(image, paths, names, marks, box, height=430):
    """The surface as filled contours (grey, darker = higher loss), each optimizer's path as a
    line of dots in its own colour, and labelled marks (start, minimum).

    image: surface_image(...); paths: path_table(...) of every optimizer (concatenated); names:
    the optimizers in colour order; marks: marks_table(...); box: (low, high) of both axes.
    """
    datasets = {"surface": image, "paths": paths, "marks": marks}
    return _chart(_surface_structure, (tuple(names), tuple(box), height), datasets)


def _surface_structure(names, box, height):
    """The structure of ``surface_chart`` for these settings (no rows)."""
    scale = alt.Scale(domain=list(box), nice=False, zero=False)
    # Pixels stay sharp when stretched (smooth=False): each band's edge is a contour line. No tooltip
    # (Streamlit's theme turns them on for every mark: this one would show the picture's data URL).
    contours = alt.Chart(alt.NamedData("surface")).mark_image(aspect=False, smooth=False, clip=True,
                                                              tooltip=None).encode(
        x=alt.X("x0:Q", title="x (first weight)", scale=scale), x2=alt.X2("x1:Q"),
        y=alt.Y("y0:Q", title="y (second weight)", scale=scale), y2=alt.Y2("y1:Q"), url="url:N")
    tooltip = [alt.Tooltip("optimizer:N"), alt.Tooltip("step:Q"), alt.Tooltip("x:Q", format=".4f"),
               alt.Tooltip("y:Q", format=".4f"), alt.Tooltip("loss:Q", format=".4g")]
    x_path, y_path = alt.X("x:Q", scale=scale), alt.Y("y:Q", scale=scale)
    lines = alt.Chart(alt.NamedData("paths")).mark_line(strokeWidth=2, clip=True).encode(
        x=x_path, y=y_path, color=_colours(names), order=alt.Order("step:Q"), detail="optimizer:N")
    dots = alt.Chart(alt.NamedData("paths")).mark_circle(size=22, opacity=0.9, clip=True).encode(
        x=x_path, y=y_path, color=_colours(names, legend=False), tooltip=tooltip)
    # The marks sit on the surface's own grey (light to slate, the same in both themes), never on the
    # page: dark ink inside a light halo reads on every band of it.
    crosses = alt.Chart(alt.NamedData("marks")).mark_point(
        shape="cross", filled=True, size=160, fill=MARK_INK, stroke=MARK_HALO, strokeWidth=1.2, clip=True).encode(
        x=x_path, y=y_path, tooltip=[alt.Tooltip("label:N"), alt.Tooltip("x:Q", format=".3g"),
                                     alt.Tooltip("y:Q", format=".3g")])
    # A label reads to the right of its mark, or to the left near the right edge (it would be cut off).
    right_edge = box[0] + 0.8 * (box[1] - box[0])
    texts = []
    for where, side in ((f"datum.x <= {right_edge}", {"align": "left", "dx": 8}),
                        (f"datum.x > {right_edge}", {"align": "right", "dx": -8})):
        text = {**side, "dy": -8, "fontSize": 12, "fontWeight": "bold", "clip": True}
        halo = alt.Chart(alt.NamedData("marks")).mark_text(
            **text, color=MARK_HALO, stroke=MARK_HALO, strokeWidth=3.5, strokeJoin="round")
        ink = alt.Chart(alt.NamedData("marks")).mark_text(**text, color=MARK_INK)
        texts += [layer.encode(x=x_path, y=y_path, text=alt.Text("label:N")).transform_filter(where)
                  for layer in (halo, ink)]
    return alt.layer(contours, lines, dots, crosses, *texts, height=height, usermeta=CANVAS)


def loss_chart(paths, names, height=300):
    """Loss against step, one line per optimizer, on a log scale (losses fall by orders of
    magnitude). paths: path_table(...) rows; the line follows shown_loss (never below LOSS_FLOOR)."""
    return _chart(_loss_structure, (tuple(names), height), {"losses": paths})


def _loss_structure(names, height):
    """The structure of ``loss_chart`` for these settings (no rows)."""
    return alt.Chart(alt.NamedData("losses")).mark_line(strokeWidth=2.5).encode(
        x=alt.X("step:Q", title="step", axis=STEP_AXIS),
        y=alt.Y("shown_loss:Q", title="loss (log scale)", scale=alt.Scale(type="log"),
                axis=alt.Axis(values=list(POWERS_OF_TEN), labelExpr="datum.value >= 0.001 ? "
                              "format(datum.value, '~g') : format(datum.value, '.0e')")),
        color=_colours(names),
        tooltip=[alt.Tooltip("optimizer:N"), alt.Tooltip("step:Q"), alt.Tooltip("loss:Q", format=".4g")],
    ).properties(height=height, usermeta=CANVAS)


def decay_table(curves, every=1):
    """Learning-rate curves as one Arrow table (decay, step, learning_rate); curves: a list of
    (label, rates) pairs, rates (steps,) the rate used at steps 1, 2, ...; keeps every ``every``-th
    step of each and always its first and last."""
    kept = []
    for label, rates in curves:
        keep = np.unique(np.append(np.arange(0, len(rates), max(1, int(every))), len(rates) - 1))
        kept.append((label, keep + 1, np.asarray(rates, dtype=float)[keep]))
    return pa.table({
        "decay": [label for label, steps, _ in kept for _ in steps],
        "step": np.concatenate([steps for _, steps, _ in kept]),
        "learning_rate": np.concatenate([rates for _, _, rates in kept]),
    })


def decay_chart(table, names, height=260):
    """Learning rate against step, one line per decay setting: the first name (the one chosen)
    blue and thick, the others thin for comparison. table: decay_table(...)."""
    return _chart(_decay_structure, (tuple(names), height), {"rates": table})


def _decay_structure(names, height):
    """The structure of ``decay_chart`` for these settings (no rows)."""
    colours = [POSITIVE] + list(CLASS_COLOURS[1:])[:len(names) - 1]
    colour = alt.Color("decay:N", scale=alt.Scale(domain=list(names), range=colours),
                       legend=alt.Legend(title=None, orient="top", columns=2))
    width = alt.StrokeWidth("decay:N", legend=None,
                            scale=alt.Scale(domain=list(names), range=[3.5] + [1.5] * (len(names) - 1)))
    return alt.Chart(alt.NamedData("rates")).mark_line().encode(
        x=alt.X("step:Q", title="step", axis=STEP_AXIS),
        y=alt.Y("learning_rate:Q", title="learning rate used", scale=alt.Scale(zero=True)),
        color=colour, strokeWidth=width,
        tooltip=[alt.Tooltip("decay:N"), alt.Tooltip("step:Q"),
                 alt.Tooltip("learning_rate:Q", title="learning rate", format=".5g")],
    ).properties(height=height, usermeta=CANVAS)
