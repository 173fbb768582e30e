"""The digit pad's value as Python receives it (ui/components/digit_pad.py): the bitmap digit_pad.js
sends is decoded pixel for pixel, and anything else is refused with a reason. (AppTest shows a v2
component as an unknown element; the pad's events are tested in Chromium, tests/e2e/test_digit_browser.py.)"""

import numpy as np
import pytest

from ui.components.digit_pad import SIZE, decode_bitmap


def encode(bitmap):
    """As digit_pad.js does: each row as hex digits, 4 pixels each, the leftmost in the highest bit."""
    rows = []
    for row in bitmap:
        nibbles = row.reshape(-1, 4).astype(int) @ np.array([8, 4, 2, 1])
        rows.append("".join("0123456789abcdef"[n] for n in nibbles))
    return {"rows": rows}


def test_a_bitmap_comes_back_pixel_for_pixel():
    bitmap = np.random.RandomState(0).uniform(size=(SIZE, SIZE)) < 0.2
    assert np.array_equal(decode_bitmap(encode(bitmap)), bitmap)
    one = np.zeros((SIZE, SIZE), dtype=bool)
    one[3, 5] = True                                 # row 3, pixel 5: the second hex digit's 4-bit (0100)
    value = encode(one)
    assert value["rows"][3][:2] == "04"
    assert np.argwhere(decode_bitmap(value)).tolist() == [[3, 5]]


BLANK_ROW = "0" * (SIZE // 4)


@pytest.mark.parametrize("value, reason", [
    (None, "rows"), ("<script>", "rows"), ([BLANK_ROW] * SIZE, "rows"), ({}, "rows"),
    ({"rows": [BLANK_ROW] * (SIZE - 1)}, "rows"), ({"rows": [BLANK_ROW] * 10_000}, "rows"),
    ({"rows": "0" * SIZE}, "rows"),
    ({"rows": [BLANK_ROW[:-1]] + [BLANK_ROW] * (SIZE - 1)}, "hex digits"),
    ({"rows": ["g" + BLANK_ROW[1:]] + [BLANK_ROW] * (SIZE - 1)}, "hex digits"),
    ({"rows": ["F" + BLANK_ROW[1:]] + [BLANK_ROW] * (SIZE - 1)}, "hex digits"),
    ({"rows": [0] * SIZE}, "hex digits"), ({"rows": [None] * SIZE}, "hex digits"),
    ({"rows": [[0] * SIZE] * SIZE}, "hex digits"),
])
def test_junk_is_refused_with_a_reason(value, reason):
    with pytest.raises(ValueError, match=reason):
        decode_bitmap(value)


def test_a_blank_pad_decodes_to_no_ink():
    assert not decode_bitmap({"rows": [BLANK_ROW] * SIZE}).any()


def test_the_pad_gives_the_page_a_message_for_junk_and_nothing_before_a_drawing(monkeypatch):
    from types import SimpleNamespace

    from ui.components import digit_pad as module
    sent = {}
    monkeypatch.setattr(module, "_pad", lambda **kwargs: sent.setdefault("result", SimpleNamespace(**sent["value"])))
    for value, bitmap, message in [({}, False, False), ({"bitmap": None}, False, False),
                                   ({"bitmap": {"rows": ["zz"]}}, False, True),
                                   ({"bitmap": {"rows": [BLANK_ROW] * SIZE}}, True, False)]:
        sent.clear()
        sent["value"] = value
        got, problem = module.digit_pad("pad", lambda: None)
        assert (got is not None, problem is not None) == (bitmap, message)
        assert problem is None or "Press Clear" in problem
        if bitmap:
            # Streamlit drops a component's value while it is off the page: the drawing read last is kept.
            sent.clear()
            sent["value"] = {}
            again, problem = module.digit_pad("pad", lambda: None)
            assert again is not None and not again.any() and problem is None
