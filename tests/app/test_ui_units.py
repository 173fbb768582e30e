"""The pure pieces of ui/: matrix text, link values, chart builders."""

import altair as alt
import numpy as np
import pandas as pd
import pytest

from ui import charts, matrix, plane_charts
from ui.state import Control


@pytest.mark.parametrize("text, expected", [
    ("1, 2\n3, 4", [[1, 2], [3, 4]]),
    ("  1,2 \n\n 3 ,4  ", [[1, 2], [3, 4]]),
    ("-0.5, 1e-3", [[-0.5, 0.001]]),
])
def test_parse_matrix_reads_rows_and_values(text, expected):
    assert np.array_equal(matrix.parse_matrix(text), np.array(expected, dtype=float))


@pytest.mark.parametrize("text, fragment", [
    ("", "Nothing is typed"), ("1, x", "not a number"), ("1,,2", "empty"), ("nan", "finite"),
    ("-inf, 1", "finite"), ("1e308", "too large"), ("2e6", "too large"), ("1, 2\n3", "same number"),
    ("\n".join(["1"] * 13), "at most 12"), (",".join(["1"] * 13), "at most 12"),
])
def test_parse_matrix_refuses_bad_text_with_a_reason(text, fragment):
    with pytest.raises(matrix.MatrixError, match=fragment):
        matrix.parse_matrix(text)


def test_parse_matrix_checks_the_shape():
    with pytest.raises(matrix.MatrixError, match="needs 3 value"):
        matrix.parse_matrix("1, 2", shape=(None, 3), what="weights")
    with pytest.raises(matrix.MatrixError, match="single row"):
        matrix.parse_vector("1\n2")


def test_url_form_round_trips():
    array = np.array([[0.2, -0.91], [1e-3, 2.5]])
    assert matrix.to_url(array) == "0.2,-0.91;0.001,2.5"
    assert np.array_equal(matrix.from_url(matrix.to_url(array)), array)


def test_format_number_is_short_and_exact_looking():
    assert matrix.format_number(0.1 + 0.2) == "0.3"
    assert matrix.format_number(2.0) == "2"
    assert matrix.format_number(-0.0) == "0"


def test_controls_validate_link_values():
    bias = Control("b", "Bias", 2.0, "float", -5.0, 5.0)
    assert bias.parse("0.123456") == 0.123456
    for raw in ["abc", "nan", "inf", "9", "", "1e400"]:
        with pytest.raises(ValueError):
            bias.parse(raw)
    count = Control("n", "Count", 3, "int", 1, 5)
    assert count.parse("4") == 4
    with pytest.raises(ValueError):
        count.parse("2.5")
    act = Control("a", "Activation", "none", "choice", options=("none", "ReLU"))
    assert act.parse("ReLU") == "ReLU"
    with pytest.raises(ValueError):
        act.parse("relu ")
    weights = Control("w", "Weights", [[1.0, 2.0]], "matrix", shape=(None, 2))
    assert weights.parse("1,2;3,4").shape == (2, 2)
    with pytest.raises(ValueError):
        weights.parse("1,2,3")


def test_controls_write_link_values_they_can_read_back():
    weights = Control("w", "Weights", [[1.0, 2.0]], "matrix")
    value = np.array([[0.5, -1.0], [3.0, 4.0]])
    assert np.array_equal(weights.parse(weights.to_url(value)), value)
    assert weights.is_default(np.array([[1.0, 2.0]]))
    assert not weights.is_default(value)


def test_charts_are_altair_with_tooltips_and_a_description():
    curve = pd.DataFrame({"x": np.linspace(-1, 1, 5), "y": np.linspace(0, 1, 5)})
    built = [
        charts.function_chart(curve, "x", "y", "x", "y", point=(0.0, 0.5), description="a line"),
        charts.signed_bars(pd.DataFrame({"k": ["a", "b"], "v": [1.0, -2.0]}), "k", "v", description="bars"),
        charts.matrix_heatmap(np.eye(2), ["r1", "r2"], ["c1", "c2"], description="matrix"),
        charts.network_chart([2, 3, 1], weights=[np.ones((2, 3)), -np.ones((3, 1))], description="net"),
        charts.spread_chart(pd.DataFrame({"s": [1, 1, 4], "l": [0.1, 0.2, 0.3]}), "s", "l", "s", "l",
                            reference=0.2, description="spread"),
    ]
    for chart in built:
        spec = charts.to_spec(chart)        # as the app converts them (rows may be Arrow tables)
        assert spec["description"]
        assert "tooltip" in str(spec)
        assert isinstance(chart, alt.TopLevelMixin)


