"""The Training page's drawings: the hidden neurons' maps (every hidden layer, in order, on one colour scale
with its legend, saying how many are shown, one enlarged over the data on a click), and the progress line."""

import base64
import io
import json

import pyarrow.ipc
from conftest import chart_specs, open_page, texts, train
from PIL import Image

from ui import charts, plane_charts, training
from ui.training_views import LIVE_GRID, LIVE_POINTS, neuron_map_rows, progress_line

PAGE = "app_pages/training.py"


def test_every_hidden_layer_is_mapped_in_order_and_numbered_as_numbers():
    settings = training.Settings(hidden=(20, 3), epochs=5)
    setup = training.build(settings)
    rows, shown = neuron_map_rows(setup, settings, resolution=4)
    assert shown == [(16, 20), (3, 3)]
    names = list(dict.fromkeys(row["map"] for row in sorted(rows, key=lambda row: row["order"])))
    assert names == [f"L1 n{k}" for k in range(1, 17)] + ["L2 n1", "L2 n2", "L2 n3"]     # n2 before n10
    assert len(rows) == 19 * 16
    # Layer 2's maps are what the second hidden layer outputs: its ReLU of the first one's.
    second = [row["activation"] for row in rows if row["map"] == "L2 n1"]
    assert min(second) >= 0 and len(set(second)) > 1


def test_the_maps_share_one_colour_scale_with_a_legend_and_a_click_enlarges_one():
    maps = [{"map": "L1 n1", "layer": 1, "neuron": 1, "order": 0, "x1": 0.0, "x1_end": 1.0, "x2": 0.0, "x2_end": 1.0,
             "activation": 0.5}]
    figure = plane_charts.neuron_maps_chart(maps, [{"x1": 0.5, "x2": 0.5, "class": "0"}], 3)
    spec = charts.to_spec(figure)
    assert spec["resolve"]["scale"]["color"] == "shared"
    large, small = spec["vconcat"]
    assert small["spec"]["encoding"]["color"]["legend"]["title"] == "activation"
    assert small["facet"]["sort"] == {"field": "order", "op": "min"}
    (selection,) = spec["params"]
    assert selection["select"]["on"] == "click" and selection["select"]["fields"] == ["map"]
    assert large["layer"][0]["transform"] == [{"filter": {"param": "neuron", "empty": False}}]
    assert large["layer"][1]["encoding"]["fill"]["field"] == "class"         # the data, over the large map


def test_the_page_maps_both_hidden_layers_and_says_how_many_it_shows():
    at = open_page(PAGE, {"hidden": "20,3", "epochs": "5"})
    train(at)
    # Changed deliberately (issue 13, the run's end): the maps are drawn only while their tab is open.
    assert not any("Shown: hidden layer" in c for c in texts(at.caption))
    at.session_state["inside_tab"] = "What the hidden neurons see"
    at.run()
    caption = " ".join(texts(at.caption))
    assert "Shown: hidden layer 1: 16 of 20 neurons; hidden layer 2: 3 of 3 neurons." in caption
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    assert any(spec.get("params", [{}])[0].get("name") == "neuron" for spec in specs)


def test_a_long_epoch_shows_its_batch_on_the_progress_line():
    last = {"epoch": 4, "batch": 12, "batches": 45, "loss": 0.5, "accuracy": 0.75, "learning_rate": 0.001}
    assert progress_line(4, 10, last).startswith("epoch 4 of 10 · epoch 5: batch 12 of 45 · loss 0.5000")
    assert progress_line(0, 10, None) == "epoch 0 of 10"


def test_the_network_names_its_inputs_by_their_features_and_draws_wide_layers():
    at = open_page(PAGE, {"features": ["x1", "x2", "x1*x2", "x1^2"], "hidden": "128", "epochs": "3"})
    train(at)
    # The network is drawn by the network editor (a v2 component): what it is given to draw.
    assert any(c.startswith("The network, 4 → 128 → 3") for c in texts(at.caption))
    network = next(json.loads(c.proto.json) for c in at.get("bidi_component") if c.proto.id.endswith("network_editor"))
    assert [n["neuron"] for n in network["nodes"] if n["x"] == 0] == ["x1", "x2", "x1·x2", "x1²"]
    assert network["captions"][1] == ["hidden 1", "+120 more"]


def test_the_charts_redrawn_while_a_run_trains_draw_on_a_canvas():
    """The boundary (a grid of up to 2 500 cells and the points) and the curves are redrawn about three times a
    second while a run trains: on a canvas, not as SVG, which made a page element of every cell and point."""
    at = open_page(PAGE, {"epochs": "30"})
    train(at)
    specs = chart_specs(at)
    marks = [[layer.get("mark", {}).get("type") for layer in s.get("layer", [])] for s in specs]
    boundary = [s for s, kinds in zip(specs, marks) if kinds == ["rect", "point"]]       # cells and points
    curves = [s for s, kinds in zip(specs, marks) if kinds == ["line"]]
    assert boundary and curves
    assert all(s.get("usermeta", {}).get("embedOptions", {}).get("renderer") == "canvas" for s in boundary + curves)


def test_while_a_run_trains_the_boundary_draws_at_most_1000_points_and_says_so():
    """Chapter 15's 3 000 training points (and its validation points) redrawn three times a second cost the page
    more than its training; while a run trains every k-th point is drawn, and the caption says so; all at the end."""
    def boundary_points(at):          # the training area's boundary: the page's first chart with data points
        charts_ = at.get("vega_lite_chart")
        rows = [[row for dataset in chart.proto.datasets
                 for row in pyarrow.ipc.open_stream(dataset.data.data).read_all().to_pylist() if "set" in row]
                for chart in charts_]
        return next(points for points in rows if points)

    at = open_page(PAGE, {"samples": "1000", "epochs": "50001"})
    at.button(key="train").click().run()
    setup = at.session_state["training_run"]["setup"]
    everything = len(setup.raw) + len(setup.raw_val)
    assert everything > 3000 and 0 < len(boundary_points(at)) <= LIVE_POINTS
    pictures = [row["url"] for chart in at.get("vega_lite_chart") for dataset in chart.proto.datasets  # the boundary
                for row in pyarrow.ipc.open_stream(dataset.data.data).read_all().to_pylist() if "url" in row]
    assert len(pictures) == 1                                 # drawn as one picture, a pixel per cell
    size = Image.open(io.BytesIO(base64.b64decode(pictures[0].split(",", 1)[1]))).size
    assert 0 < size[0] <= LIVE_GRID and 0 < size[1] <= LIVE_GRID    # 'a grid of at most 30 x 30 cells'
    assert any(f"a grid of at most {LIVE_GRID} x {LIVE_GRID} cells" in str(c.value) for c in at.caption)
    assert any(f"at most {LIVE_POINTS:,} of the points" in str(c.value) for c in at.caption)
    at.button(key="stop").click().run()
    assert len(boundary_points(at)) == everything
