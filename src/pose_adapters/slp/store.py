"""Convert between ``sleap_io.Labels`` and :class:`pose_app.dataset.Dataset`; save atomically."""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from pose_adapters._files import write_atomic
from pose_app.dataset import Dataset, Suggestion, VideoRef
from pose_domain.errors import (
    InputNotFoundError,
    UnsupportedInputError,
)
from pose_domain.instance import Instance, LabeledFrame, PredictedInstance, Track
from pose_domain.skeleton import Skeleton


def skeleton_from_sio(sk: Any) -> Skeleton:
    names = [n.name for n in sk.nodes]
    edges = [(names.index(e.source.name), names.index(e.destination.name)) for e in sk.edges]
    syms = []
    for s in getattr(sk, "symmetries", []) or []:
        nodes = list(s.nodes)
        if len(nodes) == 2:
            syms.append((names.index(nodes[0].name), names.index(nodes[1].name)))
    return Skeleton(nodes=names, edges=edges, symmetries=syms, name=sk.name or "")


def skeleton_to_sio(sk: Skeleton) -> Any:
    import sleap_io as sio

    return sio.Skeleton(
        nodes=list(sk.nodes),
        edges=[list(e) for e in sk.edge_names],
        symmetries=[[sk.nodes[a], sk.nodes[b]] for a, b in sk.symmetries],
        name=sk.name or None,
    )


def video_ref_from_sio(video: Any) -> VideoRef:
    shape = None
    try:
        shape = video.shape
    except Exception:
        shape = None
    if shape is None:
        meta = getattr(video, "backend_metadata", {}) or {}
        shape = meta.get("shape")
    n, h, w, c = [*list(shape), 0, 0, 0, 0][:4] if shape is not None else (0, 0, 0, 0)
    return VideoRef(
        filename=str(video.filename),
        n_frames=int(n or 0),
        height=int(h or 0),
        width=int(w or 0),
        channels=int(c or 0),
        handle=video,
    )


def dataset_from_labels(labels: Any, source_path: str | None = None) -> Dataset:
    """Domain view of a ``sleap_io.Labels`` (the original is kept as ``handle``)."""
    import sleap_io as sio

    skeleton = skeleton_from_sio(labels.skeletons[0]) if labels.skeletons else None
    videos = [video_ref_from_sio(v) for v in labels.videos]
    video_index = {id(v): i for i, v in enumerate(labels.videos)}
    tracks = {id(t): Track(t.name) for t in labels.tracks}
    frames: list[LabeledFrame] = []
    for lf in labels.labeled_frames:
        insts: list[Instance] = []
        for inst in lf.instances:
            track = None
            if inst.track is not None:
                track = tracks.setdefault(id(inst.track), Track(inst.track.name))
            pts = np.asarray(inst.numpy(), dtype=np.float64)
            if isinstance(inst, sio.PredictedInstance):
                pa = inst.points
                scores = (
                    np.asarray(pa["score"], dtype=np.float64)
                    if pa.dtype.names and "score" in pa.dtype.names
                    else np.full(len(pts), np.nan)
                )
                ts = inst.tracking_score
                insts.append(
                    PredictedInstance(
                        points=pts,
                        point_scores=scores,
                        score=float(inst.score) if inst.score is not None else np.nan,
                        track=track,
                        tracking_score=float(ts) if ts is not None else 0.0,
                    )
                )
            else:
                insts.append(Instance(points=pts, track=track))
        frames.append(
            LabeledFrame(
                video_index=video_index.get(id(lf.video), 0),
                frame_idx=int(lf.frame_idx),
                instances=insts,
            )
        )
    suggestions = [
        Suggestion(video_index=video_index.get(id(s.video), 0), frame_idx=int(s.frame_idx))
        for s in labels.suggestions
    ]
    return Dataset(
        videos=videos,
        skeleton=skeleton,
        frames=frames,
        tracks=list(dict.fromkeys(tracks.values())),
        suggestions=suggestions,
        provenance=dict(labels.provenance or {}),
        source_path=source_path,
        handle=labels,
    )


def _sio_video(ref: VideoRef) -> Any:
    import sleap_io as sio

    if ref.handle is not None and isinstance(ref.handle, sio.Video):
        video: Any = ref.handle  # sleap-io has no type information for mypy
        if getattr(video, "backend", None) is None:
            # A closed video is written from its cached metadata, which loses the backend type
            # (image sequences then cannot be read back): reopen it when the file is there.
            try:
                if video.exists():
                    video.open()
            except Exception:
                pass
        return video
    try:
        return sio.Video.from_filename(ref.filename)
    except Exception:
        return sio.Video(filename=ref.filename, open_backend=False)


