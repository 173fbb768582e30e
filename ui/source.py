"""Show the engine code that computed a page's numbers, read from the running code itself
(``inspect.getsource``), so the numbers and the code shown can never disagree."""

import inspect

import streamlit as st


def code_of(obj):
    return inspect.getsource(obj)


def show_code(*objects, label="Show the code", note=None):
    """An expander holding the source of each function, method or class given."""
    with st.expander(label, icon=":material/code:"):
        if note:
            st.caption(note)
        for obj in objects:
            module = getattr(obj, "__module__", "")
            name = getattr(obj, "__qualname__", getattr(obj, "__name__", ""))
            st.caption(f"`{module}.{name}`")
            st.code(code_of(obj), language="python", wrap_lines=True)
