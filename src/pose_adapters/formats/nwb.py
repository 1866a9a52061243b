"""NWB with the ndx-pose extension: in the ``behavior`` processing module, the skeleton (in a
``Skeletons`` container) and one ``PoseEstimation`` per individual (named after its track),
with one ``PoseEstimationSeries`` per node: x, y and confidence for every frame, timestamps
``frame / fps`` of the source video, and the source video's path. pynwb reads it back;
movement opens each individual with ``load_poses.from_nwb_file(path,
pose_estimation_key=NAME)``.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from typing import TYPE_CHECKING, Any

import attrs

from pose_app.formats import WriteContext
from pose_domain.errors import MissingExtraError, UnsupportedInputError

if TYPE_CHECKING:
    from pose_app.dataset import Dataset

MODULE = "behavior"
REFERENCE_FRAME = "(0, 0) is the top-left corner of the video frame; x right, y down, in pixels"


def _libs() -> tuple[Any, Any]:
    try:
        import ndx_pose
        import pynwb
    except ImportError as exc:
        raise MissingExtraError(exc.name or "pynwb", "nwb", "NWB outputs") from exc
    return pynwb, ndx_pose


def _names(individuals: list[str]) -> list[str]:
    """Unique NWB object names ('/' is not allowed; 'Skeletons' is taken). A lone individual's
    is ``PoseEstimation``, the name NWB readers (movement's ``from_nwb_file``) look for by
    default; its track stays in the description."""
    if len(individuals) == 1:
        return ["PoseEstimation"]
    out: list[str] = []
    for name in individuals:
        base = re.sub(r"[/:]", "_", name) or "individual"
        if base == "Skeletons":
            base = "Skeletons_individual"
        cand, k = base, 1
        while cand in out:
            k += 1
            cand = f"{base}_{k}"
        out.append(cand)
    return out


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("pose")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def build_nwbfile(dataset: Dataset, identifier: str) -> Any:
    """The ``pynwb.NWBFile`` of the dataset's one video."""
    import numpy as np

    from pose_adapters.formats._tables import one_video, pose_table

    pynwb, ndx_pose = _libs()
    if dataset.skeleton is None:
        raise UnsupportedInputError("cannot write poses without a skeleton")
    table = pose_table(dataset, one_video(dataset, "NWB"))
    if len(table.nodes) > 255:
        raise UnsupportedInputError("ndx-pose skeletons hold at most 255 nodes")
    nwb = pynwb.NWBFile(
        session_description="Poses predicted by pose",
        identifier=identifier,
        session_start_time=_dt.datetime.now(_dt.timezone.utc).astimezone(),
    )
    module = nwb.create_processing_module(name=MODULE, description="Estimated poses")
    sk = dataset.skeleton
    skeleton = ndx_pose.Skeleton(
        name=re.sub(r"[/:]", "_", sk.name or "skeleton") or "skeleton",
        nodes=list(sk.nodes),
        edges=np.asarray(sk.edges, dtype="uint8").reshape(-1, 2),
    )
    module.add(ndx_pose.Skeletons(skeletons=[skeleton]))
    timestamps = table.frames / table.fps
    fps_note = "" if table.fps_known else f" (frame rate unknown: {table.fps:g} assumed)"
    video = dataset.videos[0] if dataset.videos else None
    dims = (np.array([[video.width, video.height]], dtype="uint16")
            if video is not None and video.width and video.height else None)
    for k, name in enumerate(_names(table.individuals)):
        series = []
        first: Any = None
        for n, node in enumerate(table.nodes):
            timing: dict[str, Any]
            if len(timestamps) < 2:
                timing = {"rate": table.fps, "starting_time": float(timestamps[0])
                          if len(timestamps) else 0.0}
            else:
                timing = {"timestamps": timestamps if first is None else first}
            s = ndx_pose.PoseEstimationSeries(
                name=node, data=table.points[:, k, n, :], confidence=table.scores[:, k, n],
                reference_frame=REFERENCE_FRAME, unit="pixels",
                confidence_definition="score of the peak the node was found at (NaN: none)",
                description=f"{node} of {table.individuals[k]}", **timing,
            )
            first = first if first is not None else (s if "timestamps" in timing else None)
            series.append(s)
        module.add(ndx_pose.PoseEstimation(
            name=name,
            pose_estimation_series=series,
            description=f"Poses of {table.individuals[k]}, one row per video frame "
                        f"(NaN: not found){fps_note}",
            original_videos=[table.video] if table.video else None,
            dimensions=dims,
            scorer=str(dataset.provenance.get("model_type", "pose")),
            source_software="pose",
            source_software_version=_version(),
            skeleton=skeleton,
        ))
    return nwb


@attrs.frozen
class NwbFormat:
    """NWB (ndx-pose): one ``PoseEstimation`` per individual."""

    name: str = "nwb"
    suffix: str = ".nwb"
    description: str = "NWB with ndx-pose (.nwb), one PoseEstimation per individual"
    requires: tuple[str, ...] = ("pynwb", "ndx_pose")
    extra: str = "nwb"

    def write(self, dataset: Dataset, path: str, context: WriteContext) -> None:
        pynwb, _ = _libs()
        stem = os.path.basename(dataset.source_path or path)
        nwb = build_nwbfile(dataset, identifier=stem)
        with pynwb.NWBHDF5IO(path, mode="w") as io:
            io.write(nwb)
