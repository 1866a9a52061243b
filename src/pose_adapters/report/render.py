"""Overlay videos and event thumbnails through sleap-io's renderer (``sleap_io.render_video``,
``sleap_io.render_image``; skia-python draws). Nothing here draws poses by hand: the only own
drawing is the frame-number label, through the renderer's post-render callback."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from pose_app.dataset import Dataset
from pose_app.ports.progress import ProgressReporter
from pose_app.ports.qc import OverlayStyle, Shot
from pose_domain.errors import (
    InputNotFoundError,
    MissingExtraError,
    OutputWriteError,
    UnsupportedInputError,
)

#: sleap-io palette used for tracks, in the report and in the videos alike.
PALETTE = "standard"
#: Thumbnail width, px.
THUMB_WIDTH = 240


def _sio() -> Any:
    import sleap_io as sio

    try:
        import skia  # noqa: F401  (sleap-io's renderer needs it)
    except ImportError as exc:
        raise MissingExtraError("skia-python", "render", "drawing poses") from exc
    return sio


def track_colors(names: Sequence[str]) -> dict[str, str]:
    """``#rrggbb`` per track name, as sleap-io colours tracks (by their order in the file)."""
    from sleap_io.rendering import get_palette

    pal = get_palette(PALETTE, max(len(names), 1))
    out: dict[str, str] = {}
    for i, n in enumerate(names):
        r, g, b = (int(c) for c in pal[i % len(pal)][:3])
        out[n] = f"#{r:02x}{g:02x}{b:02x}"
    return out


def _labels(dataset: Dataset) -> Any:
    import sleap_io as sio

    if isinstance(dataset.handle, sio.Labels):
        return dataset.handle
    from pose_adapters.slp import labels_from_dataset

    return labels_from_dataset(dataset)


def _open_video(path: str) -> Any:
    sio = _sio()
    if not os.path.exists(path):
        raise InputNotFoundError(f"video not found: {path}", hint="pass the video with --video")
    try:
        return sio.load_video(path)
    except Exception as exc:
        raise InputNotFoundError(f"cannot open video {path}: {exc}",
                                 hint="pass a readable video with --video") from exc


def _rgb(img: np.ndarray) -> np.ndarray:
    if img.ndim == 2:
        img = img[:, :, None]
    if img.shape[2] == 1:
        img = np.repeat(img, 3, axis=2)
    return np.ascontiguousarray(img[:, :, :3])


class SleapIoThumbnails:
    """:class:`pose_app.ports.qc.ThumbnailRenderer`: a JPEG crop around the event's animals."""

    def __init__(self, width: int = THUMB_WIDTH, margin: float = 0.6) -> None:
        self.width = width
        self.margin = margin

    def render(
        self, dataset: Dataset, video_index: int, video_path: str, shots: Sequence[Shot]
    ) -> list[bytes | None]:
        """One JPEG per shot (None for frames the video cannot decode)."""
        import cv2

        sio = _sio()
        labels = _labels(dataset)
        video = _open_video(video_path)
        out: list[bytes | None] = []
        try:
            target = labels.videos[video_index] if video_index < len(labels.videos) else None
            by_frame = {int(lf.frame_idx): lf for lf in labels.labeled_frames
                        if lf.video is target}
            for shot in shots:
                try:
                    img = _rgb(np.asarray(video[shot.frame_idx]))
                except Exception:
                    out.append(None)
                    continue
                h, w = img.shape[:2]
                crop = self._crop(by_frame.get(shot.frame_idx), shot.tracks, (h, w))
                scale = self.width / max(crop[2] - crop[0], 1)
                lf = by_frame.get(shot.frame_idx)
                if lf is not None:
                    pic = sio.render_image(labels, video=video_index, frame_idx=shot.frame_idx,
                                           image=img, crop=crop, color_by="track",
                                           palette=PALETTE, scale=scale, marker_size=3.0,
                                           line_width=1.5)
                else:
                    x1, y1, x2, y2 = crop
                    pic = cv2.resize(img[y1:y2, x1:x2], None, fx=scale, fy=scale)
                ok, buf = cv2.imencode(".jpg", cv2.cvtColor(pic, cv2.COLOR_RGB2BGR),
                                       [cv2.IMWRITE_JPEG_QUALITY, 85])
                out.append(buf.tobytes() if ok else None)
        finally:
            video.close()
        return out

    def _crop(self, lf: Any, tracks: Sequence[str], hw: tuple[int, int]) -> tuple[int, ...]:
        """A square box around the instances of ``tracks`` (all instances when none match)."""
        h, w = hw
        pts: list[np.ndarray] = []
        if lf is not None:
            chosen = [i for i in lf.instances if i.track is not None and i.track.name in tracks]
            for inst in chosen or list(lf.instances):
                p = np.asarray(inst.numpy(), dtype=np.float64)
                pts.append(p[~np.isnan(p).any(axis=1)])
        allp = np.concatenate(pts) if pts else np.zeros((0, 2))
        if len(allp) == 0:
            return (0, 0, w, h)
        (x1, y1), (x2, y2) = allp.min(0), allp.max(0)
        # at least a fifth of the frame, so that a collapsed pose still shows its surroundings
        side = max(max(x2 - x1, y2 - y1) * (1 + 2 * self.margin), 0.2 * min(h, w))
        side = min(side, float(max(h, w)))
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        bx1 = int(np.clip(cx - side / 2, 0, max(w - side, 0)))
        by1 = int(np.clip(cy - side / 2, 0, max(h - side, 0)))
        return (bx1, by1, min(int(bx1 + side), w), min(int(by1 + side), h))


