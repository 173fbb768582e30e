"""The point plane: a canvas showing the learner's points over the network's decision boundary (or its fitted
curve), where a click adds a point and a Shift-click, a right click or Remove mode removes one
(point_plane.js, point_plane.css). It sends back the whole list of points; ui/drawn_points.py checks it.

Nothing the learner places or a link carries goes into HTML or JS: the component's HTML is fixed, and the
points, the boundary and the colours travel only in ``data`` (JSON), drawn on the canvas by point_plane.js.
"""

from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent
HTML = ('<div class="point-plane"><div class="tools" role="toolbar" aria-label="Point tools"></div>'
        '<canvas width="400" height="400" role="img" aria-label="Data plane"></canvas><p class="hint"></p></div>')

_plane = st.components.v2.component("nnx_point_plane", html=HTML, css=(HERE / "point_plane.css").read_text(),
                                    js=(HERE / "point_plane.js").read_text())


def point_plane(key, data, on_change):
    """Mount the plane (``key`` keeps one instance across reruns) with ``data``: points, rev, classes (0 for
    regression), share, limit, max, colours, grid, curve, curveColour (see point_plane.js). ``on_change`` runs
    when the learner changed the points; it reads them from st.session_state[key].points."""
    return _plane(key=key, data=data, on_points_change=on_change)


def sent_points(key):
    """What the plane last sent (None before anything was sent)."""
    value = st.session_state.get(key)
    if value is None:
        return None
    return value.get("points") if isinstance(value, dict) else getattr(value, "points", None)
