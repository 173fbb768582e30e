"""The walk's batch views: a few samples' gradients and their mean against one backward pass over
the batch, and the whole batch of the book's chapter 9 beside what the book's code prints."""

import numpy as np
import streamlit as st

from nnengine.lessons import walk as lesson
from ui import widgets
from ui.walk_chart import short

MOST_SHOWN = 9            # entries of a gradient the batch table shows


def spread(index, size, n):
    """The walked sample and size - 1 more, evenly spaced through the data (so, on the spiral, from
    other classes too)."""
    return [(index + j * (n // size)) % n for j in range(size)]


def batch_view(w, X, y, model, tag):
    from ui.backprop_walk import BATCH, memo

    st.markdown("**A batch.** A batch's loss is the mean of its samples' losses, so its gradient is the mean of "
                "their gradients: one backward pass over the batch (dividing by its size) gives the same numbers.")
    cols = st.columns(2)
    with cols[0]:
        size = widgets.number(BATCH, 1, help="This sample and the next ones, evenly spaced through the data.")
    indices = spread(w.index, size, len(X))
    result = memo((tag, tuple(indices), "batch"), lambda: lesson.batch_gradients(model, X, y, indices))
    with cols[1]:
        name = st.selectbox("Gradient of", result.names, index=len(result.names) - 1, key="walk_param")
    k = result.names.index(name)
    shown = min(result.batch[k].size, MOST_SHOWN)
    rows = [(f"sample {i}", g[k].ravel()) for i, g in zip(indices, result.per_sample)]
    mean = np.mean([g[k] for g in result.per_sample], axis=0).ravel()
    rows += [("**mean of the samples**", mean), ("**one pass over the batch**", result.batch[k].ravel())]
    shape = result.batch[k].shape
    columns = [f"[{i},{j}]" for i in range(shape[0]) for j in range(shape[1])][:shown]
    lines = ["| | " + " | ".join(columns) + " |", "|---" * (shown + 1) + "|"]
    lines += [f"| {name} | " + " | ".join(short(v) for v in values[:shown]) + " |" for name, values in rows]
    st.markdown("\n".join(lines))
    if shown < result.batch[k].size:
        st.caption(f"The first {shown} of its {result.batch[k].size} entries.")
    gap = float(np.abs(mean - result.batch[k].ravel()).max())
    st.caption(f"Samples {', '.join(map(str, indices))}: the mean of their {name} gradients and one backward pass "
               f"over the batch differ by at most {gap:.1e} (float64 rounding).")


@st.cache_data(show_spinner=False)
def chapter_9():
    return lesson.chapter_9_batch(), lesson.chapter_9_float64()


def chapter_9_view():
    ours, exact = chapter_9()
    printed = lesson.CHAPTER_9_PRINTED
    st.markdown("**The book's whole batch.** Chapter 9 runs its untrained 2-3-3 network on all 300 spiral samples "
                "in float32, backward once, and prints the four gradients. nnengine, with the same seed and order, "
                "in float32 with each matrix product multiplied in float64 first as the book's nnfs.init() makes "
                "np.dot do (Dense(book_precision=True)):")
    names = ("dweights 1", "dbiases 1", "dweights 2", "dbiases 2")
    lines = ["| gradient | entry | the book prints | nnengine (float32) | nnengine (float64) |",
             "|---|---|---|---|---|"]
    same = total = 0
    for name in names:
        book = np.asarray(printed[name], dtype=np.float32)
        for position, (b, o, e) in enumerate(zip(book.ravel(), ours[name].ravel(), exact[name].ravel())):
            same += int(b == o)
            total += 1
            lines.append(f"| {name} | {position} | {b:.8g} | {o:.8g} | {e:.8g} |")
    with st.expander(f"The {total} gradient numbers side by side", icon=":material/table:"):
        st.markdown("\n".join(lines))
    book = np.concatenate([np.asarray(printed[n], dtype=np.float32).ravel() for n in names])
    mine = np.concatenate([ours[n].ravel() for n in names])
    far = np.concatenate([exact[n].ravel() for n in names])
    digits = int(np.floor(-np.log10(np.max(np.abs(mine - book) / np.abs(book))))) if same < total else None
    agree = (f"All {total} gradient numbers the book prints are identical to nnengine's float32 ones" if same == total
             else f"Of the {total} gradient numbers the book prints, {same} are identical to nnengine's float32 ones "
                  f"and the rest agree to {digits} significant digits")
    worst = int(np.argmax(np.abs(far - book) / np.abs(far)))
    where = [(n, p) for n in names for p in range(np.size(printed[n]))][worst]
    loss_same = np.float32(ours["loss"]) == np.float32(printed["loss"]) and ours["accuracy"] == printed["accuracy"]
    st.caption(f"{agree}. The book's loss {printed['loss']} and accuracy "
               f"{printed['accuracy']}: nnengine gives {str(np.float32(ours['loss']))} and {ours['accuracy']}"
               f"{' (the same)' if loss_same else ''}. In float64 the same weights give slightly different numbers: "
               f"the largest relative difference is {np.abs(far[worst] - book[worst]) / abs(far[worst]):.1e}, "
               f"in {where[0]} entry {where[1]}: a sum over 300 samples whose terms nearly cancel, where float32 "
               "keeps only about 7 digits of each.")
