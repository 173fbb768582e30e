"""A drawn digit becomes an 8x8 image the way the shipped digits were made (nnengine/lessons/digits.py):
crop to the ink, scale to fill 32x32 keeping the aspect, centre, count each 4x4 block; then it is fed
to a network exactly as the training images are."""

import numpy as np
import pytest

import nnengine as nn
from nnengine.lessons import block_counts, digit_image, normalise, read_digit


def test_an_L_filling_the_frame_counts_16_down_its_stem_and_along_its_foot():
    bitmap = np.zeros((32, 32), dtype=bool)
    bitmap[:, 0:4] = True           # the stem: frame columns 0-3, so block column 0, 4x4 = 16 each
    bitmap[30:32, :] = True         # the foot: frame rows 30-31, half of block row 7: 8 each
    counts = digit_image(bitmap)
    expected = np.zeros((8, 8), dtype=int)
    expected[:, 0] = 16
    expected[7, 1:] = 8
    assert np.array_equal(counts, expected)


def test_a_small_drawing_is_scaled_up_to_fill_the_frame():
    # A 16x16 box (its corners inked) doubles: each drawn pixel becomes 2x2 frame pixels.
    bitmap = np.zeros((16, 16), dtype=bool)
    bitmap[0, 0] = bitmap[15, 15] = bitmap[5, 9] = True
    counts = digit_image(bitmap)
    expected = np.zeros((8, 8), dtype=int)
    expected[0, 0] = expected[7, 7] = 4          # frame rows/cols 0-1 and 30-31
    expected[2, 4] = 4                           # drawn (5, 9) -> frame rows 10-11, cols 18-19
    assert np.array_equal(counts, expected)


def test_a_large_drawing_is_scaled_down_and_a_full_box_fills_every_block():
    assert np.array_equal(digit_image(np.ones((192, 192), dtype=bool)), np.full((8, 8), 16))


def test_a_tall_stroke_keeps_its_aspect_and_is_centred_wherever_it_was_drawn():
    canvas = np.zeros((192, 192), dtype=bool)
    canvas[20:180, 150:170] = True              # 160 tall, 20 wide, near the right edge
    # Height fills 32 pixels (factor 0.2); the width becomes 4 pixels, centred: frame columns 14-17,
    # half of block column 3 and half of block column 4.
    expected = np.zeros((8, 8), dtype=int)
    expected[:, 3:5] = 8
    assert np.array_equal(digit_image(canvas), expected)
    moved = np.roll(canvas, (-15, -140), axis=(0, 1))
    assert np.array_equal(digit_image(moved), expected)              # cropped: where it was drawn is gone
    assert np.array_equal(digit_image(canvas.T), expected.T)         # a wide stroke is centred vertically


def test_counts_are_0_to_16_and_add_up_to_the_frames_ink():
    rng = np.random.RandomState(0)
    bitmap = rng.uniform(size=(100, 70)) < 0.3
    frame = normalise(bitmap)
    counts = block_counts(frame)
    assert frame.shape == (32, 32) and counts.min() >= 0 and counts.max() <= 16
    assert counts.sum() == frame.sum()


def test_a_blank_drawing_gives_no_image():
    assert digit_image(np.zeros((192, 192), dtype=bool)) is None
    assert normalise(np.zeros((5, 5))) is None


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="2-D"):
        digit_image(np.ones(10))
    with pytest.raises(ValueError, match="32x32"):
        block_counts(np.ones((16, 16)))
    with pytest.raises(ValueError, match="8x8"):
        read_digit(small_model(), np.ones((4, 4)))


def test_a_drawn_image_is_scaled_exactly_as_the_training_images_were():
    raw, _ = nn.datasets.digits(scale=False, dtype=np.float64)
    scaled, _ = nn.datasets.digits(scale=True, dtype=np.float64)
    assert np.array_equal(nn.datasets.scale_digit_pixels(raw), scaled)
    assert raw.max() == 16 and scaled.max() == 1.0
    # read_digit of a shipped image's counts gives what the model predicts for its training row.
    model = small_model()
    X, _ = nn.datasets.digits()
    for k in (0, 7, 1000):
        probabilities, _ = read_digit(model, raw[k].reshape(8, 8))
        assert np.array_equal(probabilities, model.predict(X[k:k + 1])[0])


def test_read_digit_gives_every_hidden_layers_activations():
    model = small_model()
    counts = np.arange(64).reshape(8, 8) % 17
    probabilities, hidden = read_digit(model, counts)
    assert probabilities.shape == (10,) and probabilities.sum() == pytest.approx(1.0, abs=1e-6)
    assert [h.shape for h in hidden] == [(12,), (6,)]
    first, second = model.dense_layers[:2]
    x = (counts.reshape(1, 64) / 16).astype(np.float32)
    relu1 = np.maximum(0, x @ first.weights + first.biases)
    assert np.allclose(hidden[0], relu1[0], atol=1e-6)
    assert np.allclose(hidden[1], np.maximum(0, relu1 @ second.weights + second.biases)[0], atol=1e-6)


def small_model():
    rng = np.random.RandomState(1)
    layers = [nn.Dense(64, 12, weight_scale=0.5, rng=rng), nn.ReLU(), nn.Dense(12, 6, weight_scale=0.5, rng=rng),
              nn.ReLU(), nn.Dense(6, 10, weight_scale=0.5, rng=rng), nn.Softmax()]
    return nn.Model(layers, loss=nn.CategoricalCrossentropy(), optimizer=nn.Adam())
