"""The parts every page shares: the header, the link notices, the share-and-reset toolbar,
charts with their text alternative, and the "predict, then check" questions."""

import streamlit as st

from ui import charts, state


def header(title, summary, follows):
    """Title, one sentence of what the page teaches, and the book chapter or video it follows."""
    st.title(title)
    st.markdown(summary)
    st.caption(f":material/menu_book: Follows {follows}")


def link_notices(controls):
    """Check the link's values before the widgets read them (Streamlit drops or truncates a bad
    bound value silently). Returns a function to call with the values the page ended up using:
    it fills a box at the top of the page with one notice per replaced value."""
    problems = state.check_link(controls)
    box = st.container()

    def show(values):
        for control, raw in problems:
            box.warning(state.notice(control, raw, values.get(control.key)), icon=":material/link_off:")

    return show


def toolbar(controls, values):
    """Share link and Reset to defaults, side by side."""
    row = st.container(horizontal=True, gap="small")
    with row.popover("Share this state", icon=":material/link:", width="content"):
        query = state.share_query(controls, values)
        link = state.page_url() + (f"?{query}" if query else "")
        st.markdown("Copy this address to open the page with exactly these numbers "
                    "(the address bar holds it too):")
        st.code(link or "(this page's address)", language=None, wrap_lines=True)
    row.button("Reset to defaults", icon=":material/restart_alt:", on_click=state.reset,
               args=(controls,), key="reset_defaults", width="content")


def chart(figure, text):
    """An Altair chart with its text alternative: the chart's description (read out by screen
    readers) and a caption underneath."""
    spec = charts.to_spec(figure)        # fast: see ui/charts.py
    spec["description"] = text
    st.vega_lite_chart(spec, width="stretch")
    st.caption(text)


def predict_then_check(questions):
    """questions: (question, how to check with the controls, answer) triples."""
    st.subheader("Predict, then check")
    for number, (question, how, answer) in enumerate(questions, start=1):
        st.markdown(f"**{number}. {question}** {how}")
        with st.expander("Check your prediction"):
            st.markdown(answer)
