"""Home: what the app is, the map of the pages, and a picture of a small network."""

import streamlit as st

from ui import charts, layout
from ui.catalog import PAGES, SECTIONS

layout.style()
st.title("Neural Network Explorer")
st.markdown(
    "Learn how a neural network works by moving its numbers and watching the math happen: "
    "from one neuron to a layer, to batches of data. Every number on every page is computed "
    "by **nnengine**, a small engine written from scratch in numpy for you to read, and every "
    "page can show you the engine code that produced its numbers.")

left, right = st.columns([3, 2], gap="large")
with right:
    sizes = [2, 4, 4, 2]
    layout.chart(
        charts.network_chart(sizes, layer_names=["inputs", "hidden 1", "hidden 2", "outputs"],
                             description="2 inputs, two hidden layers of 4 neurons, 2 outputs."),
        "A small network: 2 inputs feed a hidden layer of 4 neurons, which feeds a second hidden "
        "layer of 4, which feeds 2 outputs. Every line is one weight; every neuron also has a bias.")
with left:
    st.subheader("Where to start")
    st.markdown(
        "Take the pages in order. Each one starts with the numbers from the *Neural Networks from "
        "Scratch* series, so what you see matches the book and the videos, then lets you change "
        "them. Look for **Predict, then check** at the end of each page, and **Show the code** "
        "to see exactly what ran.")
    for section in SECTIONS:
        pages = [p for p in PAGES if p.section == section and p.url_path]
        if not pages:
            continue
        st.markdown(f"#### {section}")
        for info in pages:
            with st.container(border=True):
                # The question goes under the link: a link's label is one line and is cut off on a phone.
                st.page_link(info.path, label=f"**{info.title}**", icon=info.icon)
                st.markdown(info.question)
                st.caption(info.teaches)

st.divider()
st.markdown(
    "**Credits.** The course follows *Neural Networks from Scratch in Python* by Harrison Kinsley "
    "and Daniel Kukieła (book and video series, nnfs.io); the examples use its numbers, the words "
    "and code here are our own. The handwritten digits are the UCI *Optical Recognition of "
    "Handwritten Digits* data by E. Alpaydin and C. Kaynak (1998), licensed CC BY 4.0.")
