"""Neural Network Explorer: page config and navigation. The pages live in app_pages/."""

import streamlit as st

import ui.preload  # noqa: F401  (first: every module imported once, before any page; see there)
from ui import nodelay
from ui.catalog import PAGES, SECTIONS

nodelay.once()          # the server's answers leave at once, not up to 40 ms late (see there)

st.set_page_config(page_title="Neural Network Explorer", page_icon=":material/hub:", layout="wide")

sections = {name: [] for name in SECTIONS}
for info in PAGES:
    sections[info.section].append(
        st.Page(info.path, title=info.title, icon=info.icon, url_path=info.url_path or None,
                default=info.url_path == ""))

st.navigation(sections).run()
