"""The digit pad: a canvas to draw a digit on (digit_pad.js, digit_pad.css). It sends the drawing back
as a bitmap, SIZE rows of SIZE // 4 hex digits (4 pixels each), checked here before anything uses it.

Nothing the learner draws goes into HTML or JS: the component's HTML is fixed, and the drawing only
comes back, as a value Streamlit hands to Python.
"""

from pathlib import Path

import numpy as np
import streamlit as st

SIZE = 192                      # the canvas is SIZE x SIZE pixels (shown at most 240 px wide)
HEX = "0123456789abcdef"
HERE = Path(__file__).parent
HTML = (f'<div class="digit-pad"><canvas width="{SIZE}" height="{SIZE}" role="img" '
        'aria-label="Drawing pad: draw a digit here"></canvas><button type="button">Clear</button></div>')

_pad = st.components.v2.component("nnx_digit_pad", html=HTML, css=(HERE / "digit_pad.css").read_text(),
                                  js=(HERE / "digit_pad.js").read_text())


def decode_bitmap(value):
    """The pad's value as a (SIZE, SIZE) bool array (True = ink). Raises ValueError for anything else
    than what digit_pad.js sends: {"rows": SIZE strings of SIZE // 4 lowercase hex digits}."""
    rows = value.get("rows") if isinstance(value, dict) else None
    if not isinstance(rows, list) or len(rows) != SIZE:
        raise ValueError(f"the drawing should be {SIZE} rows of pixels")
    if not all(isinstance(row, str) and len(row) == SIZE // 4 and set(row) <= set(HEX) for row in rows):
        raise ValueError(f"each row of the drawing should be {SIZE // 4} hex digits")
    nibbles = np.array([[HEX.index(ch) for ch in row] for row in rows], dtype=np.uint8)
    # Each hex digit holds 4 pixels, the leftmost in its highest bit.
    bits = (nibbles[:, :, None] >> np.array([3, 2, 1, 0], dtype=np.uint8)) & 1
    return bits.reshape(SIZE, SIZE).astype(bool)


def digit_pad(key, on_change):
    """Mount the pad (``key`` keeps one instance across reruns). Returns the drawn bitmap (None before
    anything is drawn) and a message when what came back could not be read.

    The last drawing read goes back to the pad as ``data`` (rows already checked): a pad mounted anew,
    its canvas blank, paints it, so it shows the drawing the page reads."""
    kept = key + "_rows"
    result = _pad(key=key, data={"rows": st.session_state.get(kept)}, on_bitmap_change=on_change)
    value = getattr(result, "bitmap", None)
    if value is None and st.session_state.get(kept) is not None:
        # Streamlit forgets a component's value while it is not on the page; the drawing it held is kept.
        value = {"rows": st.session_state[kept]}
    if value is None:
        return None, None
    try:
        bitmap = decode_bitmap(value)
    except ValueError as error:
        return None, f"The drawing could not be read ({error}). Press Clear and draw again."
    st.session_state[kept] = value["rows"]
    return bitmap, None
