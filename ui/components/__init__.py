"""Streamlit v2 components (inline, no iframe): each a small Python module that registers it, with its
JS and CSS in files beside it. See ../../../shared/DESIGN.md, "Touching the network"."""
