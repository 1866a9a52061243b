"""What a network run returns: typed values, one field per output (the runtime port's result).

A runtime returns :class:`NetworkOutputs` (the heads' maps, which the stages decode) or, for a
sleap-nn export folder whose graph finds the peaks itself, :class:`DecodedOutputs`. The field
names are the graphs' output names (``pose_app.model``: ``confmaps``, ``pafs``…), so runtimes
that get their outputs by name build the value with ``from_named``. Arrays are passed through
unchanged (no copy, no cast).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import attrs
import numpy as np

_O = TypeVar("_O", bound="_Outputs")


class _Outputs:
    """Arrays by field; every array has the batch on axis 0."""

    #: Output names a graph may have that this type leaves out (not an error).
    _ignored: tuple[str, ...] = ()

    @classmethod
    def _names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in attrs.fields(cast(Any, cls)))

    @classmethod
    def from_named(cls: type[_O], arrays: Mapping[str, np.ndarray]) -> _O:
        """The value of a graph's outputs by name.

        Raises:
            ValueError: A name that is no field (and not one this type ignores), or a missing
                required field.
        """
        names = set(cls._names())
        unknown = sorted(set(arrays) - names - set(cls._ignored))
        if unknown:
            raise ValueError(f"unexpected network output(s) {', '.join(unknown)} "
                             f"(expected {', '.join(sorted(names))})")
        try:
            return cls(**{k: v for k, v in arrays.items() if k in names})
        except TypeError as exc:  # a required field is missing
            raise ValueError(f"network outputs {sorted(arrays)} lack a required one: {exc}"
                             ) from exc

    def named(self) -> dict[str, np.ndarray]:
        """The present outputs by name, in field order."""
        return {k: v for k in self._names() if (v := getattr(self, k)) is not None}

    def map(self: _O, fn: Callable[[np.ndarray], np.ndarray]) -> _O:
        """The same outputs with ``fn`` applied to each present array."""
        return type(self)(**{k: fn(v) for k, v in self.named().items()})

    def joined(self: _O, others: Sequence[_Outputs]) -> _O:
        """These outputs followed by ``others`` along the batch axis (runs over slices of one
        batch, in order)."""
        parts: list[_Outputs] = [self, *others]
        if any(type(p) is not type(self) or p.named().keys() != self.named().keys()
               for p in parts):
            raise ValueError("only outputs of one kind with the same fields can be joined")
        return type(self)(**{k: np.concatenate([p.named()[k] for p in parts], axis=0)
                             for k in self.named()})


@attrs.frozen(eq=False)
class NetworkOutputs(_Outputs):
    """The heads of one network run on ``B`` images: float32, batch first, maps NCHW at their
    head's stride.

    Attributes:
        confmaps: ``(B, n_nodes, h, w)`` confidence maps (every model; centroid: 1 channel).
        pafs: ``(B, 2 * n_edges, h, w)`` part affinity fields (bottom-up).
        class_maps: ``(B, n_classes, h, w)`` class probabilities (multi-class bottom-up).
        class_vectors: ``(B, n_classes)`` class probabilities (multi-class top-down).
        offsets: ``(B, 2 * n_nodes, h, w)`` learned offsets of SLEAP 1.4 models (Keras
            runtime, when asked for): channel ``2k`` / ``2k + 1`` = x / y of node ``k`` in
            grid units.
    """

    confmaps: np.ndarray
    pafs: np.ndarray | None = None
    class_maps: np.ndarray | None = None
    class_vectors: np.ndarray | None = None
    offsets: np.ndarray | None = None


@attrs.frozen(eq=False)
class DecodedOutputs(_Outputs):
    """The outputs of a sleap-nn export graph, which finds the peaks itself (which ones a
    graph has depends on its model type; ``I`` instance slots, ``K`` peaks per node).

    Attributes:
        peaks: ``(B, N, 2)`` (single instance), ``(B, I, N, 2)`` (top-down) or
            ``(B, N, K, 2)`` (bottom-up) peak positions.
        peak_vals: The peaks' confidence values (``peaks`` without the last axis).
        peak_mask: ``(B, N, K)`` which bottom-up peaks are real.
        line_scores: ``(B, n_edges, K * K)`` PAF line scores of every peak pair (bottom-up).
        centroids: ``(B, I, 2)`` centroid positions.
        centroid_vals: ``(B, I)`` centroid confidence values.
        instance_valid: ``(B, I)`` which instance slots are filled.
        class_probs: ``(B, N, K, n_classes)`` class probabilities of each peak (multi-class
            bottom-up).
    """

    _ignored = ("candidate_mask", "class_logits")  # pose does not decode these

    peaks: np.ndarray | None = None
    peak_vals: np.ndarray | None = None
    peak_mask: np.ndarray | None = None
    line_scores: np.ndarray | None = None
    centroids: np.ndarray | None = None
    centroid_vals: np.ndarray | None = None
    instance_valid: np.ndarray | None = None
    class_probs: np.ndarray | None = None


#: What :meth:`pose_app.ports.runtime.NetworkRuntime.infer` returns.
RuntimeOutputs = NetworkOutputs | DecodedOutputs