def test_signed_bars_colour_by_sign():
    spec = charts.signed_bars(pd.DataFrame({"k": ["a", "b"], "v": [1.0, -2.0]}), "k", "v").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [r["sign"] for r in rows] == ["positive", "negative"]
    assert charts.POSITIVE in str(spec) and charts.NEGATIVE in str(spec)


def test_network_chart_draws_every_connection_with_its_weight():
    weights = [np.array([[1.0, -2.0, 0.5], [0.1, 0.2, -0.3]])]
    spec = charts.network_chart([2, 3], weights=weights).to_dict()
    edges = [d for d in spec["datasets"].values() if d and "weight" in d[0]][0]
    assert len(edges) == 6
    assert sorted(e["weight"] for e in edges) == sorted(weights[0].ravel().tolist())


def test_charts_sharing_a_structure_keep_their_own_rows():
    """Builders reuse one cached structure per settings; each chart must still carry its own data."""
    first = charts.signed_bars(pd.DataFrame({"k": ["a", "b"], "v": [1.0, -2.0]}), "k", "v")
    second = charts.signed_bars(pd.DataFrame({"k": ["a", "b"], "v": [3.0, 4.0]}), "k", "v")
    assert [r["v"] for r in charts.to_spec(first)["datasets"]["bars"]] == [1.0, -2.0]
    assert [r["v"] for r in charts.to_spec(second)["datasets"]["bars"]] == [3.0, 4.0]
    assert first.to_dict()["datasets"] != second.to_dict()["datasets"]
    spec = charts.to_spec(first)
    spec["description"] = "changed"
    assert charts.to_spec(second).get("description") != "changed"


def network_layers(spec):
    """(the connections' layer, the neurons' layer) of a network chart's Vega-Lite dict."""
    return spec["layer"][0], spec["layer"][1]


def test_network_chart_line_width_follows_the_weight_with_a_legend():
    """Vega-Lite lets a mark's own strokeWidth win over the encoding: every line was drawn 1.2 wide."""
    weights = [np.array([[0.1, -2.0, 0.5], [1.0, 0.2, -0.3]])]
    spec = charts.to_spec(charts.network_chart([2, 3], weights=weights))
    lines, _ = network_layers(spec)
    assert "strokeWidth" not in lines["mark"]
    width = lines["encoding"]["strokeWidth"]
    assert width["field"] == "size" and width["legend"] and width["title"] == "|weight|"
    low, high = width["scale"]["range"]
    assert high / low >= 10
    sizes = sorted(e["size"] for e in spec["datasets"]["edges"])
    assert sizes == sorted(np.abs(weights[0]).ravel().tolist())


def test_network_chart_without_weights_keeps_one_width_and_no_legend():
    spec = charts.to_spec(charts.network_chart([2, 4, 4, 2]))
    lines, _ = network_layers(spec)
    assert lines["mark"]["strokeWidth"] == 1.2 and "strokeWidth" not in lines["encoding"]
    assert len(spec["datasets"]["edges"]) == 2 * 4 + 4 * 4 + 4 * 2


def test_network_chart_draws_a_wide_layer_as_its_strongest_neurons_and_says_how_many_more():
    rng = np.random.default_rng(0)
    w1, w2 = rng.normal(size=(2, 64)), rng.normal(size=(64, 3))
    w1[:, 40] *= 50                                   # neuron 41 is by far the strongest
    spec = charts.to_spec(charts.network_chart([2, 64, 3], weights=[w1, w2]))
    hidden = [n for n in spec["datasets"]["nodes"] if n["x"] == 1]
    assert len(hidden) == charts.SHOWN_OF_WIDE
    assert "hidden 1 41" in [n["neuron"] for n in hidden]
    assert len(spec["datasets"]["edges"]) == 2 * 8 + 8 * 3
    assert "+56 more" in spec["layer"][0]["encoding"]["x"]["axis"]["labelExpr"]


