"""Charts over the input plane (x1, x2) of the Training page and Be the optimizer: a classifier's decision
boundary under the data, as a rectangle per cell (with a tooltip each) or, while a run trains, as one picture;
and the hidden neurons' maps. They follow ui/charts.py: a structure per set of settings, built once
(``charts._chart``), with the rows attached by name.
"""

import altair as alt
import numpy as np

from ui.charts import CANVAS, CLASS_COLOURS, _chart
from ui.png import placed, rgba_png


def boundary_chart(cells, points, classes, description="", height=380):
    """A classifier's decision over the input plane: cells (dicts with x1, x1_end, x2, x2_end,
    class, confidence), the squares of a grid coloured by the predicted class and shaded by how
    sure the model is, with the data points (dicts with x1, x2, class, set) on top. The shape legend
    names only the sets drawn (none when there is one: training points only)."""
    sets = tuple(s for s in ("training", "validation") if any(p["set"] == s for p in points))
    return _chart(_boundary_structure, (classes, height, description, sets), {"cells": cells, "points": points})


def _boundary_structure(classes, height, description, sets=("training", "validation")):
    """The structure of ``boundary_chart`` for these settings (no rows)."""
    scale = _class_scale(classes)
    grid = alt.Chart(alt.NamedData("cells")).mark_rect().encode(
        x=alt.X("x1:Q", title="x1", scale=alt.Scale(nice=False, zero=False)), x2=alt.X2("x1_end:Q"),
        y=alt.Y("x2:Q", title="x2", scale=alt.Scale(nice=False, zero=False)), y2=alt.Y2("x2_end:Q"),
        color=alt.Color("class:N", scale=scale, legend=alt.Legend(title="class", orient="right")),
        opacity=alt.Opacity("confidence:Q", scale=alt.Scale(domain=[0, 1], range=list(CELL_OPACITY)), legend=None),
        tooltip=[alt.Tooltip("class:N", title="predicted"), alt.Tooltip("confidence:Q", format=".2f")])
    return alt.layer(grid, _data_dots(scale, sets), height=height, description=description, usermeta=CANVAS)


CELL_OPACITY = (0.05, 0.55)     # a boundary cell's opacity where the model is least and most sure
CLASS_RGB = np.array([[int(colour[i:i + 2], 16) for i in (1, 3, 5)] for colour in CLASS_COLOURS], np.uint8)


def _class_scale(classes):
    return alt.Scale(domain=[str(c) for c in range(classes)], range=list(CLASS_COLOURS[:classes]))


def _data_dots(scale, sets, legend=False):
    """The data points over a boundary: filled in their class's colour, circles for training and triangles for
    validation (the shape legend names only the sets drawn)."""
    colour = alt.Color("class:N", scale=scale,
                       legend=alt.Legend(title="class", orient="right") if legend else alt.Undefined)
    return alt.Chart(alt.NamedData("points")).mark_point(filled=True, size=28, stroke="white",
                                                         strokeWidth=0.6, opacity=0.95).encode(
        x=alt.X("x1:Q"), y=alt.Y("x2:Q"), color=colour,
        shape=alt.Shape("set:N", legend=alt.Legend(title=None, orient="bottom") if len(sets) > 1 else None,
                        scale=alt.Scale(domain=["training", "validation"], range=["circle", "triangle"])),
        tooltip=[alt.Tooltip("class:N", title="true class"), alt.Tooltip("set:N"),
                 alt.Tooltip("x1:Q", format=".3f"), alt.Tooltip("x2:Q", format=".3f")])


def boundary_image(edges1, edges2, predicted, confidence, classes):
    """The boundary of ``training.boundary_grid`` as one picture, a pixel per cell in its predicted class's
    colour, as opaque as ``boundary_chart`` draws that cell (CELL_OPACITY, with the confidence), and where it
    goes: an Arrow table of one row (x0, x1, y0, y1, url, a PNG data URL). Its top row is the largest x2."""
    low, high = CELL_OPACITY
    alpha = np.round(255 * (low + (high - low) * np.clip(confidence, 0, 1))).astype(np.uint8)
    pixels = np.column_stack([CLASS_RGB[np.asarray(predicted) % len(CLASS_RGB)], alpha])
    picture = rgba_png(pixels.reshape(len(edges2) - 1, len(edges1) - 1, 4)[::-1])
    return placed(picture, edges1[0], edges1[-1], edges2[0], edges2[-1])


