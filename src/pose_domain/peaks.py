"""Peak sets: the confidence-map maxima a network's outputs reduce to."""

from __future__ import annotations

import attrs
import numpy as np

from pose_domain.defaults import DEFAULT_PATCH_SIZE


def _ro(value: object, dtype: type) -> np.ndarray:
    arr: np.ndarray = np.array(value, dtype=dtype, copy=True)
    arr.setflags(write=False)
    return arr


def _ro_f64(value: object) -> np.ndarray:
    return _ro(value, np.float64)


def _ro_i64(value: object) -> np.ndarray:
    return _ro(value, np.int64)


@attrs.frozen(eq=False)
class PeakSet:
    """Peaks found in a batch of confidence maps, in the order they were found.

    Attributes:
        points: ``(n_peaks, 2)`` float64 ``(x, y)`` in map (grid) or pixel units.
        values: ``(n_peaks,)`` float64 confidence at the peak (the raw grid maximum).
        samples: ``(n_peaks,)`` int64 sample (batch item) index.
        channels: ``(n_peaks,)`` int64 channel (node) index.
    """

    points: np.ndarray = attrs.field(converter=_ro_f64)
    values: np.ndarray = attrs.field(converter=_ro_f64)
    samples: np.ndarray = attrs.field(converter=_ro_i64)
    channels: np.ndarray = attrs.field(converter=_ro_i64)

    def __attrs_post_init__(self) -> None:
        n = len(self.values)
        if self.points.shape != (n, 2) or len(self.samples) != n or len(self.channels) != n:
            raise ValueError("PeakSet arrays disagree in length")

    @classmethod
    def empty(cls) -> PeakSet:
        return cls(np.zeros((0, 2)), np.zeros(0), np.zeros(0), np.zeros(0))

    def __len__(self) -> int:
        return len(self.values)

    def select(self, mask: np.ndarray) -> PeakSet:
        return PeakSet(
            self.points[mask], self.values[mask], self.samples[mask], self.channels[mask]
        )

    def for_sample(self, sample: int) -> PeakSet:
        return self.select(self.samples == sample)

    def scaled(self, factor: float) -> PeakSet:
        return PeakSet(self.points * factor, self.values, self.samples, self.channels)


# --- peak finding ---------------------------------------------------------------------------
#
# Conventions (sleap-nn 0.3.5 parity, ADR-0020):
# * coordinates are ``(x, y)`` = (column, row) in GRID units (confmap cells), no +0.5 shift;
# * comparisons with the threshold happen in the maps' dtype (float32 maps compare against
#   ``float32(threshold)``, as torch does with a Python scalar);
# * integral refinement runs in the maps' dtype too and is returned as float64.

_FloatMaps = np.ndarray


def _check_maps(cms: np.ndarray) -> np.ndarray:
    arr = np.asarray(cms)
    if arr.ndim != 4:
        raise ValueError(f"confidence maps must have shape (B, C, H, W), got {arr.shape}")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float32)
    return arr