def test_network_chart_names_its_inputs():
    spec = charts.to_spec(charts.network_chart([5, 4, 3], weights=[np.ones((5, 4)), np.ones((4, 3))],
                                               input_names=["x1", "x2", "x1²", "x2²", "x1x2"]))
    axis = spec["layer"][0]["encoding"]["y"]["axis"]
    assert "x1²" in axis["labelExpr"] and len(axis["values"]) == 5
    links = [e["link"] for e in spec["datasets"]["edges"]]
    assert links[0] == "x1 → hidden 1 1"
    with pytest.raises(ValueError, match="2 names for 5 inputs"):
        charts.network_chart([5, 3], input_names=["a", "b"])


def test_chart_text_is_never_a_fixed_dark_grey():
    """Dark ink vanishes on the dark theme (#333 points, #555 bar labels, #666 network captions)."""
    curve = pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0], "p": [0.5, 0.5]})
    specs = [charts.signed_bars(pd.DataFrame({"k": ["a", "b"], "v": [1.0, -2.0]}), "k", "v"),
             charts.network_chart([2, 3, 1], weights=[np.ones((2, 3)), -np.ones((3, 1))]),
             charts.network_chart([2, 3]),
             charts.residuals_chart(curve, "x", "y", "p", "x", "y")]
    for chart in specs:
        text = str(charts.to_spec(chart)).lower()
        for grey in ("#333", "#555", "#666", "#222", "#000000"):
            assert grey not in text


@pytest.mark.parametrize("points, place", [
    ((0.2, 0.2), "right below"),      # a rising line leaves the label below it on the right
    ((0.8, 0.8), "left above"),
    ((0.2, 0.8), "right above"),      # a falling line: above on the right
])
def test_function_chart_label_avoids_the_line(points, place):
    xs = np.linspace(0, 1, 11)
    rising = points[1] == points[0]
    curve = pd.DataFrame({"x": xs, "y": xs if rising else 1 - xs})
    spec = charts.to_spec(charts.function_chart(curve, "x", "y", "x", "y", point=points))
    assert spec["datasets"]["point"][0]["place"] == place


@pytest.mark.parametrize("text, expected", [
    ("[1.0, 2.0, 3.0, 2.5]", [[1.0, 2.0, 3.0, 2.5]]),                          # a row from the notebooks
    ("[[0.2, 0.8], [0.5, -0.91],\n [-0.26, -0.27]]", [[0.2, 0.8], [0.5, -0.91], [-0.26, -0.27]]),
    ("[[1, 2],\n [3, 4],\n]", [[1, 2], [3, 4]]),                               # Python's trailing comma
    ("np.array([[1., 2.], [3., 4.]])", [[1, 2], [3, 4]]),
    ("numpy.array([1e-3, -.5], dtype=np.float32)", [[0.001, -0.5]]),
])
def test_parse_matrix_reads_python_and_numpy_lists(text, expected):
    assert np.array_equal(matrix.parse_matrix(text), np.array(expected, dtype=float))


@pytest.mark.parametrize("text, fragment", [
    ("[1, 2", "brackets do not match"), ("[[1, 2], [3]]", "same number"), ("[[[1]]]", "two deep"),
    ("1, [2]", "a list starts with"), ("[[1, 2] [3, 4]]", "separated by commas"), ("[]", "empty"),
    ("[__import__('os').getcwd()]", "not a number"), ("[1, inf]", "finite"),
])
def test_parse_matrix_refuses_bad_lists_with_a_reason(text, fragment):
    with pytest.raises(matrix.MatrixError, match=fragment):
        matrix.parse_matrix(text)


def test_parse_vector_reads_a_list_over_several_lines():
    assert matrix.parse_vector("[1.0,\n 2.0, 3.0]").tolist() == [1.0, 2.0, 3.0]


def test_a_legend_below_the_lines_gets_its_own_room_so_the_plot_keeps_its_height():
    """Streamlit fits a chart, legend included, into its height: the Training page's four curves
    with their names in one column below had squeezed the plot to a sliver (seen in Chromium)."""
    table = pd.DataFrame({"epoch": [0, 1] * 4, "value": [1.0, 0.5] * 4,
                          "curve": [name for name in ("a", "b", "c", "d") for _ in range(2)]})
    beside = charts.to_spec(charts.lines_chart(table, "epoch", "value", "curve", "epoch", "v", height=240))
    below = charts.to_spec(charts.lines_chart(table, "epoch", "value", "curve", "epoch", "v", height=240,
                                               legend_columns=1))
    assert beside["height"] == 240
    assert below["height"] >= 240 + 4 * 18                 # four rows of legend on top of the plot's 240


