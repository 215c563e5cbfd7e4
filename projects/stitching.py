"""Compressed answers stitched from pieces compressed ahead of time.

A signed-in reader's page is mostly parts kept for everyone (``page_cache.shell``) inside a
frame of their own, itself kept for them. Compressing the whole page on every request
costs time in proportion to its size (2.5 ms for an agenda page of 250 KB); compressing
what is kept once, when it is kept, does not.

Deflate allows it: a piece compressed on its own and flushed to a byte boundary (a sync
flush) is a run of complete blocks, which may follow any other such run, since none of
its back-references reach outside it. The answer is one stream in the zlib format (HTTP's
``Content-Encoding: deflate``), whose checksum, Adler-32, is combined from each piece's
own without reading the piece again (gzip's CRC-32 would need its bytes).

What holds the reader's CSRF token is kept as a ``Chain``, compressed around holes where
the token goes in as a stored block: no back-reference from what others wrote or what the
reader asked for reaches it (BREACH needs them in one compression window). The answer is
padded by a random length besides, as Django's GZipMiddleware pads its answers.
"""

from __future__ import annotations

import secrets
import zlib
from typing import NamedTuple

_LEVEL = 6
_BASE = 65521  # Adler-32's modulus
# The zlib format's header for deflate with a 32 KB window (RFC 1950), as zlib writes it.
_HEADER = zlib.compress(b"")[:2]
# An empty final block: the end of the stream.
_END = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15).flush()
# An empty stored block, which a sync flush of nothing writes: padding that holds no data.
_PAD = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15).flush(zlib.Z_SYNC_FLUSH)
MAX_PADS = 20


class Piece(NamedTuple):
    """A stretch of an answer compressed on its own: its deflate blocks, ending on a byte
    boundary, and its bytes' Adler-32 and length."""

    blocks: bytes
    adler: int
    length: int


def piece(data: bytes) -> Piece:
    """``data`` compressed to stand anywhere in a stitched stream."""
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
    blocks = compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return Piece(blocks, zlib.adler32(data), len(data))


def unpacked(piece: Piece) -> bytes:
    """What ``piece`` holds."""
    return zlib.decompressobj(-15).decompress(piece.blocks)


# What stands in a hole while a chain is compressed: a byte no page holds, so nothing after
# a hole can be compressed as a reference into it.
_STAND_IN = b"\x00"


class Chain(NamedTuple):
    """Stretches compressed ahead of time as one stream, around holes of one length between
    them that are filled when it is sent (a form's CSRF token): what follows a hole may
    refer back past it, as in a stream compressed whole, but never into it. ``blocks``,
    ``adlers`` and ``lengths`` are each stretch's, ``hole`` the holes' length."""

    blocks: tuple[bytes, ...]
    adlers: tuple[int, ...]
    lengths: tuple[int, ...]
    hole: int

    def filled(self, data: bytes) -> list[Piece] | None:
        """The chain as pieces, ``data`` in each hole as a stored block (compressed against
        nothing, and nothing against it); None when ``data`` does not fit the holes."""
        if len(data) != self.hole:
            return None
        header = (
            b"\x00" + len(data).to_bytes(2, "little") + (len(data) ^ 0xFFFF).to_bytes(2, "little")
        )
        stored = Piece(header + data, zlib.adler32(data), len(data))
        pieces = []
        for number, stretch in enumerate(zip(self.blocks, self.adlers, self.lengths, strict=True)):
            pieces += [stored, Piece(*stretch)] if number else [Piece(*stretch)]
        return pieces


def chain(stretches: list[bytes], hole: int) -> Chain | None:
    """``stretches`` compressed as one stream with a hole of ``hole`` bytes between each two.
    The compressor sees a run of the stand-in byte in each hole, and its blocks for it are
    never sent; as no stretch holds that byte, no reference reaches into a hole. None when
    one does (no page does), or a hole is longer than a stored block holds."""
    if hole > 0xFFFF or any(_STAND_IN in stretch for stretch in stretches):
        return None
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
    blocks = []
    for number, stretch in enumerate(stretches):
        if number:
            compressor.compress(_STAND_IN * hole)
            compressor.flush(zlib.Z_SYNC_FLUSH)
        blocks.append(compressor.compress(stretch) + compressor.flush(zlib.Z_SYNC_FLUSH))
    return Chain(
        tuple(blocks),
        tuple(zlib.adler32(stretch) for stretch in stretches),
        tuple(len(stretch) for stretch in stretches),
        hole,
    )


def combined(first: int, second: int, length: int) -> int:
    """The Adler-32 of two stretches one after the other, from each one's and the second's
    length (zlib's adler32_combine)."""
    remainder = length % _BASE
    low = first & 0xFFFF
    high = (remainder * low) % _BASE
    low = (low + (second & 0xFFFF) + _BASE - 1) % _BASE
    high = (high + (first >> 16) + (second >> 16) + _BASE - remainder) % _BASE
    return (high << 16) | low


def stitched(stretches: list[bytes | Piece], *, padded: bool = True) -> bytes:
    """One zlib stream of ``stretches`` in order: bytes are compressed here, pieces go in
    as they were compressed; with ``padded``, a random number of empty blocks after the
    first stretch."""
    blocks, adler = [_HEADER], 1  # the Adler-32 of nothing
    for number, stretch in enumerate(stretches):
        if isinstance(stretch, bytes):
            stretch = piece(stretch)
        blocks.append(stretch.blocks)
        if padded and number == 0:
            blocks.append(_PAD * secrets.randbelow(MAX_PADS + 1))
        adler = combined(adler, stretch.adler, stretch.length)
    blocks += [_END, adler.to_bytes(4, "big")]
    return b"".join(blocks)
