"""Frame-selection expressions: ``"0-100,200-300"``, ``"3"``, ``"1,3-5"``.

Ranges are inclusive, as in the reference. Unlike the reference, mixed lists work. A token
``"-N"`` right after a single index ``a`` means ``a..N`` (the reference reads ``"1,-200"`` as
``1..200``); a token ``"a-"`` means from ``a`` to the end of the video.
"""

from __future__ import annotations

import re

from pose_domain.errors import FrameSelectionError

_TOKEN = re.compile(r"^\s*(\d*)\s*(-?)\s*(\d*)\s*$")

#: Marker for an open range end (``"a-"``); resolved by :func:`clip_frames`.
OPEN_END = -1


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


def _parse_ranges(spec: str) -> list[tuple[int, int]]:
    hint = "use indices and inclusive ranges such as 0-100,200-300 or 1,3-5"
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
            ranges.append((int(a), int(a)))
        elif a and dash and b:
            lo, hi = int(a), int(b)
            if hi < lo:
                raise FrameSelectionError(
                    f"--frames: range '{raw.strip()}' ends before it starts", hint=hint
                )
            ranges.append((lo, hi))
        elif a and dash:
            ranges.append((int(a), OPEN_END))
        else:  # "-b": continues the previous single index (reference: "1,-200" = 1..200)
            if not ranges or ranges[-1][0] != ranges[-1][1]:
                raise FrameSelectionError(
                    f"--frames: '{raw.strip()}' has no start (negative indices are not allowed)",
                    hint=hint,
                )
            start = ranges.pop()[0]
            if int(b) < start:
                raise FrameSelectionError(f"--frames: range ends before it starts in '{spec}'")
            ranges.append((start, int(b)))
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
    selected: set[int] = set()
    for a, b in _parse_ranges(str(spec)):
        hi = n_frames - 1 if b == OPEN_END else b
        selected.update(range(a, hi + 1))
    inside = sorted(i for i in selected if 0 <= i < n_frames)
    outside = sorted(i for i in selected if i >= n_frames)
    if not inside:
        raise FrameSelectionError(
            f"--frames '{spec}' selects no frame of a video with {n_frames} frames",
            hint=f"valid indices are 0-{n_frames - 1}",
        )
    return inside, outside
