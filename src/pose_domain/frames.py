"""Frame-selection expressions: ``"0-100,200-300"``, ``"3"``, ``"1,3-5"``.

Ranges are inclusive, as in the reference. Unlike the reference, mixed lists work. A token
``"-N"`` right after a single index ``a`` means ``a..N`` (the reference reads ``"1,-200"`` as
``1..200``); a token ``"a-"`` means from ``a`` to the end of the video.
"""

from __future__ import annotations

import re

from pose_domain.errors import FrameSelectionError

_TOKEN = re.compile(r"^\s*(\d*)\s*(-?)\s*(\d*)\s*$", re.ASCII)

#: Marker for an open range end (``"a-"``); resolved by :func:`clip_frames`.
OPEN_END = -1

#: Most frames one expression may name (bounds memory: ``"0-99999999999"`` is refused).
MAX_SELECTED = 10_000_000
_MAX_DIGITS = 12
_HINT = "use indices and inclusive ranges such as 0-100,200-300 or 1,3-5"


def parse_frames(spec: str | None) -> list[int] | None:
    """Parse a ``--frames`` expression into sorted unique indices; ``""``/None → None (all).

    An open range ``"a-"`` is returned as ``[a, OPEN_END]`` pairs resolved by
    :func:`clip_frames`; use :func:`resolve_frames` when the frame count is known.

    Raises:
        FrameSelectionError: malformed expression (with the accepted forms in the hint).
    """
    if spec is None or not str(spec).strip():
        return None
    ranges = _parse_ranges(str(spec))
    out: set[int] = set()
    for a, b in ranges:
        if b == OPEN_END:
            out.add(a)
            out.add(OPEN_END)
        else:
            out.update(range(a, b + 1))
    return sorted(out)


def frame_ranges(spec: str | None) -> list[tuple[int, int]] | None:
    """Validate a ``--frames`` expression without expanding it.

    Returns:
        The inclusive ``(first, last)`` ranges in the order written (``last`` is
        :data:`OPEN_END` for ``"a-"``), or None for ``""``/None (all frames).

    Raises:
        FrameSelectionError: malformed expression, or one naming more than
            :data:`MAX_SELECTED` frames.
    """
    if spec is None or not str(spec).strip():
        return None
    return _parse_ranges(str(spec))


def _index(digits: str, raw: str) -> int:
    if len(digits) > _MAX_DIGITS:
        raise FrameSelectionError(f"--frames: index in '{raw.strip()}' is too large", hint=_HINT)
    return int(digits)


def _parse_ranges(spec: str) -> list[tuple[int, int]]:
    ranges = _parse_tokens(spec)
    total = sum(b - a + 1 for a, b in ranges if b != OPEN_END)
    if total > MAX_SELECTED:
        raise FrameSelectionError(
            f"--frames '{spec}' names {total} frames, more than {MAX_SELECTED}",
            hint="write 'a-' to select from frame a to the end of the video",
        )
    return ranges


def _parse_tokens(spec: str) -> list[tuple[int, int]]:
    hint = _HINT
    tokens = [t for t in spec.split(",")]
    ranges: list[tuple[int, int]] = []
    for raw in tokens:
        if not raw.strip():
            continue
        m = _TOKEN.match(raw)
        if not m or (not m.group(1) and not m.group(3)):
            raise FrameSelectionError(
                f"--frames: cannot read '{raw.strip()}' in '{spec}'", hint=hint
            )
        a, dash, b = m.group(1), m.group(2), m.group(3)
        if a and not dash:
            if b:
                raise FrameSelectionError(f"--frames: cannot read '{raw.strip()}'", hint=hint)
            ranges.append((_index(a, raw), _index(a, raw)))
        elif a and dash and b:
            lo, hi = _index(a, raw), _index(b, raw)
            if hi < lo:
                raise FrameSelectionError(
                    f"--frames: range '{raw.strip()}' ends before it starts", hint=hint
                )
            ranges.append((lo, hi))
        elif a and dash:
            ranges.append((_index(a, raw), OPEN_END))
        else:  # "-b": continues the previous single index (reference: "1,-200" = 1..200)
            if not ranges or ranges[-1][0] != ranges[-1][1]:
                raise FrameSelectionError(
                    f"--frames: '{raw.strip()}' has no start (negative indices are not allowed)",
                    hint=hint,
                )
            start = ranges.pop()[0]
            end = _index(b, raw)
            if end < start:
                raise FrameSelectionError(f"--frames: range ends before it starts in '{spec}'",
                                          hint=hint)
            ranges.append((start, end))
    if not ranges:
        raise FrameSelectionError(f"--frames: '{spec}' selects nothing", hint=hint)
    return ranges


def resolve_frames(spec: str | None, n_frames: int) -> tuple[list[int], list[int]]:
    """Frames of ``spec`` inside ``0..n_frames-1`` and those outside (to warn about).

    Raises:
        FrameSelectionError: when no selected frame is inside the video.
    """
    if spec is None or not str(spec).strip():
        return list(range(n_frames)), []
    inside_set: set[int] = set()
    outside_set: set[int] = set()
    for a, b in _parse_ranges(str(spec)):
        hi = n_frames - 1 if b == OPEN_END else b
        inside_set.update(range(max(a, 0), min(hi, n_frames - 1) + 1))
        outside_set.update(range(max(a, n_frames), hi + 1))
    inside = sorted(inside_set)
    outside = sorted(outside_set)
    if not inside:
        raise FrameSelectionError(
            f"--frames '{spec}' selects no frame of a video with {n_frames} frames",
            hint=f"valid indices are 0-{n_frames - 1}",
        )
    return inside, outside
