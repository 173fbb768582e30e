"""The parts every page shares: the header, the link notices, the share-and-reset toolbar,
charts with their text alternative, and the "predict, then check" questions."""

import numpy as np
import streamlit as st

from ui import charts, state

# Page-wide style, for narrow screens (a 390 px phone) and both themes:
# - a wide equation or table scrolls sideways inside its own box instead of being cut off, with its
#   scroll bar always shown (Streamlit hides scroll bars until hovered: on a phone nothing said
#   that a cut-off matrix goes on);
# - a container made by ``pinned`` stays in view while the controls below it scroll (sticky: set on
#   the wrapper Streamlit puts around a keyed container, whose parent is the page's whole column);
#   on a phone, where columns stack, a column holding a ``pinned_column`` container does too, and comes
#   first (CSS order), so a result drawn beside its controls on a wide screen stays on screen above
#   them while a learner moves the sliders under it. The frosted backdrop hides
#   what scrolls beneath without naming a colour, so it suits the light and the dark theme.
STYLE = """<style>
.katex-display { overflow-x: auto; overflow-y: hidden; max-width: 100%; padding: 0.1rem 0; }
[data-testid="stMarkdownContainer"] table { display: block; overflow-x: auto; max-width: 100%; }
.katex-display, [data-testid="stMarkdownContainer"] table {
  scrollbar-width: thin; scrollbar-color: rgba(128, 128, 128, 0.6) transparent; }
[data-testid="stLayoutWrapper"]:has(> [class*="st-key-pinned_"]) { position: sticky; top: 3.75rem; z-index: 3;
  backdrop-filter: blur(10px); -webkit-backdrop-filter: blur(10px); }
@media (max-width: 640px) {
  [data-testid="stColumn"]:has([class*="st-key-pincolumn_"]) { order: -1; position: sticky; top: 3.75rem; z-index: 3;
    backdrop-filter: blur(10px); -webkit-backdrop-filter: blur(10px); }
}
</style>"""


def style():
    """The page-wide style (see STYLE); ``header`` adds it, a page without a header calls it."""
    st.html(STYLE)


def pinned(key):
    """A container that stays in view while the page scrolls past it (a result above controls)."""
    return st.container(key=f"pinned_{key}")


def pinned_column(key):
    """A container whose column stays in view on a phone, where columns stack (a chart above its
    sliders); on a wide screen the columns stand side by side and nothing moves."""
    return st.container(key=f"pincolumn_{key}")


def header(title, summary, follows):
    """Title, one sentence of what the page teaches, and the book chapter or video it follows."""
    style()
    st.title(title)
    st.markdown(summary)
    st.caption(f":material/menu_book: Follows {follows}")


def link_notices(controls):
    """Check the link's values before the widgets read them (Streamlit drops or truncates a bad
    bound value silently) and keep a box at the top of the page for the notices, which
    ``toolbar`` fills once the page knows what it used instead."""
    st.session_state["_link_problems"] = state.check_link(controls)
    st.session_state["_link_box"] = st.container()


def toolbar(controls):
    """At the end of a page: the link notices, then Share and Reset to defaults side by side."""
    box = st.session_state.pop("_link_box", None)
    used = state.current_values(controls)
    for control, raw in st.session_state.pop("_link_problems", []):
        value = used.get(control.key)
        if value is not None and not isinstance(value, (np.ndarray, list, tuple)) and str(value) == raw:
            continue          # kept as typed (a text field): the page says what is wrong with it
        (box or st).warning(state.notice(control, raw, value), icon=":material/link_off:")
    _share_and_reset(controls)


@st.fragment
def _share_and_reset(controls):
    """Share (the link is made from the controls' current values each time the popover opens,
    which reruns only this fragment) and Reset to defaults (which reruns the whole page)."""
    with st.container(horizontal=True, gap="small"):
        with st.popover("Share this state", icon=":material/link:", width="content", on_change="rerun",
                        key="share_popover"):
            query = state.share_query(controls, state.current_values(controls))
            link = state.page_url() + (f"?{query}" if query else "")
            st.markdown("Copy this address to open the page with exactly these numbers "
                        "(the address bar holds it too):")
            st.code(link or "(this page's address)", language=None, wrap_lines=True)
        if st.button("Reset to defaults", icon=":material/restart_alt:", on_click=state.reset, args=(controls,),
                     key="reset_defaults", width="content"):
            st.rerun()


def chart(figure, text, about=None):
    """An Altair chart with its text alternative: the chart's description (read out by screen
    readers) and a caption underneath.

    The description is ``about`` (else the description the chart was built with, else ``text``):
    what the chart shows, in words that stay the same while its numbers change; a screen reader then
    reads the numbers in the caption just below. This is for speed: the browser redraws a chart
    whose spec is unchanged in place, swapping in its new rows, while a changed spec (a description
    holding the current numbers is one) rebuilds and recompiles the whole Vega view
    (tests/app/test_redraw_in_place.py)."""
    spec = charts.to_spec(figure)        # fast: see ui/charts.py
    spec["description"] = about or spec.get("description") or text
    st.vega_lite_chart(spec, width="stretch")
    st.caption(text)


def predict_then_check(questions):
    """questions: (question, how to check with the controls, answer) triples."""
    st.subheader("Predict, then check")
    for number, (question, how, answer) in enumerate(questions, start=1):
        st.markdown(f"**{number}. {question}** {how}")
        with st.expander("Check your prediction"):
            st.markdown(answer)