def boundary_picture_chart(image, points, classes, height=380):
    """``boundary_chart`` with its cells drawn as one picture (``boundary_image``): what the Training page
    redraws while a run trains, where hundreds of rectangles cost the browser more on every redraw than a
    picture and the points. No cell tooltip (the picture is one mark); the points keep theirs."""
    sets = tuple(s for s in ("training", "validation") if any(p["set"] == s for p in points))
    return _chart(_boundary_picture_structure, (classes, height, sets), {"cells": image, "points": points})


def _boundary_picture_structure(classes, height, sets):
    """The structure of ``boundary_picture_chart`` for these settings (no rows)."""
    # Pixels stay sharp when stretched (smooth=False): each is a cell. No tooltip: Streamlit's theme turns
    # them on for every mark, and this one would show the picture's data URL.
    picture = alt.Chart(alt.NamedData("cells")).mark_image(aspect=False, smooth=False, tooltip=None).encode(
        x=alt.X("x0:Q", title="x1", scale=alt.Scale(nice=False, zero=False)), x2=alt.X2("x1:Q"),
        y=alt.Y("y0:Q", title="x2", scale=alt.Scale(nice=False, zero=False)), y2=alt.Y2("y1:Q"), url="url:N")
    return alt.layer(picture, _data_dots(_class_scale(classes), sets, legend=True), height=height, usermeta=CANVAS)


def neuron_maps_chart(maps, points, classes, diverging=False, columns=3, size=72, large=260, description=""):
    """What the hidden neurons respond to: ``maps`` rows (map: 'L1 n3', layer, neuron, order, x1, x1_end, x2,
    x2_end, activation), one small map per neuron on ONE colour scale with its legend, in order of layer and
    neuron; clicking a small map draws it large, under the data ``points`` (x1, x2, class). ``diverging``:
    activations of both signs (a scale centred on 0)."""
    return _chart(_neuron_maps_structure, (classes, diverging, columns, size, large, description),
                  {"maps": maps, "points": points})


def _neuron_maps_structure(classes, diverging, columns, size, large, description):
    """The structure of ``neuron_maps_chart`` for these settings (no rows)."""
    scale = (alt.Scale(scheme="blueorange", domainMid=0, reverse=True) if diverging else alt.Scale(scheme="blues"))
    colour = alt.Color("activation:Q", scale=scale, legend=alt.Legend(title="activation", orient="bottom"))
    x = alt.X("x1:Q", axis=None, scale=alt.Scale(nice=False, zero=False))
    y = alt.Y("x2:Q", axis=None, scale=alt.Scale(nice=False, zero=False))
    chosen = alt.selection_point(name="neuron", fields=["map"], on="click", clear=False, empty=False,
                                 value=[{"map": "L1 n1"}])
    small = alt.Chart(alt.NamedData("maps")).mark_rect().encode(
        x=x, x2=alt.X2("x1_end:Q"), y=y, y2=alt.Y2("x2_end:Q"), color=colour,
        tooltip=[alt.Tooltip("map:N", title="layer, neuron"), alt.Tooltip("activation:Q", format=".3g")],
    ).properties(width=size, height=size).add_params(chosen).facet(
        facet=alt.Facet("map:N", title=None, sort=alt.EncodingSortField("order", op="min"),
                        header=alt.Header(labelFontSize=11, labelPadding=2)), columns=columns)
    enlarged = alt.Chart(alt.NamedData("maps")).transform_filter(chosen).mark_rect().encode(
        x=alt.X("x1:Q", title="x1", scale=alt.Scale(nice=False, zero=False), axis=alt.Axis(grid=False)),
        x2=alt.X2("x1_end:Q"),
        y=alt.Y("x2:Q", title="x2", scale=alt.Scale(nice=False, zero=False), axis=alt.Axis(grid=False)),
        y2=alt.Y2("x2_end:Q"),
        color=colour, tooltip=[alt.Tooltip("map:N", title="layer, neuron"),
                               alt.Tooltip("activation:Q", format=".3g")])
    dots = alt.Chart(alt.NamedData("points")).mark_point(filled=True, size=22, stroke="white", strokeWidth=0.5).encode(
        x=alt.X("x1:Q"), y=alt.Y("x2:Q"),
        fill=alt.Fill("class:N", scale=_class_scale(classes), legend=alt.Legend(title="class", orient="bottom")))
    title = alt.Title("The chosen neuron over the data (click a small map to choose)", anchor="start",
                      fontSize=12)
    large_view = alt.layer(enlarged, dots, title=title).properties(width=large, height=large)
    return alt.vconcat(large_view, small, description=description).resolve_scale(color="shared")
