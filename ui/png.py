"""Pictures as PNG bytes, written with the standard library: a chart draws a grid of values (a loss surface, a
decision boundary) as one image mark, where a rectangle per cell cost the browser far more on every redraw.

The format: an 8-byte signature, then chunks of length, type, data and the CRC of type and data: IHDR (size and
kind), PLTE (a palette's colours, for indexed pictures), IDAT (the zlib-compressed rows, each led by its filter
byte, 0 for none) and IEND.
"""

import struct
import zlib

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _rows(pixels):
    """The picture's rows, top row first, each led by filter byte 0, compressed."""
    height = pixels.shape[0]
    flat = pixels.reshape(height, -1).astype(np.uint8)
    return zlib.compress(np.hstack([np.zeros((height, 1), np.uint8), flat]).tobytes(), 9)


def palette_png(indices, colours):
    """A PNG of an (h, w) array of palette indices (uint8), top row first: colour type 3, one byte a pixel."""
    height, width = indices.shape
    return (SIGNATURE + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0))
            + _chunk(b"PLTE", bytes(np.asarray(colours, np.uint8).ravel()))
            + _chunk(b"IDAT", _rows(indices)) + _chunk(b"IEND", b""))


def rgba_png(pixels):
    """A PNG of an (h, w, 4) array of red, green, blue and opacity (uint8), top row first: colour type 6."""
    height, width, _ = pixels.shape
    return (SIGNATURE + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + _chunk(b"IDAT", _rows(pixels)) + _chunk(b"IEND", b""))