def labels_from_dataset(dataset: Dataset) -> Any:
    """A new ``sleap_io.Labels`` with the dataset's videos, skeleton, frames and tracks."""
    import sleap_io as sio

    if dataset.skeleton is None:
        raise UnsupportedInputError("cannot write labels without a skeleton")
    skeleton = skeleton_to_sio(dataset.skeleton)
    videos = [_sio_video(v) for v in dataset.videos]
    sio_tracks: dict[int, Any] = {}

    def track_of(t: Track | None) -> Any:
        if t is None:
            return None
        if id(t) not in sio_tracks:
            sio_tracks[id(t)] = sio.Track(name=t.name)
        return sio_tracks[id(t)]

    for t in dataset.tracks:
        track_of(t)
    lfs = []
    for fr in dataset.frames:
        insts = []
        for inst in fr.instances:
            if isinstance(inst, PredictedInstance):
                insts.append(
                    sio.PredictedInstance.from_numpy(
                        points_data=np.asarray(inst.points, dtype=np.float64),
                        skeleton=skeleton,
                        point_scores=np.asarray(inst.point_scores, dtype=np.float64),
                        score=float(inst.score),
                        track=track_of(inst.track),
                        tracking_score=float(inst.tracking_score),
                    )
                )
            else:
                insts.append(
                    sio.Instance.from_numpy(
                        points_data=np.asarray(inst.points, dtype=np.float64),
                        skeleton=skeleton,
                        track=track_of(inst.track),
                    )
                )
        lfs.append(sio.LabeledFrame(video=videos[fr.video_index], frame_idx=fr.frame_idx,
                                    instances=insts))
    suggestions = [
        sio.SuggestionFrame(video=videos[s.video_index], frame_idx=s.frame_idx)
        for s in dataset.suggestions
        if s.video_index < len(videos)
    ]
    return sio.Labels(
        labeled_frames=lfs,
        videos=videos,
        skeletons=[skeleton],
        tracks=list(sio_tracks.values()),
        suggestions=suggestions,
        provenance=dict(dataset.provenance),
    )


def save_labels_atomic(labels: Any, path: str) -> None:
    """Write ``labels`` to ``path`` via a temporary file in the same folder + ``os.replace``."""
    import sleap_io as sio

    write_atomic(path, ".slp.tmp", lambda tmp: sio.save_slp(
        labels, tmp, embed=False, restore_original_videos=False, verbose=False))


def add_centroids(labels: Any, mode: str) -> None:
    """Put each predicted instance's first visible point on its frame as a sleap-io
    ``PredictedCentroid`` (sleap-nn ``--centroid-output``): ``both`` keeps the instances too,
    ``centroid`` keeps only the centroids (frames stay, without instances)."""
    import sleap_io as sio

    for lf in labels.labeled_frames:
        cents = []
        for inst in lf.instances:
            if not isinstance(inst, sio.PredictedInstance):
                continue
            pts = inst.numpy()
            seen = np.flatnonzero(~np.isnan(pts).any(axis=1))
            if len(seen):
                x, y = pts[seen[0]]
                cents.append(sio.PredictedCentroid(x=float(x), y=float(y),
                                                   score=float(inst.score),
                                                   source="center_of_mass"))
        lf.centroids = cents
        if mode == "centroid":
            lf.instances = []


def embedded_frames(labels: Any, embed: str) -> Any:
    """sleap-io's ``embed`` argument for ``--embed``: ``true`` embeds every labeled frame;
    ``auto`` only when the source is not a plain video file (image folders, ``.pkg.slp``);
    ``false`` none."""
    if embed == "true":
        return "all"
    if embed == "auto":
        plain = all(isinstance(v.filename, str) and not v.filename.endswith(".slp")
                    and os.path.isfile(v.filename) for v in labels.videos)
        return False if plain else "all"
    return False


def write_slp(labels: Any, path: str, *, embed: Any = False,
              restore_source_videos: bool = False, final_path: str | None = None) -> None:
    """Write ``labels`` to ``path`` (not atomic: callers give a temporary path whose name
    ends in ``.slp``). sleap-io records an embedded video under the name it wrote to; with
    ``final_path`` the file records that name instead, as sleap-nn's outputs do."""
    import sleap_io as sio

    sio.save_slp(labels, path, embed=embed, restore_original_videos=restore_source_videos,
                 verbose=False)
    if embed and final_path is not None and final_path != path:
        _rename_embedded_videos(path, final_path)


def _rename_embedded_videos(path: str, final_path: str) -> None:
    import h5py

    with h5py.File(path, "r+") as f:
        if "videos_json" not in f:
            return
        entries = [json.loads(v) for v in f["videos_json"][:]]
        changed = False
        for entry in entries:
            embedded = entry.get("backend", {}).get("has_embedded_images")
            if embedded and entry.get("filename") == path:
                entry["filename"] = final_path
                changed = True
        if changed:
            attrs_ = dict(f["videos_json"].attrs)
            del f["videos_json"]
            ds = f.create_dataset("videos_json", data=[json.dumps(e) for e in entries],
                                  dtype=h5py.string_dtype(), maxshape=(None,))
            ds.attrs.update(attrs_)


class SlpLabelsStore:
    """:class:`pose_app.ports.labels.LabelsStore` for ``.slp`` / ``.pkg.slp`` files."""

    def load(self, path: str) -> Dataset:
        import sleap_io as sio

        if not os.path.exists(path):
            raise InputNotFoundError(f"labels file not found: {path}", hint="check the path")
        try:
            labels = sio.load_slp(path)
        except Exception as exc:
            raise UnsupportedInputError(
                f"cannot read labels file {path}: {exc}", hint="is it a valid .slp file?"
            ) from exc
        return dataset_from_labels(labels, source_path=path)

    def save(self, dataset: Dataset, path: str) -> None:
        save_labels_atomic(labels_from_dataset(dataset), path)

    def open_video(self, video: VideoRef) -> Any:
        from pose_adapters.video.sleapio_source import SleapIoFrameSource, open_video_file

        handle: Any = video.handle  # this adapter's own sleap_io.Video (or None)
        if handle is not None:
            try:
                if handle.exists() if hasattr(handle, "exists") else True:
                    if getattr(handle, "backend", None) is None:
                        handle.open()
                    if handle.backend is not None:
                        return SleapIoFrameSource(handle)
            except Exception:
                pass
        return open_video_file(video.filename)
