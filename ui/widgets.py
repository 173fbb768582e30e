"""Widgets built from Controls (ui/state.py): bound to the URL where they can be, with the
Control's key, label, default and range, so every page's controls behave alike."""

import numpy as np
import streamlit as st

from ui import matrix, state


def slider(control, step, help=None, format=None):
    return st.slider(control.label, control.low, control.high, control.default, step,
                     key=control.key, bind="query-params", help=help, format=format)


def number(control, step, help=None, format=None, say_out_of_range=False):
    """A number box. With ``say_out_of_range`` a whole number outside the control's range is
    accepted by the box and then replaced by the nearest allowed value with a message saying so
    (a bounded box only turns red and silently keeps its old value)."""
    if control.kind == "int":
        # Streamlit's own link binding crashes on an infinite value for a whole-number box (int(inf)), so
        # these boxes read and write the address bar here, through the same checks as every other control.
        state.seed_from_link(control)
        low, high = (None, None) if say_out_of_range else (control.low, control.high)
        value = st.number_input(control.label, low, high, control.default, step, key=control.key,
                                help=help, format=format)
        if say_out_of_range and not control.low <= value <= control.high:
            used = int(min(max(value, control.low), control.high))
            st.warning(f"{control.label} runs from {control.low:,} to {control.high:,}: {value:,} is out of "
                       f"range, so the page uses {used:,}.", icon=":material/warning:")
            value = used
        state.sync_to_link(control, value)
        return value
    return st.number_input(control.label, control.low, control.high, control.default, step,
                           key=control.key, bind="query-params", help=help, format=format)


def choice(control, help=None, horizontal=True):
    options = list(control.options)
    return st.radio(control.label, options, index=options.index(control.default), key=control.key,
                    bind="query-params", help=help, horizontal=horizontal)


def dropdown(control, help=None, options=None, on_change=None):
    """A select box; ``options`` narrows the Control's options for now (its default must be one)."""
    options = list(control.options if options is None else options)
    return st.selectbox(control.label, options, index=options.index(control.default),
                        key=control.key, bind="query-params", help=help, on_change=on_change)


def multi(control, help=None):
    return st.multiselect(control.label, list(control.options), default=list(control.default), key=control.key,
                          bind="query-params", help=help)


def toggle(control, help=None):
    return st.toggle(control.label, value=control.default, key=control.key,
                     bind="query-params", help=help)


def matrix_editor(control, help=None, height=None):
    """A text editor for a matrix (one row per line, values separated by commas) or a vector
    (one line). Returns the parsed float array, or None after showing what is wrong."""
    state.seed_from_link(control)
    rows = 1 if control.kind == "vector" else max(2, len(np.atleast_2d(control.default)))
    pasted = "A Python or numpy list, such as [1.0, 2.0] or [[1, 2], [3, 4]], can be pasted too."
    st.text_area(control.label, key=control.key, help=f"{help} {pasted}" if help else pasted,
                 height=height or (68 if rows == 1 else 40 + 28 * rows))
    text = st.session_state.get(control.key, "")
    shape = control.shape or (None, None)
    what = control.label.split(" (")[0].lower()
    try:
        if control.kind == "vector":
            value = matrix.parse_vector(text, length=shape[1], what=what)
        else:
            value = matrix.parse_matrix(text, shape=shape, what=what)
    except matrix.MatrixError as error:
        st.error(str(error), icon=":material/error:")
        return None
    state.sync_to_link(control, value)
    return value
