"""Session and URL state: every control a page shares is described once, as a Control.

A Control knows its key (also its query-parameter name), label, default and valid values. Pages
build widgets from Controls (ui/widgets.py); this module checks the link's values before the
widgets see them (Streamlit drops an invalid bound value silently, so the page says so), resets
everything to the defaults, and writes the share link.
"""

import math
from dataclasses import dataclass, field
from urllib.parse import urlencode

import streamlit as st

from ui import matrix


@dataclass(frozen=True)
class Control:
    key: str
    label: str
    default: object
    kind: str = "float"            # float | int | choice | bool | matrix | vector | layers | multi | codec
    low: float | None = None
    high: float | None = None
    options: tuple = field(default=())
    shape: tuple | None = None     # for matrix/vector: (rows, cols), None meaning any
    codec: object = None           # kind "codec": an object with parse(raw), to_url(value) and DESCRIPTION

    def describe(self):
        if self.kind == "codec":
            return self.codec.DESCRIPTION
        if self.kind in ("float", "int"):
            what = "a whole number" if self.kind == "int" else "a number"
            return f"{what} from {matrix.format_number(self.low)} to {matrix.format_number(self.high)}"
        if self.kind == "choice":
            return "one of " + ", ".join(str(o) for o in self.options)
        if self.kind == "multi":
            return "some of " + ", ".join(str(o) for o in self.options) + ", one parameter each"
        if self.kind == "bool":
            return "true or false"
        if self.kind == "layers":
            return (f"neuron counts from 1 to {int(self.high)} separated by commas, at most {int(self.low)} "
                    "layers, or 0 for none")
        return "numbers written as rows split by ';' and values by ','"

    def parse(self, raw):
        """The value a raw query-string text stands for; raises ValueError when it is not valid."""
        if self.kind == "codec":
            return self.codec.parse(raw)
        if self.kind in ("float", "int"):
            value = float(raw)
            if not math.isfinite(value) or not self.low <= value <= self.high:
                raise ValueError(raw)
            if self.kind == "int":
                if value != int(value):
                    raise ValueError(raw)
                return int(value)
            return value
        if self.kind == "choice":
            if raw not in [str(o) for o in self.options]:
                raise ValueError(raw)
            return raw
        if self.kind == "bool":
            if raw.lower() not in ("true", "false"):
                raise ValueError(raw)
            return raw.lower() == "true"
        if self.kind == "layers":
            return parse_layers(raw, int(self.low), int(self.high))
        if self.kind == "multi":
            # One value per repeated parameter (features=x1&features=x2), as Streamlit binds a multiselect.
            chosen = raw if isinstance(raw, list) else [raw]
            if not chosen or any(item not in self.options for item in chosen):
                raise ValueError(raw)
            return tuple(chosen)
        rows, cols = self.shape if self.shape else (None, None)
        return matrix.from_url(raw, shape=(rows, cols), what=self.label)

    def to_url(self, value):
        if self.kind == "codec":
            return self.codec.to_url(value)
        if self.kind in ("matrix", "vector"):
            return matrix.to_url(value)
        if self.kind == "multi":
            return ",".join(value)
        if self.kind == "bool":
            return "true" if value else "false"
        if self.kind == "float":
            return matrix.format_number(value)
        return str(value)

    def is_default(self, value):
        if self.kind in ("matrix", "vector"):
            return matrix.to_url(value) == matrix.to_url(self.default)
        if self.kind == "multi":
            return tuple(value) == tuple(self.default)
        return value == self.default


def parse_layers(text, most_layers, most_neurons):
    """Hidden layer sizes from text such as '64' or '64, 32'; '0' (or nothing) means none.
    Raises ValueError saying what is wrong."""
    text = str(text).strip()
    if text in ("", "0"):
        return ()
    parts = [part.strip() for part in text.split(",")]
    if len(parts) > most_layers:
        raise ValueError(f"at most {most_layers} hidden layers, got {len(parts)}")
    sizes = []
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= most_neurons:
            raise ValueError(f"'{part[:12]}' is not a whole number of neurons from 1 to {most_neurons}")
        sizes.append(int(part))
    return tuple(sizes)


def check_link(controls):
    """The link's values that are not valid for their controls, as (control, raw text) pairs,
    read before the widgets are built. Repeated keys count by their last value, as in Streamlit."""
    problems = []
    params = st.query_params
    for control in controls:
        if control.key not in params:
            continue
        raw = params.get_all(control.key) if control.kind == "multi" else params[control.key]
        try:
            control.parse(raw)
        except ValueError:
            problems.append((control, "&".join(raw) if isinstance(raw, list) else raw))
    return problems


def notice(control, raw, used):
    """What a learner is told about a link value that was replaced, and by what."""
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    instead = "the default" if used is None or control.is_default(used) else f"`{control.to_url(used)}`"
    return (f"The link set **{control.label}** to `{shown}`, which is not valid ({control.describe()}), "
            f"so the page uses {instead} instead.")


def seed_from_link(control):
    """For controls without ``bind`` (matrix editors, whole-number boxes): on the page's first run,
    take the link's value into the session if it is valid, else the default (check_link's notice
    says so). Editors hold their value as text."""
    flag = f"_seeded_{control.key}"
    if st.session_state.get(flag):
        return
    st.session_state[flag] = True
    value = control.default
    if control.key in st.query_params:
        try:
            value = control.parse(st.query_params[control.key])
        except ValueError:
            del st.query_params[control.key]
    st.session_state[control.key] = (matrix.format_matrix(value) if control.kind in ("matrix", "vector")
                                     else value)


def sync_to_link(control, value):
    """Keep an unbound control's value in the address bar, omitted while it is the default (None:
    an editor whose text does not parse, which leaves the address as it was)."""
    if value is None:
        return
    if control.is_default(value):
        if control.key in st.query_params:
            del st.query_params[control.key]
    elif st.query_params.get(control.key) != control.to_url(value):
        st.query_params[control.key] = control.to_url(value)


def reset(controls):
    """Put every control back to its default (a button's on_click)."""
    for control in controls:
        if control.kind in ("matrix", "vector"):
            st.session_state[control.key] = matrix.format_matrix(control.default)
            if control.key in st.query_params:
                del st.query_params[control.key]
        else:
            st.session_state[control.key] = list(control.default) if control.kind == "multi" else control.default


def current_values(controls):
    """Every control's value as the page now uses it, read from the session (matrix editors'
    text parsed; None where it does not parse or the control is not on the page)."""
    values = {}
    for control in controls:
        if control.key not in st.session_state:
            continue
        value = st.session_state[control.key]
        if control.kind in ("matrix", "vector"):
            try:
                value = matrix.parse_matrix(value, what=control.label)
            except matrix.MatrixError:
                value = None
        values[control.key] = value
    return values


def share_query(controls, values):
    """The query string that reopens this page in this state: only values off their default."""
    pairs = []
    for c in controls:
        value = values.get(c.key)
        if value is None or c.is_default(value):
            continue
        if c.kind == "multi":
            pairs += [(c.key, item) for item in value]       # repeated, as Streamlit reads a multiselect
        else:
            pairs.append((c.key, c.to_url(value)))
    return urlencode(pairs, safe=",;*^()")


def page_url():
    """This page's address without its query string ('' when it is not known, as in tests)."""
    url = getattr(st.context, "url", None) or ""
    return url.split("?")[0]