class SleapIoOverlayRenderer:
    """:class:`pose_app.ports.qc.OverlayRenderer` on ``sleap_io.render_video``."""

    def count_frames(self, video_path: str) -> int:
        video = _open_video(video_path)
        try:
            return int(video.shape[0]) if video.shape is not None else 0
        finally:
            video.close()

    def render(
        self,
        dataset: Dataset,
        video_index: int,
        video_path: str,
        frames: Sequence[int],
        output_path: str,
        style: OverlayStyle,
        progress: ProgressReporter,
    ) -> int:
        sio = _sio()
        labels = _labels(dataset)
        if video_index >= len(labels.videos):
            raise UnsupportedInputError(f"the labels have no video {video_index}")
        video = labels.videos[video_index]
        _open_video(video_path).close()
        try:
            video.replace_filename(video_path, open=True)
        except Exception as exc:
            raise InputNotFoundError(f"cannot open video {video_path}: {exc}",
                                     hint="pass a readable video with --video") from exc
        folder = os.path.dirname(os.path.abspath(output_path))
        if not os.path.isdir(folder):
            raise OutputWriteError(f"output folder does not exist: {folder}",
                                   hint="create it or choose another -o")
        done = [0]
        progress.start(len(frames), os.path.basename(output_path))

        def on_progress(i: int, total: int) -> bool:
            if i > done[0]:
                progress.advance(i - done[0])
                done[0] = i
            return True

        post = _frame_label if style.frame_numbers else None
        try:
            sio.render_video(
                labels, output_path, video=video, frame_inds=list(frames),
                include_unlabeled=True, color_by="track", palette=PALETTE,
                marker_size=style.marker_size, line_width=style.line_width, scale=style.scale,
                show_trails=style.trails > 0, trail_length=max(style.trails, 1),
                crf=style.crf, post_render_callback=post, progress_callback=on_progress,
                show_progress=False,
            )
        except OSError as exc:
            raise OutputWriteError(f"cannot write {output_path}: {exc}") from exc
        finally:
            progress.advance(len(frames) - done[0])
            progress.finish()
            try:
                video.close()
            except Exception:
                pass
        return len(frames)


def _frame_label(ctx: Any) -> None:
    """Post-render callback: the frame index in the top-left corner, on a dark box."""
    import skia

    size = max(12.0, 0.03 * ctx.frame_size[1] * ctx.scale)
    font = skia.Font(None, size)
    text = f"frame {ctx.frame_idx}"
    width = font.measureText(text)
    pad = size * 0.3
    ctx.canvas.drawRect(skia.Rect.MakeXYWH(0, 0, width + 2 * pad, size + 2 * pad),
                        skia.Paint(Color=skia.ColorSetARGB(160, 0, 0, 0)))
    ctx.canvas.drawString(text, pad, size + pad * 0.5, font,
                          skia.Paint(Color=skia.ColorWHITE, AntiAlias=True))
