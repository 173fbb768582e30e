"""A digit drawn by hand, made into an 8x8 image the way the shipped digits were made, and read by a
trained network.

The shipped digits (UCI "optdigits", see nnengine/data/README.md) come from scanned forms: each digit
was normalised to a 32x32 bitmap, which was then divided into 64 blocks of 4x4 pixels; an image pixel
is the number of "on" pixels in its block, 0..16. A drawn digit goes the same way:

    bitmap (any size, True = ink)
      -> crop to the ink's box, scale the box to fill a 32x32 frame keeping its aspect, centre it
      -> count the ink in each 4x4 block: an 8x8 image of counts 0..16
      -> scale_digit_pixels (counts / 16), as every training image was scaled
"""

import numpy as np

from ..datasets import scale_digit_pixels
from ..layers import Dense

FRAME = 32        # the normalised bitmap is FRAME x FRAME
BLOCK = 4         # ... counted in BLOCK x BLOCK blocks: an 8 x 8 image
SIDE = FRAME // BLOCK


def ink_box(bitmap):
    """(top, bottom, left, right) of the ink, bottom and right exclusive; None when there is none."""
    bitmap = np.asarray(bitmap, dtype=bool)
    if bitmap.ndim != 2:
        raise ValueError(f"a bitmap is 2-D (rows, columns), got shape {bitmap.shape}")
    rows, cols = np.flatnonzero(bitmap.any(axis=1)), np.flatnonzero(bitmap.any(axis=0))
    if rows.size == 0:
        return None
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def normalise(bitmap):
    """The ink cropped to its box, scaled so the box's longer side fills FRAME pixels (the shorter one
    keeps the aspect), centred in a FRAME x FRAME frame. Returns a (FRAME, FRAME) bool array; None for
    a blank bitmap.

    Scaling is nearest-pixel: a frame pixel is on when the drawn pixel under its centre is on.
    """
    box = ink_box(bitmap)
    if box is None:
        return None
    top, bottom, left, right = box
    ink = np.asarray(bitmap, dtype=bool)[top:bottom, left:right]
    height, width = ink.shape
    factor = FRAME / max(height, width)                       # frame pixels per drawn pixel
    new_h, new_w = max(1, round(height * factor)), max(1, round(width * factor))
    # The drawn pixel under the centre of each frame pixel (i + 0.5) / factor, kept inside the box.
    src_rows = np.minimum(((np.arange(new_h) + 0.5) / factor).astype(int), height - 1)
    src_cols = np.minimum(((np.arange(new_w) + 0.5) / factor).astype(int), width - 1)
    frame = np.zeros((FRAME, FRAME), dtype=bool)
    top, left = (FRAME - new_h) // 2, (FRAME - new_w) // 2      # centred
    frame[top:top + new_h, left:left + new_w] = ink[np.ix_(src_rows, src_cols)]
    return frame


def block_counts(frame):
    """The "on" pixels of each BLOCK x BLOCK block of a (FRAME, FRAME) bitmap: (8, 8) integers 0..16."""
    frame = np.asarray(frame, dtype=bool)
    if frame.shape != (FRAME, FRAME):
        raise ValueError(f"block counts are taken of a {FRAME}x{FRAME} frame, got shape {frame.shape}")
    # Row r of the result sums frame rows 4r..4r+3, column c frame columns 4c..4c+3.
    return frame.reshape(SIDE, BLOCK, SIDE, BLOCK).sum(axis=(1, 3))


def digit_image(bitmap):
    """A drawn bitmap as the shipped digits' 8x8 image of counts 0..16; None when nothing is drawn."""
    frame = normalise(bitmap)
    return None if frame is None else block_counts(frame)


def read_digit(model, counts):
    """What a trained digits network makes of an 8x8 image of counts: (class probabilities (10,),
    [each hidden layer's activations (n_neurons,)]). The image is scaled exactly as the training images
    were (scale_digit_pixels) and passed through the layers as in prediction (dropout off)."""
    counts = np.asarray(counts)
    if counts.shape != (SIDE, SIDE):
        raise ValueError(f"a digit image is {SIDE}x{SIDE}, got shape {counts.shape}")
    inputs = output = scale_digit_pixels(counts).reshape(1, SIDE * SIDE).astype(model.dtype)
    hidden = []
    for layer in model.layers:
        # What enters every Dense layer after the first is a hidden layer's output.
        if isinstance(layer, Dense) and output is not inputs:
            hidden.append(output[0])
        output = layer.forward(output, training=False)
    return output[0], hidden
