"""Show the engine code that computed a page's numbers, read from the running code itself
(``inspect.getsource``), so the numbers and the code shown can never disagree."""

import inspect

import streamlit as st


@st.cache_data(show_spinner=False)
def _source(module, qualname):
    """The source of a function or class, found by name (a pure function of the code on disk)."""
    obj = __import__(module, fromlist=["_"])
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return inspect.getsource(obj)


def code_of(obj):
    return _source(obj.__module__, obj.__qualname__)


def show_code(*objects, label="Show the code", note=None):
    """An expander holding the source of each function, method or class given. The code is
    only laid out while the expander is open, so a closed one costs a page nothing."""
    names = [f"{obj.__module__}.{obj.__qualname__}" for obj in objects]
    box = st.expander(label, icon=":material/code:", on_change="rerun", key="code:" + ",".join(names))
    if not box.open:
        return
    with box:
        if note:
            st.caption(note)
        for name, obj in zip(names, objects):
            st.caption(f"`{name}`")
            st.code(code_of(obj), language="python", wrap_lines=True)