def _patch_offsets(
    cms: np.ndarray,
    samples: np.ndarray,
    channels: np.ndarray,
    anchors: np.ndarray,
    patch_size: int,
) -> np.ndarray:
    """Integral (centre-of-mass) offsets of ``patch_size`` patches around integer anchors.

    Args:
        cms: ``(B, C, H, W)`` float maps.
        samples: ``(n,)`` int sample index per patch.
        channels: ``(n,)`` int channel index per patch.
        anchors: ``(n, 2)`` int ``(x, y)`` anchor; the patch covers
            ``anchor - k//2 .. anchor - k//2 + k - 1`` on each axis (out-of-map pixels read 0).
        patch_size: ``k``.

    Returns:
        ``(n, 2)`` offsets ``(dx, dy)`` in the maps' dtype, computed with the grid
        ``arange(k) - (k - 1)/2`` (so an even ``k`` biases by +0.5, as the reference). NaN or
        inf where the patch sums to 0.
    """
    k = int(patch_size)
    n = len(samples)
    dtype = cms.dtype
    if n == 0:
        return np.zeros((0, 2), dtype=dtype)
    _, _, h, w = cms.shape
    steps = np.arange(k) - k // 2
    cols = anchors[:, 0:1] + steps  # (n, k)
    rows = anchors[:, 1:2] + steps  # (n, k)
    col_ok = (cols >= 0) & (cols < w)
    row_ok = (rows >= 0) & (rows < h)
    patch = cms[
        samples[:, None, None],
        channels[:, None, None],
        np.clip(rows, 0, h - 1)[:, :, None],
        np.clip(cols, 0, w - 1)[:, None, :],
    ]  # (n, k, k) rows × cols
    patch = np.where(row_ok[:, :, None] & col_ok[:, None, :], patch, dtype.type(0))
    grid = (np.arange(k, dtype=dtype) - dtype.type((k - 1) / 2)).astype(dtype)
    total = patch.sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        dx = (patch * grid[None, None, :]).sum(axis=(1, 2)) / total
        dy = (patch * grid[None, :, None]).sum(axis=(1, 2)) / total
    return np.stack([dx, dy], axis=1)


def refine_integral(
    cms: np.ndarray,
    samples: np.ndarray,
    channels: np.ndarray,
    rough: np.ndarray,
    patch_size: int = DEFAULT_PATCH_SIZE,
) -> np.ndarray:
    """Sub-pixel refinement of rough peaks by the centre of mass of a small patch.

    The patch is anchored at ``floor(p)`` (a plateau's fractional rough peak is floored to the
    pixel grid, as the reference does); the refined peak is that anchor plus the
    centre-of-mass offset, i.e. ``p + offset`` for integer peaks. Negative map values take
    part in both sums; an even ``k`` biases the offset by +0.5.

    Args:
        cms: ``(B, C, H, W)`` float maps.
        samples: ``(n,)`` int sample per peak.
        channels: ``(n,)`` int channel per peak.
        rough: ``(n, 2)`` float ``(x, y)`` rough peaks in grid units (finite).
        patch_size: Patch side ``k`` (default 5).

    Returns:
        ``(n, 2)`` float64 refined ``(x, y)`` in grid units; NaN where the patch sums to 0.
    """
    cms = _check_maps(cms)
    rough = np.asarray(rough, dtype=cms.dtype).reshape(-1, 2)
    k = int(patch_size)
    anchors = np.floor(rough).astype(np.int64)
    offsets = _patch_offsets(
        cms, np.asarray(samples, np.int64), np.asarray(channels, np.int64), anchors, k
    )
    return (anchors.astype(cms.dtype) + offsets).astype(np.float64)


def find_global_peaks(
    cms: np.ndarray, threshold: float, refine: bool = True,
    patch_size: int = DEFAULT_PATCH_SIZE,
) -> tuple[np.ndarray, np.ndarray]:
    """One peak per sample and channel: the global maximum of each map.

    ``x`` is the argmax over columns of the per-column maxima and ``y`` the argmax over rows
    of the per-row maxima, each with first-index tie-breaking and computed independently, so
    two separate pixels sharing the maximum give a *mixed* coordinate (reference quirk,
    ADR-0020): maxima at (7, 2) and (3, 6) give (3, 2).

    Args:
        cms: ``(B, C, H, W)`` float confidence maps.
        threshold: Peaks with ``value < threshold`` (compared in the maps' dtype) are dropped;
            a value equal to the threshold is kept.
        refine: Integral refinement (the reference's ``"integral"``); False = grid peaks.
        patch_size: Refinement patch side.

    Returns:
        ``points`` ``(B, C, 2)`` float64 ``(x, y)`` in GRID units, NaN below threshold (and
        where refinement divides by a zero patch sum); ``values`` ``(B, C)`` float64 raw grid
        maximum, 0.0 below threshold.
    """
    cms = _check_maps(cms)
    b, c, _, _ = cms.shape
    xs = cms.max(axis=2).argmax(axis=2)  # (B, C) column of the max over rows
    ys = cms.max(axis=3).argmax(axis=2)  # (B, C) row of the max over columns
    values = cms.max(axis=(2, 3))
    rough = np.stack([xs, ys], axis=-1).reshape(-1, 2)
    if refine and rough.size:
        samples = np.repeat(np.arange(b), c)
        channels = np.tile(np.arange(c), b)
        points = refine_integral(cms, samples, channels, rough, patch_size).reshape(b, c, 2)
    else:
        points = rough.astype(np.float64).reshape(b, c, 2)
    below = values < cms.dtype.type(threshold)
    points[below] = np.nan
    out_values = values.astype(np.float64)
    out_values[below] = 0.0
    return points, out_values


