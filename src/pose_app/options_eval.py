"""Options of ``pose eval``, declared once (ADR-0095, ADR-0150): each field is a flag, its
docstring the flag's help. Kept apart from :mod:`pose_app.evaluate` so the CLI builds its flags
without importing numpy.
"""

from __future__ import annotations

from typing import Literal

import attrs

from pose_app.option_kit import NEGATIVE, _flags
from pose_domain.defaults import DEFAULT_OKS_STDDEV
from pose_domain.errors import InvalidOptionError

#: How identity metrics match poses (the values of ``pose_domain.metrics.identity.MatchBy``).
IdentityMatch = Literal["distance", "oks"]


def _positive(inst: object, attribute: attrs.Attribute[float | None], value: float | None) -> None:
    if value is not None and not value > 0:
        raise InvalidOptionError(f"--{attribute.name} must be positive, got {value}")


def _positive_float(inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    _positive(inst, attribute, value)  # type: ignore[arg-type]


def _match_rule(inst: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in ("distance", "oks"):
        raise InvalidOptionError(
            f"--identity_match must be distance or oks, got '{value}'"
        )


def _method_rule(inst: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value in ("mask", "semantic"):
        raise InvalidOptionError(
            f"--match_method {value} is for segmentation models, which pose does not support",
            hint="use oks, centroid or auto",
        )
    if value not in ("oks", "centroid", "auto"):
        raise InvalidOptionError(
            f"--match_method must be oks, centroid or auto, got '{value}'"
        )


def _non_negative(inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value >= 0:
        raise InvalidOptionError(f"--{attribute.name} must be >= 0, got {value}")


@attrs.frozen(kw_only=True)
class EvaluateOptions:
    """Matching and metrics (sleap-nn eval's names and defaults).

    Each field is a ``pose eval`` flag; its docstring is the flag's help (ADR-0095).
    """

    oks_stddev: float = attrs.field(default=DEFAULT_OKS_STDDEV, validator=_positive_float)
    """OKS keypoint standard deviation (reference: 0.025)."""
    oks_scale: float | None = attrs.field(default=None, validator=_positive)
    """Fixed OKS area in px² (default: GT bbox area)."""
    match_threshold: float = attrs.field(default=0.0, validator=_non_negative)
    """OKS at or below this never matches."""
    user_labels_only: bool = attrs.field(default=True,
                                         metadata={NEGATIVE: "--no-user_labels_only"})
    """Evaluate only user-labeled GT instances."""
    match_method: str = attrs.field(default="auto", validator=_method_rule)
    """oks, centroid (px distance) or auto (centroid for 1-node predictions, else oks);
    mask/semantic are segmentation-only."""
    anchor_part: str | None = None
    """Centroid mode: GT node used as the centroid (default: mean of visible nodes)."""
    identity_match: IdentityMatch = attrs.field(default="distance", validator=_match_rule)
    """Identity metrics: match poses by mean node distance or OKS."""
    identity_threshold: float | None = None
    """Identity matching threshold (px or OKS; default 50 px / 0.5)."""


@attrs.frozen(kw_only=True)
class EvaluateRequest:
    """What to evaluate: each field is a ``pose eval`` flag (ADR-0095)."""

    ground_truth_path: str = attrs.field(metadata=_flags("-g"))
    """Ground-truth .slp (user labels)."""
    predicted_path: str = attrs.field(metadata=_flags("-p"))
    """Predictions .slp."""
    save_metrics: str | None = attrs.field(default=None, metadata=_flags("-s"))
    """Write metrics to this .npz (plus a sibling .json)."""
    options: EvaluateOptions = attrs.field(factory=EvaluateOptions)