def test_the_boundary_legend_names_only_the_sets_drawn():
    """The shape legend said 'training / validation' under a chart with no validation points (Be the
    optimizer's clouds; the Training page with 'Show the validation data' off)."""
    cells = [{"x1": 0.0, "x1_end": 1.0, "x2": 0.0, "x2_end": 1.0, "class": "0", "confidence": 0.9}]
    point = {"x1": 0.5, "x2": 0.5, "class": "0"}

    def shape_legend(points):
        spec = charts.to_spec(plane_charts.boundary_chart(cells, points, 2))
        return spec["layer"][1]["encoding"]["shape"].get("legend", "missing")

    assert shape_legend([{**point, "set": "training"}]) is None
    assert shape_legend([{**point, "set": "training"}, {**point, "set": "validation"}]) is not None


def test_surface_marks_read_on_every_band_in_both_themes():
    """The start and minimum marks sit on the surface's fixed greys (#fbfbfb to slate) whatever the
    theme: black alone nearly vanished on the slate bands. Dark ink in a light halo reads on all."""
    from ui import surface_charts as sc

    image = sc.surface_image(np.linspace(-1, 1, 4), np.linspace(-1, 1, 4), np.arange(16.0).reshape(4, 4) + 1)
    paths = sc.path_table("SGD", np.zeros((3, 2)), np.ones(3))
    marks = sc.marks_table([{"x": 0, "y": 0, "label": "start"}])
    layers = charts.to_spec(sc.surface_chart(image, paths, ["SGD"], marks, (-1, 1)))["layer"]
    assert "#000000" not in str(layers)
    kinds = [(layer["mark"]["type"], layer["mark"]) for layer in layers]
    cross = next(mark for kind, mark in kinds if kind == "point")
    assert cross["stroke"] == sc.MARK_HALO and cross["strokeWidth"] >= 1
    texts = [mark for kind, mark in kinds if kind == "text"]
    assert [t.get("stroke") for t in texts] == [sc.MARK_HALO, None] * 2   # each halo first, its ink on top
    assert texts[0]["strokeWidth"] >= 3 and texts[1]["color"] == sc.MARK_INK


def surface_pixels(table):
    """The RGB pixels of a surface_image's picture, decoded by Pillow (not by the code that wrote it)."""
    import base64
    import io

    from PIL import Image

    url = table.column("url")[0].as_py()
    assert url.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB"))


def test_the_surface_picture_is_the_grid_under_the_band_colours():
    """The surface is drawn as one picture (1,024 rectangles per chart were a third of the Optimizers
    page's redraw): each pixel is its grid point's band colour, higher y on top, spanning the cells."""
    from ui import surface_charts as sc

    xs, ys = np.linspace(-4, 4, 5), np.linspace(-2, 2, 3)
    values = 10.0 ** (np.arange(15.0).reshape(3, 5) - 10)       # one loss per point, 1e-10 ... 1e4
    table = sc.surface_image(xs, ys, values)
    pixels = surface_pixels(table)
    assert pixels.shape == (3, 5, 3)
    bands = sc.bands(values)
    assert bands.min() == 0 and bands.max() == sc.BANDS - 1
    for i in range(3):
        for j in range(5):
            # pixel row 0 is the top of the picture: the largest y, ys[2]
            assert tuple(pixels[2 - i, j]) == sc.BAND_COLOURS[bands[i, j]]
    assert tuple(pixels[0, 4]) == sc.BAND_COLOURS[-1] and tuple(pixels[2, 0]) == sc.BAND_COLOURS[0]
    edges = {name: table.column(name)[0].as_py() for name in ("x0", "x1", "y0", "y1")}
    assert edges == {"x0": -5.0, "x1": 5.0, "y0": -3.0, "y1": 3.0}      # half a cell past the outer points


def test_bands_split_the_log_loss_into_equal_steps():
    from ui import surface_charts as sc

    values = np.array([1e-3, 1e-2, 1.0, 1e2, 0.0])    # 0 sits at the floor, 1e-12: log10 from -12 to 2
    assert sc.bands(values).tolist() == [9, 10, 12, 13, 0]       # 14 bands a power of ten wide, the top one closed
    assert sc.bands(np.full(4, 2.0)).tolist() == [0] * 4      # a flat surface is one band