# Neighbour offsets (dy, dx), raster order: the 4 before the centre, then the 4 after it.
_BEFORE = ((-1, -1), (-1, 0), (-1, 1), (0, -1))
_AFTER = ((0, 1), (1, -1), (1, 0), (1, 1))
_AROUND = _BEFORE + _AFTER
# Flat tops accepted by the reference: a candidate plus tied neighbours that all fit in the
# 2x2 block to its lower right, or in the 2x2 block to its lower left.
_BLOCKS = (frozenset({(0, 1), (1, 0), (1, 1)}), frozenset({(1, -1), (1, 0)}))


def _resolve_flat_tops(
    padded: np.ndarray, subs: np.ndarray, vals: np.ndarray, pad: int
) -> tuple[np.ndarray, np.ndarray]:
    """Decide which tied candidates are peaks and where their plateau's centre is.

    A candidate is ``>=`` its 8 neighbours and ``>`` the 4 before it in raster order, so its
    tied neighbours come after it. With it they form the flat top. The candidate is kept when
    the top fits in a 2x2 block and no pixel of the top has a neighbour ``>=`` the value
    outside the top; its point is then the mean position of the top's pixels.

    Args:
        padded: ``(B, C, H + 2p, W + 2p)`` maps with a ``-inf`` border of width ``pad >= 2``.
        subs: ``(n, 4)`` int ``(sample, channel, row, col)`` of tied candidates.
        vals: ``(n,)`` candidate values.
        pad: Border width.

    Returns:
        ``keep`` ``(n,)`` bool and ``offsets`` ``(n, 2)`` float ``(dx, dy)`` to add to the
        candidate's integer position.
    """
    n = len(subs)
    keep = np.zeros(n, dtype=bool)
    offsets = np.zeros((n, 2), dtype=np.float64)
    s, ch, r, c = subs[:, 0], subs[:, 1], subs[:, 2] + pad, subs[:, 3] + pad
    # (n, 5, 5) windows around each candidate: enough for neighbours of neighbours.
    steps = np.arange(-2, 3)
    win = padded[
        s[:, None, None],
        ch[:, None, None],
        (r[:, None] + steps)[:, :, None],
        (c[:, None] + steps)[:, None, :],
    ]
    ge = win >= vals[:, None, None]
    for i in range(n):
        tied = {(dy, dx) for dy, dx in _AROUND if ge[i, 2 + dy, 2 + dx]}
        if not any(tied <= block for block in _BLOCKS):
            continue
        top = tied | {(0, 0)}
        leak = False
        for ty, tx in tied:
            for dy, dx in _AROUND:
                q = (ty + dy, tx + dx)
                if q not in top and ge[i, 2 + q[0], 2 + q[1]]:
                    leak = True
                    break
            if leak:
                break
        if leak:
            continue
        keep[i] = True
        offsets[i, 0] = sum(dx for _, dx in top) / len(top)
        offsets[i, 1] = sum(dy for dy, _ in top) / len(top)
    return keep, offsets


