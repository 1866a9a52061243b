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
    """:class:`pose_app.ports.qc.ThumbnailRenderer`: a JPEG of the event's animals just before
    the event and at it, side by side in one crop, each panel labelled with its frame."""

    def __init__(self, width: int = THUMB_WIDTH, margin: float = 0.35) -> None:
        self.width = width
        self.margin = margin

    def render(
        self, dataset: Dataset, video_index: int, video_path: str, shots: Sequence[Shot]
    ) -> list[bytes | None]:
        """One JPEG per shot (None for frames the video cannot decode)."""
        import cv2

        labels = _labels(dataset)
        video = _open_video(video_path)
        out: list[bytes | None] = []
        try:
            target = labels.videos[video_index] if video_index < len(labels.videos) else None
            by_frame = {int(lf.frame_idx): lf for lf in labels.labeled_frames
                        if lf.video is target}
            for shot in shots:
                frames = ([shot.before] if shot.before is not None else []) + [shot.frame_idx]
                try:
                    images = [_rgb(np.asarray(video[f])) for f in frames]
                except Exception:
                    out.append(None)
                    continue
                h, w = images[-1].shape[:2]
                crop = self._crop([by_frame.get(f) for f in frames], shot, (h, w))
                scale = self.width / max(crop[2] - crop[0], 1)
                panels = []
                for f, img, tag in zip(frames, images, ["before", "at"][-len(frames):]):
                    pic = self._panel(labels, video_index, f, img, crop, scale,
                                      by_frame.get(f) is not None)
                    panels.append(_caption(pic, f"{tag} · frame {f}"))
                gap = np.full((panels[0].shape[0], 6, 3), 255, np.uint8)
                strip = np.concatenate([panels[0], *[x for p in panels[1:] for x in (gap, p)]],
                                       axis=1)
                ok, buf = cv2.imencode(".jpg", cv2.cvtColor(strip, cv2.COLOR_RGB2BGR),
                                       [cv2.IMWRITE_JPEG_QUALITY, 85])
                out.append(buf.tobytes() if ok else None)
        finally:
            video.close()
        return out

    def _panel(self, labels: Any, video_index: int, frame_idx: int, img: np.ndarray,
               crop: tuple[int, ...], scale: float, labeled: bool) -> np.ndarray:
        import cv2

        if labeled:
            pic = _sio().render_image(labels, video=video_index, frame_idx=frame_idx, image=img,
                                      crop=crop, color_by="track", palette=PALETTE,
                                      scale=scale, marker_size=3.0, line_width=1.5)
        else:
            x1, y1, x2, y2 = crop
            pic = cv2.resize(img[y1:y2, x1:x2], None, fx=scale, fy=scale)
        pic = np.ascontiguousarray(np.asarray(pic)[:, :, :3])
        if pic.shape[1] != self.width:  # rounding of the renderer's scale
            pic = cv2.resize(pic, (self.width, max(1, round(pic.shape[0] * self.width
                                                             / pic.shape[1]))))
        return pic

    def _crop(self, lfs: Sequence[Any], shot: Shot, hw: tuple[int, int]) -> tuple[int, ...]:
        """A square box (x1, y1, x2, y2) around the instances of the shot's tracks in all
        its frames; when they spread wider than ``shot.max_side``, around the first track at
        the event's frame. At least ``shot.min_side`` (a readable scale), at most the frame."""
        h, w = hw

        def points(lf: Any, only: Sequence[str]) -> list[np.ndarray]:
            if lf is None:
                return []
            insts = [i for i in lf.instances if i.track is not None and i.track.name in only]
            if not insts and not only:
                insts = list(lf.instances)
            out = []
            for inst in insts:
                p = np.asarray(inst.numpy(), dtype=np.float64)
                out.append(p[~np.isnan(p).any(axis=1)])
            return [p for p in out if len(p)]

        tracks = tuple(shot.tracks)
        tries = [[p for lf in lfs for p in points(lf, tracks)],
                 points(lfs[-1], tracks),
                 points(lfs[-1], tracks[:1])]
        box = None
        for pts in tries:
            if not pts:
                continue
            allp = np.concatenate(pts)
            (x1, y1), (x2, y2) = allp.min(0), allp.max(0)
            side = max(x2 - x1, y2 - y1) * (1 + 2 * self.margin)
            box = ((x1 + x2) / 2, (y1 + y2) / 2, side)
            if not shot.max_side or side <= shot.max_side:
                break
        if box is None:
            return (0, 0, w, h)
        cx, cy, side = box
        if shot.max_side:
            side = min(side, shot.max_side)
        side = min(max(side, shot.min_side, 48.0), float(min(h, w)))
        bx1 = int(np.clip(cx - side / 2, 0, max(w - side, 0)))
        by1 = int(np.clip(cy - side / 2, 0, max(h - side, 0)))
        return (bx1, by1, min(int(bx1 + side), w), min(int(by1 + side), h))


def _caption(pic: np.ndarray, text: str) -> np.ndarray:
    """``pic`` with ``text`` in a dark band above it."""
    import cv2

    band = np.full((20, pic.shape[1], 3), 40, np.uint8)
    cv2.putText(band, text, (6, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1,
                cv2.LINE_AA)
    return np.concatenate([band, pic], axis=0)


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
