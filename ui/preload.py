"""Every module the pages use, imported once, before any page runs.

Streamlit runs each session's script in a thread of its own. When the first learners open the app
together, several threads would import pandas, Altair and this project's modules at the same moment.
Python locks a module while one thread imports it and makes the others wait; but when two threads
each wait for a module the other is importing, it breaks the deadlock by handing one of them the
module half-initialised, and that page fails ("cannot import name 'layout' from 'ui'", "partially
initialized module 'pandas'"). streamlit_app.py imports this module before anything else: the first
session imports everything inside it while every other session waits for this one module, holding
no other import, so no two threads ever import in opposite orders.
"""

import altair  # noqa: F401
import numpy  # noqa: F401
import pandas  # noqa: F401
import pyarrow  # noqa: F401

import nnengine  # noqa: F401
from nnengine.lessons import activations, backprop, forward, loss, surfaces  # noqa: F401
from ui import (  # noqa: F401
    catalog,
    charts,
    csv_data,
    layout,
    mathtex,
    matrix,
    source,
    state,
    surface_charts,
    trainers,
    training,
    training_controls,
    training_views,
    widgets,
)
