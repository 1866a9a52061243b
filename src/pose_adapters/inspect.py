"""Batch planning's view of input files (:class:`pose_app.ports.inspect.InputInspector`)."""

from __future__ import annotations


class FileInspector:
    """Frame counts through the video readers; labeled frames straight from the ``.slp``'s
    ``frames`` table (h5py, no sleap-io object built)."""

    def n_frames(self, path: str, *, dataset: str | None = None,
                 input_format: str = "channels_last") -> int:
        from pose_adapters.video import open_video_file

        src = open_video_file(path, dataset=dataset, input_format=input_format)
        try:
            return int(src.n_frames)
        finally:
            src.close()

    def labeled_frames(self, path: str, video_index: int | None) -> tuple[list[int], int]:
        import h5py
        import numpy as np

        with h5py.File(path, "r") as f:
            frames = np.asarray(f["frames"][:])
            n_videos = int(f["videos_json"].shape[0]) if "videos_json" in f else 1
        if frames.size == 0:
            return [], n_videos
        vid = frames["video"].astype(np.int64)
        idx = frames["frame_idx"].astype(np.int64)
        keep = (vid == (video_index or 0) if (video_index is not None or n_videos == 1)
                else vid >= 0)
        return sorted({int(i) for i in idx[keep]}), n_videos
