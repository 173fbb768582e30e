"""Pictures as PNG bytes, written with the standard library: a chart draws a grid of values (a loss surface, a
decision boundary) as one image mark, where a rectangle per cell cost the browser far more on every redraw.

The format: an 8-byte signature, then chunks of length, type, data and the CRC of type and data: IHDR (size and
kind), PLTE (a palette's colours, for indexed pictures), IDAT (the zlib-compressed rows, each led by its filter
byte, 0 for none) and IEND.
"""

import base64
import struct
import zlib

import numpy as np
import pyarrow as pa

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


def placed(png, x0, x1, y0, y1):
    """Where a chart draws a picture (an image mark from x0 to x1 and y0 to y1): an Arrow table of one row
    with those edges and the PNG as a data URL."""
    return pa.table({"x0": [float(x0)], "x1": [float(x1)], "y0": [float(y0)], "y1": [float(y1)],
                     "url": ["data:image/png;base64," + base64.b64encode(png).decode()]})
