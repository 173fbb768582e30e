"""The Training page's "Draw a digit" (ui/training_digit.py) under AppTest: the pad itself is a v2
component (an unknown element here, drawn on in tests/e2e/test_digit_browser.py), so the drawing is put
where the page keeps it, and the page's reading is checked against the engine's."""

import numpy as np
from conftest import open_page, texts, train

from nnengine.lessons import digit_image, read_digit
from ui.components.digit_pad import SIZE

PAGE = "app_pages/training.py"
QUERY = {"dataset": "digits", "epochs": "3", "batch_size": "64"}


def hex_rows(bitmap):
    return ["".join("0123456789abcdef"[n] for n in row.reshape(-1, 4).astype(int) @ [8, 4, 2, 1]) for row in bitmap]


def markdown(at):
    return texts(at.markdown)


def test_the_pad_waits_for_a_trained_network_and_its_button_trains_it():
    at = open_page(PAGE, QUERY)
    assert any("has not been trained yet" in i for i in texts(at.info))
    train(at, key="digit_train")
    assert at.session_state["training_run"]["setup"].model.epochs_done == 3
    assert any("Nothing drawn yet" in c for c in texts(at.caption))
    assert not any(m.startswith("The network reads a") for m in markdown(at)) and not at.exception


def test_a_kept_drawing_is_read_by_the_trained_network_as_the_engine_reads_it():
    at = open_page(PAGE, QUERY)
    train(at, key="digit_train")
    bitmap = np.zeros((SIZE, SIZE), dtype=bool)
    bitmap[30:50, 40:160] = True                 # the 7's bar
    for k in range(120):                         # and its stem, down to the left
        bitmap[50 + k, 140 - k // 2: 152 - k // 2] = True
    at.session_state["digit_pad_rows"] = hex_rows(bitmap)
    at.run()
    counts = digit_image(bitmap)
    assert "\n".join(" ".join(f"{v:2d}" for v in row) for row in counts) in [c.value for c in at.code]
    probabilities, hidden = read_digit(at.session_state["training_run"]["setup"].model, counts)
    best = int(np.argmax(probabilities))
    assert f"The network reads a **{best}** (probability {probabilities[best]:.3f})." in markdown(at)
    assert any(f"Hidden layer 1: its {len(hidden[0])} neurons" in c for c in texts(at.caption))
    assert not at.exception


def test_junk_kept_for_the_pad_is_refused_with_a_message():
    at = open_page(PAGE, QUERY)
    train(at, key="digit_train")
    at.session_state["digit_pad_rows"] = ["zz"] * 3
    at.run()
    assert any("could not be read" in w for w in texts(at.warning)) and not at.exception
    assert not any(m.startswith("The network reads a") for m in markdown(at))
