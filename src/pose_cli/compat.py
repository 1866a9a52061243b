"""sleap-nn command-line compatibility applied to the raw tokens before parsing.

* Segmentation and SAM options of ``sleap-nn predict`` get one line and exit 2.
* ``pose predict EXPORT_DIR INPUT -n N``: ``-n`` is ``--n-frames`` there (seed 003); in the
  ``-i``/``-m`` form it stays ``--max_instances`` as in sleap-nn.
"""

from __future__ import annotations

from collections.abc import Sequence

from pose_domain.errors import InvalidOptionError

SEGMENTATION = (
    "--fg_threshold", "--min_mask_area", "--center_nms_kernel", "--mask_cleanup",
    "--mask_cleanup_radius", "--distance_gate_alpha", "--merge_fragments", "--merge_method",
    "--merge_thresholds", "--merge_w_valley", "--merge_w_offset", "--merge_dilate",
    "--full_res_masks", "--mask_output", "--polygon_epsilon",
)
SAM = (
    "--mask_backend", "--sam_checkpoint", "--sam_model_type", "--sam_prompt_mode",
    "--sam_anchor_ind", "--sam_disjointify_masks", "--sam3_model_id", "--overlay_path",
)


def refuse_unsupported(tokens: Sequence[str]) -> None:
    """Raise for the first segmentation / SAM option (one line, exit 2)."""
    for t in tokens:
        name = t.split("=", 1)[0]
        if name in SEGMENTATION or name in SAM:
            kind = "SAM mask" if name in SAM else "segmentation"
            raise InvalidOptionError(
                f"{name} is a sleap-nn {kind} option; pose does not run segmentation models",
                hint="drop it (pose predicts poses, centroids and identities)",
            )


def rewrite_tokens(tokens: Sequence[str]) -> list[str]:
    """``-n`` -> ``--n-frames`` in ``pose predict EXPORT_DIR INPUT`` (positional form)."""
    out = list(tokens)
    if not out or out[0] != "predict":
        return out
    rest = out[1:]
    positional_form = bool(rest) and not rest[0].startswith("-") and (
        "-i" not in rest and "--data_path" not in rest
    )
    if positional_form:
        out = [out[0]] + ["--n-frames" if t == "-n" else t for t in rest]
    return out
