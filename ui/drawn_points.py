"""Your own points: the data a learner draws on the Training page's plane, and the callback that takes them
from the plane into the session (the rest needs no Streamlit and is tested directly). A point is three
whole numbers (x, y, class): its coordinates in hundredths, from -LIMIT to LIMIT (the plane is -1.5 to 1.5
both ways), and its class, 0 to MAX_CLASSES - 1 (0 for regression, where the network learns y from x).

The same three numbers travel everywhere: from the plane (ui/components/point_plane.js sends the list),
in the share link (``to_url``/``parse``: "x,y,class" joined by ";", at most MAX_POINTS points, about 12
characters each, so a full plane keeps the address near 5 KB, under 8 KB) and into the reproduce script.
Whatever comes from the browser or a link is checked here (``checked``) before anything uses it.
"""

import re

import numpy as np
import streamlit as st

from ui.components.point_plane import sent_points

LIMIT = 150                 # the plane's edge, in hundredths: -1.5 to 1.5
PLANE = LIMIT / 100
MAX_POINTS = 400
MAX_CLASSES = 5
POINT = re.compile(r"-?\d{1,3},-?\d{1,3},\d")     # one point in a link: x,y,class (hundredths)


def checked(value, classes=MAX_CLASSES):
    """``value`` (a list of [x, y, class] lists, as the plane sends it) as a tuple of int triples. Raises
    ValueError saying what is wrong: not a list, too many points, a point that is not three whole numbers,
    outside the plane or of a class the plane does not have."""
    if not isinstance(value, (list, tuple)):
        raise ValueError("the points should be a list")
    if len(value) > MAX_POINTS:
        raise ValueError(f"{len(value):,} points, more than the {MAX_POINTS} the plane takes")
    points = []
    for point in value:
        if (not isinstance(point, (list, tuple)) or len(point) != 3
                or not all(isinstance(v, int) and not isinstance(v, bool) for v in point)):
            raise ValueError("each point should be three whole numbers: x, y (hundredths) and its class")
        x, y, label = point
        if not (-LIMIT <= x <= LIMIT and -LIMIT <= y <= LIMIT):
            raise ValueError(f"a point at ({x / 100:g}, {y / 100:g}) is outside the plane (-{PLANE:g} to {PLANE:g})")
        if not 0 <= label < classes:
            raise ValueError(f"a point of class {label}: the classes are 0 to {classes - 1}")
        points.append((x, y, label))
    return tuple(points)


def to_url(points):
    """The points as a link's value: 'x,y,class' joined by ';' (coordinates in hundredths)."""
    return ";".join(f"{x},{y},{label}" for x, y, label in points)


def parse(raw):
    """A link's value back into points (the inverse of ``to_url``). Raises ValueError for malformed numbers,
    points outside the plane, more than MAX_POINTS points (counted before anything else is read, so a
    link of 10 000 points costs nothing) and anything that is not such a list."""
    raw = str(raw).strip()
    if not raw:
        return ()
    parts = raw.split(";")
    if len(parts) > MAX_POINTS:
        raise ValueError(f"{len(parts):,} points, more than the {MAX_POINTS} the plane takes")
    if not all(POINT.fullmatch(part) for part in parts):
        bad = next(part for part in parts if not POINT.fullmatch(part))
        raise ValueError(f"'{bad[:20]}' is not a point written x,y,class in whole hundredths")
    return checked([[int(v) for v in part.split(",")] for part in parts])


DESCRIPTION = (f"at most {MAX_POINTS} points written x,y,class and separated by ';', the coordinates in "
               f"hundredths from -{LIMIT} to {LIMIT}, the class 0 to {MAX_CLASSES - 1}")


def arrays(points, classes, regression):
    """The points as the network's data: (X, y, how many were left out).

    Classes: X (n, 2) float32 coordinates, y (n,) int labels; points of a class at or above ``classes``
    (drawn before the Classes setting was lowered) are left out. Regression: X (n, 1) the x coordinate,
    y (n, 1) the y coordinate, every point. The reproduce script writes the same expressions."""
    kept = [p for p in points if regression or p[2] < classes]
    xy = np.array([[x, y] for x, y, _ in kept], dtype=np.float32).reshape(-1, 2) / 100
    if regression:
        return xy[:, :1], xy[:, 1:], 0
    return xy, np.array([label for _, _, label in kept], dtype=np.int64), len(points) - len(kept)


def held_out(n, share):
    """Which of n points are held out for validation: evenly spaced, share of them (every 5th for 0.2), in the
    order they were placed, so adding a point never moves an earlier one between the two sets."""
    index = np.arange(n)
    return np.floor((index + 1) * share) > np.floor(index * share)


def from_dataset(X, y, regression):
    """A dataset's points (X (n, 2), or (n, 1) with y (n, 1) for regression) on the plane: rounded to hundredths,
    those outside it dropped, at most MAX_POINTS kept (evenly spaced, so every class stays). Returns (points,
    how many were dropped)."""
    xy = np.column_stack([X[:, 0], y[:, 0]]) if regression else np.asarray(X)[:, :2]
    labels = np.zeros(len(xy), dtype=int) if regression else np.asarray(y).reshape(-1).astype(int)
    grid = np.rint(np.asarray(xy, dtype=np.float64) * 100).astype(int)
    inside = np.flatnonzero((np.abs(grid) <= LIMIT).all(axis=1) & (labels < MAX_CLASSES))
    if len(inside) > MAX_POINTS:
        inside = inside[np.linspace(0, len(inside) - 1, MAX_POINTS).round().astype(int)]
    points = tuple((int(grid[k, 0]), int(grid[k, 1]), int(labels[k])) for k in inside)
    return points, len(xy) - len(points)


# ---- in the session ------------------------------------------------------------------------------

KEY = "points"                 # the points' Control (ui/training_controls.py): its session key and link parameter
PLANE_KEY = "point_plane"      # the plane component's key
REV, SEEN, PROBLEM = "_points_rev", "_points_seen", "_points_problem"


def current():
    """The session's points (a tuple of (x, y, class) triples)."""
    return st.session_state.get(KEY) or ()


def on_plane_change():
    """The plane's callback: the list it sent, checked, becomes the session's points. Junk (which the page's own
    plane never sends) is refused with a message, and the plane is sent the points as they were."""
    try:
        points = checked(sent_points(PLANE_KEY))
    except ValueError as error:
        st.session_state[PROBLEM] = (f"The plane sent points the page cannot use ({error}); it keeps the points "
                                     "as they were.")
        st.session_state[REV] = st.session_state.get(REV, 0) + 1
        return
    st.session_state[KEY] = st.session_state[SEEN] = points
    st.session_state.pop(PROBLEM, None)


def revision():
    """The number the plane compares with its own (point_plane.js): it changes whenever the points changed
    other than by the plane (a dataset put on it, a link, Reset to defaults), so the plane takes them."""
    points = current()
    if points != st.session_state.get(SEEN):
        st.session_state[SEEN] = points
        st.session_state[REV] = st.session_state.get(REV, 0) + 1
    return st.session_state.get(REV, 0)