def test_the_surface_chart_draws_one_image_under_its_paths_on_a_canvas():
    from ui import surface_charts as sc

    image = sc.surface_image(np.linspace(-1, 1, 4), np.linspace(-1, 1, 4), np.ones((4, 4)))
    paths = sc.path_table("SGD", np.zeros((3, 2)), np.ones(3))
    marks = sc.marks_table([{"x": 0, "y": 0, "label": "start"}])
    spec = charts.to_spec(sc.surface_chart(image, paths, ["SGD"], marks, (-1, 1)))
    first = spec["layer"][0]
    assert first["mark"]["type"] == "image" and first["mark"]["smooth"] is False and first["mark"]["aspect"] is False
    assert first["encoding"]["url"]["field"] == "url"
    assert first["mark"]["tooltip"] is None and "tooltip" not in first["encoding"]    # not its data URL
    assert {"x", "x2", "y", "y2"} <= set(first["encoding"])
    assert not any(layer["mark"]["type"] == "rect" for layer in spec["layer"])
    assert [layer["mark"]["type"] for layer in spec["layer"][1:3]] == ["line", "circle"]   # paths on top
    assert "tooltip" in str(spec["layer"][2])
    assert spec["usermeta"]["embedOptions"]["renderer"] == "canvas"
    assert spec["datasets"]["surface"] is image


@pytest.mark.parametrize("value, digits, style, text", [
    (1e-7, 4, "text", "1e-7"), (123456.0, 4, "text", "1.235e5"), (0.0013851, 4, "text", "0.001385"),
    (-0.0, 4, "text", "0"), (3.0, 4, "text", "3"), (1.234567e-5, 6, "tex", r"1.23457\times 10^{-5}"),
    (2.5e34, 3, "unicode", "2.5 × 10³⁴"), (float("nan"), 4, "text", "nan"),
])
def test_one_rule_for_significant_digits_and_powers_of_ten(value, digits, style, text):
    """The Optimizers page's prose numbers and the walk's formulas share ui.numbers.significant (they
    had two copies of one rule; the prose one printed '-0')."""
    from ui.numbers import significant

    assert significant(value, digits, style) == text


def test_the_live_boundary_picture_is_the_grid_in_the_cells_colours_and_opacities():
    """While a run trains the boundary is one picture, not a rectangle per cell: each pixel is a cell, in its
    predicted class's colour with boundary_chart's opacity for its confidence (0.05 unsure to 0.55 sure), the
    largest x2 on top, spanning the grid's edges; the points stay marks of their own, with the class legend."""
    import base64
    import io

    from PIL import Image

    edges1, edges2 = np.linspace(-2, 2, 4), np.linspace(0, 1, 3)        # 3 cells along x1, 2 along x2
    predicted = np.array([0, 1, 2, 2, 1, 0])                             # row by row from the smallest x2
    confidence = np.array([0.0, 0.5, 1.0, 1.0, 0.5, 0.0])
    table = plane_charts.boundary_image(edges1, edges2, predicted, confidence, 3)
    url = table.column("url")[0].as_py()
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGBA"))
    assert pixels.shape == (2, 3, 4)
    low, high = plane_charts.CELL_OPACITY
    for k in range(6):
        row, column = 1 - k // 3, k % 3                                 # pixel row 0 is the top: the largest x2
        colour = charts.CLASS_COLOURS[predicted[k]]
        assert tuple(pixels[row, column, :3]) == tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert abs(pixels[row, column, 3] / 255 - (low + (high - low) * confidence[k])) <= 0.5 / 255
    edges = {name: table.column(name)[0].as_py() for name in ("x0", "x1", "y0", "y1")}
    assert edges == {"x0": -2.0, "x1": 2.0, "y0": 0.0, "y1": 1.0}
    points = [{"x1": 0.5, "x2": 0.5, "class": "1", "set": "training"}]
    spec = charts.to_spec(plane_charts.boundary_picture_chart(table, points, 3))
    picture, dots = spec["layer"]
    assert picture["mark"]["type"] == "image" and picture["mark"]["smooth"] is False
    assert picture["mark"]["tooltip"] is None and "tooltip" not in picture["encoding"]
    assert dots["encoding"]["color"]["legend"]["title"] == "class"
    assert dots["encoding"]["color"]["scale"]["domain"] == ["0", "1", "2"]
    assert spec["usermeta"] == charts.CANVAS
