#!/usr/bin/env python3
"""Draws the web authenticator's PNG icons (192 and 512 px) like icon.svg: a white ring and a "T"
on Tandem blue, full bleed so the 512 px one also works as a maskable icon. Pure Python (zlib), no
imaging library: `python3 scripts/make-authenticator-icons.py` rewrites both files."""

import struct
import zlib
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[1] / "Sources" / "TandemServer" / "Authenticator"
BLUE = (0x00, 0x67, 0xB8)
WHITE = (0xFF, 0xFF, 0xFF)


def pixel(x, y):
    """The colour at (x, y) in the 512-unit square of icon.svg, with 4x4 supersampling."""
    hits = 0
    for i in range(4):
        for j in range(4):
            u, v = x + (i + 0.5) / 4, y + (j + 0.5) / 4
            d = ((u - 256) ** 2 + (v - 256) ** 2) ** 0.5
            ring = 132 <= d <= 168
            bar = 176 <= u <= 336 and 200 <= v <= 234
            stem = 239 <= u <= 273 and 200 <= v <= 332
            hits += ring or bar or stem
    t = hits / 16
    return tuple(round(b + (w - b) * t) for b, w in zip(BLUE, WHITE))


def png(size):
    scale = 512 / size
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            row.extend(pixel(x * scale, y * scale))
        rows.append(bytes(row))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    for size in (192, 512):
        (FOLDER / f"icon-{size}.png").write_bytes(png(size))
        print(f"wrote icon-{size}.png")