def find_local_peaks_rough(cms: np.ndarray, threshold: float) -> PeakSet:
    """Every local maximum above ``threshold``, in grid units, without refinement.

    A pixel is a peak when its value is ``> threshold`` (strict, in the maps' dtype) and
    ``>`` its 8 neighbours (``-inf`` outside the map). Small plateaus count once (sleap-nn
    0.3.5): a pixel ``>`` the 4 neighbours before it in raster order and ``==`` some after it
    is a peak when it and its equal neighbours fit in a 2x2 block that no equal-or-higher
    pixel touches; its point is the mean of the plateau's pixels (x.5 or x.333/x.667).

    Args:
        cms: ``(B, C, H, W)`` float confidence maps.
        threshold: Strict lower bound on peak values.

    Returns:
        A :class:`PeakSet` ordered by ``(sample, y, x, channel)`` of the (top-left-most)
        plateau pixel; points ``(x, y)`` float64 grid units; values = the map value.
    """
    cms = _check_maps(cms)
    _, _, h, w = cms.shape
    if cms.size == 0:
        return PeakSet.empty()
    # Only pixels above the threshold can be peaks: gather their 8 neighbours (-inf outside).
    s, ch, y, x = np.nonzero(cms > cms.dtype.type(threshold))
    vals = cms[s, ch, y, x]
    nb = np.empty((len(vals), 8), dtype=cms.dtype)
    for k, (dy, dx) in enumerate(_AROUND):
        yy, xx = y + dy, x + dx
        inside = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
        got = cms[s, ch, np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)]
        nb[:, k] = np.where(inside, got, -np.inf)
    before = nb[:, :4].max(axis=1, initial=-np.inf)
    after = nb[:, 4:].max(axis=1, initial=-np.inf)
    cand = (vals > before) & (vals >= after)
    # Row-major (sample, y, x, channel) order.
    order = np.lexsort((ch[cand], x[cand], y[cand], s[cand]))
    s, ch, y, x = s[cand][order], ch[cand][order], y[cand][order], x[cand][order]
    vals, after = vals[cand][order], after[cand][order]
    points = np.stack([x, y], axis=1).astype(np.float64)
    tied = vals == after
    if tied.any():
        pad = 2
        padded = np.pad(cms, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=-np.inf)
        idx = np.flatnonzero(tied)
        subs = np.stack([s[idx], ch[idx], y[idx], x[idx]], axis=1)
        keep_t, off = _resolve_flat_tops(padded, subs, vals[idx], pad)
        points[idx] += off
        keep = np.ones(len(vals), dtype=bool)
        keep[idx] = keep_t
        points, vals, s, ch = points[keep], vals[keep], s[keep], ch[keep]
    return PeakSet(points, vals.astype(np.float64), s, ch)


def find_local_peaks(
    cms: np.ndarray, threshold: float, refine: bool = True,
    patch_size: int = DEFAULT_PATCH_SIZE,
) -> PeakSet:
    """Local peaks (see :func:`find_local_peaks_rough`), optionally integral-refined.

    Args:
        cms: ``(B, C, H, W)`` float confidence maps.
        threshold: Strict lower bound on peak values.
        refine: Integral refinement (see :func:`refine_integral`); values are not refined.
        patch_size: Refinement patch side.

    Returns:
        :class:`PeakSet` in GRID units, ordered by ``(sample, y, x, channel)``.
    """
    cms = _check_maps(cms)
    rough = find_local_peaks_rough(cms, threshold)
    if not refine or len(rough) == 0:
        return rough
    points = refine_integral(cms, rough.samples, rough.channels, rough.points, patch_size)
    return PeakSet(points, rough.values, rough.samples, rough.channels)


