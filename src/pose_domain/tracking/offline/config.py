"""Settings of the offline tracker: one small section per stage (docs/tracking_global.md).

Lengths are in body sizes (:class:`~pose_domain.tracking.offline.values.Scales`), so one
setting fits animals of any size in px. Production sets only ``n_identities``; every other
field says in its docstring why it is tunable. The stage switches (``enabled``, ``bridge``)
exist to measure what a stage adds (tests and ``benchmarks/bench_identity_robustness.py``
compare with them off). Fixed numbers of the design are module constants of their stage.
"""

from __future__ import annotations

import attrs


@attrs.frozen(kw_only=True)
class SplitConfig:
    """Joined instances (stage ``split``).

    Attributes:
        max_size_ratio: An instance larger than this many body sizes joins nodes of several
            animals (0 = none is). Tunable: how much one animal's pose may exceed a typical
            one depends on the skeleton (long appendages, curling bodies).
        enabled: Split such an instance into groups of nearby nodes and track each group of
            plausible size as a partial pose; off = leave it untracked.
        gap: Largest step between two nodes of one group, in body sizes. Tunable: sparse
            skeletons space their nodes farther apart.
    """

    max_size_ratio: float = 2.0
    enabled: bool = True
    gap: float = 1.0


@attrs.frozen(kw_only=True)
class TrackletConfig:
    """Unambiguous links between consecutive frames (stage ``tracklets``).

    Attributes:
        gate: Largest mean node step of a link, in body sizes. Tunable: how far an animal
            moves per frame depends on its speed and the frame rate.
    """

    gate: float = 0.6


@attrs.frozen(kw_only=True)
class LinkConfig:
    """The global solve over tracklets (stage ``link``).

    Attributes:
        max_gap: Every later tracklet starting within this many frames is a possible
            successor (the flip stage resets node continuity over longer gaps). Tunable: the
            longest detector dropout that short-range motion still predicts depends on the
            frame rate.
        sigma: Motion spread of a one-frame gap, in body sizes (grows with the square root of
            the gap). Tunable: how erratic the animals' motion is between frames.
    """

    max_gap: int = 10
    sigma: float = 0.25


@attrs.frozen(kw_only=True)
class RefineConfig:
    """Re-assignment of rows to the identities' smoothed poses (stage ``refine``).

    Attributes:
        passes: Number of passes (0 = off, to measure what the stage adds).
        window: Half-width (frames) of the per-identity running median. Tunable: frames per
            second set how many frames one posture lasts.
        gate: Largest mean node distance to an identity's smoothed pose, in body sizes.
            Tunable: tighter drops more bad poses and more good ones of fast animals.
    """

    passes: int = 2
    window: int = 15
    gate: float = 1.0


@attrs.frozen(kw_only=True)
class NodeConfig:
    """Re-assignment of single nodes between a frame's rows (stage ``nodes``).

    Attributes:
        enabled: Re-assign nodes to the identities' smoothed nodes.
        bridge: Interpolate an identity's node reference between two sightings, so nodes of
            an animal lost as a whole are given back to it.
        window: Half-width (frames) of the running median of the node references. Tunable:
            like ``RefineConfig.window``.
        gate: Largest distance of a node to its identity's reference node, in body sizes.
            Tunable: trades pruning bad nodes against keeping good ones (the median lags).
        min_new_nodes: An identity without an instance in a frame gets one built from free
            nodes when at least this fraction of the skeleton is found. Tunable: a skeleton
            with many nodes can afford a higher bar.
    """

    enabled: bool = True
    bridge: bool = True
    window: int = 3
    gate: float = 1.25
    min_new_nodes: float = 0.5


@attrs.frozen(kw_only=True)
class FlipConfig:
    """Undoing node-label swaps per identity (stage ``flips``).

    Attributes:
        enabled: Correct swaps of the pairs below.
        pairs: Node pairs that may be swapped; None = found in the data. Tunable: a caller
            that knows the skeleton's symmetric pairs can name them.
        cost: Cost of one swapped frame, in body sizes of node displacement. Tunable: the
            plateau measured on the public clip is 0.01-0.03; lower undoes more swaps.
        min_rate: A pair is confused when at least this fraction of an identity's
            consecutive frame pairs (and at least 3) look like a swap. Tunable: detectors
            differ in how often they swap labels.
        motion: Weight (body sizes) of the heading term, full at ``speed``. Tunable: animals
            that walk head first may trust heading more.
        speed: Speed (body sizes per frame) at which the heading term is fully trusted.
            Tunable: depends on the frame rate.
    """

    enabled: bool = True
    pairs: tuple[tuple[int, int], ...] | None = None
    cost: float = 0.03
    min_rate: float = 0.005
    motion: float = 0.5
    speed: float = 0.05


@attrs.frozen(kw_only=True)
class GlobalConfig:
    """Settings of the offline tracker, one section per stage.

    Attributes:
        n_identities: Number of animals (None: the most common instance count per frame).
        split: Joined instances (:mod:`~pose_domain.tracking.offline.split`).
        tracklets: Frame-to-frame links (:mod:`~pose_domain.tracking.offline.tracklets`).
        link: The global solve (:mod:`~pose_domain.tracking.offline.link`).
        refine: Row re-assignment (:mod:`~pose_domain.tracking.offline.refine`).
        nodes: Node re-assignment (:mod:`~pose_domain.tracking.offline.nodes`).
        flips: Label-swap correction (:mod:`~pose_domain.tracking.offline.flips`).
    """

    n_identities: int | None = None
    split: SplitConfig = attrs.field(factory=SplitConfig)
    tracklets: TrackletConfig = attrs.field(factory=TrackletConfig)
    link: LinkConfig = attrs.field(factory=LinkConfig)
    refine: RefineConfig = attrs.field(factory=RefineConfig)
    nodes: NodeConfig = attrs.field(factory=NodeConfig)
    flips: FlipConfig = attrs.field(factory=FlipConfig)
