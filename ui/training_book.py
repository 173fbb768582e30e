"""Beside a book chapter's run on the Training page: the numbers the book's code prints
(nnengine.book.PRINTED) and the page's own, and in one sentence why they differ where they do."""

import pandas as pd
import streamlit as st

from nnengine import book
from ui import training

# Why the page's numbers are, or are not, the book's (tests/app/test_claims_training.py runs each
# chapter's preset to its last epoch and checks the sentence against the numbers).
WHY = {
    10: "The page does the book's arithmetic (products in float64, stored as float32, as the book's nnfs.init() "
        "makes numpy do) and draws every random number in the book's order, so its numbers are the book's to "
        "every printed digit.",
    14: "The page does the book's arithmetic (products in float64, stored as float32, as the book's nnfs.init() "
        "makes numpy do) and draws every random number in the book's order, so its numbers are the book's to "
        "every printed digit.",
    15: "The book draws its validation set after training, from the same stream as its 10,001 dropout masks; a "
        "live validation curve needs the points before training, so the page draws them from a stream of its "
        "own: the same training data, weights and masks, but other validation points (and the book's masks are "
        "float64 where the page's are float32, so the training numbers can differ a little too).",
    16: "The page does the book's arithmetic and draws in the book's order, so its numbers are the book's to every "
        "printed digit. (They part further down: the book's code divides its integer labels by float32 "
        "predictions, which makes some of its gradients float64, where the page keeps float32.)",
    17: "The book's sine data is float64 where the page's is float32, so the page's numbers can differ from the "
        "book's in their last digits.",
}


def comparison_rows(chapter, setup):
    """The book's printed numbers and the page's (to the book's printed digits), one row per number."""
    printed = book.PRINTED.get(chapter)
    records = setup.model.history.records
    if printed is None or not records:
        return []
    last = records[-1]
    scores = setup.model.evaluate(setup.X_val, setup.y_val)      # after the last update, as the book does
    pairs = [("training accuracy", printed.accuracy, last["accuracy"]), ("training loss", printed.loss, last["loss"])]
    if printed.data_loss is not None:
        pairs += [("data loss", printed.data_loss, last["data_loss"]), ("penalty", printed.reg_loss, last["reg_loss"])]
    if printed.val_accuracy is not None:
        pairs += [("validation accuracy", printed.val_accuracy, scores["accuracy"]),
                  ("validation loss", printed.val_loss, scores["loss"])]
    return [{"": name, "the book's code prints": f"{book_value:.3f}", "this page": f"{page_value:.3f}"}
            for name, book_value, page_value in pairs]


def book_view(settings, setup, live=False):
    """For a run with a book chapter's settings: the book's numbers beside the page's, and why they differ
    (the page's once it stops: while a thread trains the model, only the thread may run it)."""
    chapter = training.book_chapter(settings)
    if chapter is None:
        return
    rows = [] if live else comparison_rows(chapter, setup)
    done, total = setup.model.epochs_done, settings.epochs
    with st.expander(f"The book's numbers for chapter {chapter}", icon=":material/menu_book:",
                     expanded=done >= total):
        if book.PRINTED.get(chapter) is None:
            st.caption(f"The numbers chapter {chapter}'s code prints are not recorded in nnengine/book.py yet. "
                       + WHY[chapter])
            return
        if not rows:
            printed = book.PRINTED[chapter]
            st.code("\n".join(line for line in (printed.epoch_line, printed.validation_line) if line),
                    language=None, wrap_lines=True)
            st.caption(f"What the book's code prints after its last epoch. Train all {total:,} epochs (to epoch "
                       f"{total - 1:,}) and the page's own numbers appear beside them. " + WHY[chapter])
            return
        st.table(pd.DataFrame(rows).set_index(""))
        if done < total:
            st.caption(f"The page's numbers are after {done:,} of the {total:,} epochs; the book's after all of them.")
        st.caption(WHY[chapter])