def offset_refine_global(points: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Add learned sub-pixel offsets to global grid peaks (SLEAP 1.4's offset refinement).

    Args:
        points: ``(B, C, 2)`` grid peaks ``(x, y)`` (NaN = no peak), unrefined.
        offsets: ``(B, 2C, H, W)`` offset maps; channels ``2c`` (x) and ``2c + 1`` (y).

    Returns:
        ``(B, C, 2)`` points plus the offsets read at each peak's cell.
    """
    out = np.array(points, dtype=np.float64, copy=True)
    b, c = np.nonzero(~np.isnan(out[..., 0]))
    x, y = out[b, c, 0].astype(np.int64), out[b, c, 1].astype(np.int64)
    out[b, c, 0] += offsets[b, 2 * c, y, x]
    out[b, c, 1] += offsets[b, 2 * c + 1, y, x]
    return out


def offset_refine_local(found: PeakSet, offsets: np.ndarray) -> PeakSet:
    """:func:`offset_refine_global` for local peaks (``found`` in grid units, unrefined)."""
    if not len(found):
        return found
    s, c = found.samples, found.channels
    x, y = found.points[:, 0].astype(np.int64), found.points[:, 1].astype(np.int64)
    shift = np.stack([offsets[s, 2 * c, y, x], offsets[s, 2 * c + 1, y, x]], axis=1)
    return PeakSet(found.points + shift, found.values, s, c)


# --- local (quarter-stride) refinement: SLEAP 1.x's "local" -------------------------------

#: Step of local refinement, in grid cells (= a quarter of the output stride in pixels).
LOCAL_STEP = 0.25


def refine_local(
    cms: np.ndarray,
    samples: np.ndarray,
    channels: np.ndarray,
    rough: np.ndarray,
    step: float = LOCAL_STEP,
) -> np.ndarray:
    """Move each rough peak a fixed ``step`` toward its larger neighbour, per axis.

    On each axis the two neighbours of the peak's cell (``floor(p)``) are compared: the
    coordinate moves by ``+step`` when the next cell is larger, ``-step`` when the previous one
    is, and stays when they are equal. Cells outside the map read 0 (as in
    :func:`refine_integral`).

    Args:
        cms: ``(B, C, H, W)`` float maps.
        samples: ``(n,)`` int sample per peak.
        channels: ``(n,)`` int channel per peak.
        rough: ``(n, 2)`` float ``(x, y)`` rough peaks in grid units (finite).
        step: Displacement in grid cells (default 0.25).

    Returns:
        ``(n, 2)`` float64 refined ``(x, y)``: ``rough + {-step, 0, +step}`` on each axis.
    """
    cms = _check_maps(cms)
    rough = np.asarray(rough, dtype=np.float64).reshape(-1, 2)
    if not len(rough):
        return rough.copy()
    _, _, h, w = cms.shape
    s = np.asarray(samples, np.int64)
    c = np.asarray(channels, np.int64)
    x = np.floor(rough[:, 0]).astype(np.int64)
    y = np.floor(rough[:, 1]).astype(np.int64)

    def value(yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
        inside = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
        got = cms[s, c, np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)].astype(np.float64)
        return np.where(inside, got, 0.0)

    def direction(before: np.ndarray, after: np.ndarray) -> np.ndarray:
        return np.where(after > before, 1.0, np.where(before > after, -1.0, 0.0))

    dx = direction(value(y, x - 1), value(y, x + 1))
    dy = direction(value(y - 1, x), value(y + 1, x))
    return rough + step * np.stack([dx, dy], axis=1)


def local_refine_global(cms: np.ndarray, points: np.ndarray,
                        step: float = LOCAL_STEP) -> np.ndarray:
    """:func:`refine_local` for global peaks ``(B, C, 2)`` (NaN = no peak, kept NaN)."""
    out = np.array(points, dtype=np.float64, copy=True)
    b, c = np.nonzero(~np.isnan(out[..., 0]))
    if len(b):
        out[b, c] = refine_local(cms, b, c, out[b, c], step)
    return out


def local_refine_peaks(cms: np.ndarray, found: PeakSet, step: float = LOCAL_STEP) -> PeakSet:
    """:func:`refine_local` for a :class:`PeakSet` in grid units (values unchanged)."""
    if not len(found):
        return found
    points = refine_local(cms, found.samples, found.channels, found.points, step)
    return PeakSet(points, found.values, found.samples, found.channels)
