"""The network editor: the network drawn as neurons and links (network_editor.js draws them as SVG, with
network_editor.css), the layout of ui/network_chart.py, a link's width following |weight| with a legend,
a wide layer drawn as its strongest neurons with "+N more". Clicking a link (its weight) or a neuron (its
bias) opens a field under the drawing; Set sends {"token", "kind", "layer", "row", "col", "text"} as the
trigger "edit", which ui/weight_edit.py checks before anything uses it.

Nothing the learner types goes into HTML or JS: the component's HTML is fixed, the drawing is built from
``data`` (JSON) with DOM calls that set text, never markup, and the typed text only comes back to Python.
"""

from pathlib import Path

import streamlit as st

from ui.network_chart import network_layout

HERE = Path(__file__).parent
HTML = ('<div class="network-editor">'
        '<div class="ne-scroll"><svg class="ne-drawing" role="img" '
        'aria-label="The network: click a line (a weight) or a neuron (its bias) to set its value"></svg></div>'
        '<form class="ne-field" hidden><label><span class="ne-what"></span> '
        '<input type="text" inputmode="decimal" maxlength="40" autocomplete="off" spellcheck="false"></label> '
        '<button type="submit">Set</button> <button type="button" class="ne-cancel">Cancel</button></form>'
        '</div>')

_editor = st.components.v2.component("nnx_network_editor", html=HTML, css=(HERE / "network_editor.css").read_text(),
                                     js=(HERE / "network_editor.js").read_text())


def editor_data(model, token, layer_names=None, input_names=None):
    """What the component draws (JSON-ready): the layout of ``model``'s network with its weights, each
    shown neuron's bias, the token that names this network (ui/weight_edit.token_of)."""
    denses = model.dense_layers
    sizes = [model.n_inputs] + [dense.n_neurons for dense in denses]
    nodes, edges, captions, _ = network_layout(sizes, [dense.weights for dense in denses], layer_names, input_names)
    for node in nodes:
        biases = denses[node["x"] - 1].biases if node["x"] > 0 else None
        node["bias"] = None if biases is None else float(biases[0, node["index"]])
    keep = ("x", "y", "x2", "y2", "weight", "link", "layer", "row", "col")
    return {"token": token, "nodes": nodes, "edges": [{name: edge[name] for name in keep} for edge in edges],
            "captions": captions, "widest": max((abs(edge["weight"]) for edge in edges), default=0.0)}


def network_editor(key, data, on_edit):
    """Mount the editor (``key`` keeps one instance across reruns); ``on_edit`` runs when Set is pressed,
    the event then at ``st.session_state[key].edit``."""
    return _editor(key=key, data=data, on_edit_change=on_edit)
