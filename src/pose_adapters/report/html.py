"""The QC report folder: ``qc.json`` and one self-contained ``index.html`` (inline SVG and CSS,
thumbnails as data URIs, no script or file from the network)."""

from __future__ import annotations

import base64
import html
import json
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from pose_adapters._files import write_atomic
from pose_domain.errors import InputNotFoundError, OutputWriteError, UnsupportedInputError
from pose_domain.qc import QcReport

KIND_COLORS = {"swap": "#d62728", "break": "#ff7f0e", "jump": "#9467bd", "count": "#7f7f7f"}
KIND_HELP = {
    "swap": "two tracks probably exchanged animals (or one track moved to another animal)",
    "break": "a track ends and another starts where the same animal probably continues",
    "jump": "a pose moved far against its motion with no other animal near (a pose error)",
    "count": "a run of frames with more or fewer instances than usual",
}
_W = 1100  # plot width, px
_LEFT = 110  # label column, px
_BINS = 1000
_MAX_TRACK_ROWS = 60


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class HtmlReportWriter:
    """:class:`pose_app.ports.qc.ReportWriter`: ``qc.json`` + ``index.html``."""

    def __init__(self, colors: Mapping[str, str] | None = None, rows: int = 200) -> None:
        self.colors = dict(colors or {})
        self.rows = rows

    def write(
        self,
        output_dir: str,
        document: Mapping[str, Any],
        reports: Sequence[QcReport],
        thumbnails: Mapping[int, bytes],
    ) -> list[str]:
        try:
            os.makedirs(output_dir, exist_ok=True)
        except OSError as exc:
            raise OutputWriteError(f"cannot create report folder {output_dir}: {exc}") from exc
        doc = _json_safe(dict(document))
        paths = [os.path.join(output_dir, "qc.json"), os.path.join(output_dir, "index.html")]
        page = self.page(doc, reports, thumbnails)
        try:
            write_atomic(paths[0], ".tmp", lambda tmp: _write_text(tmp, json.dumps(doc, indent=1)))
            write_atomic(paths[1], ".tmp", lambda tmp: _write_text(tmp, page))
        except OSError as exc:
            raise OutputWriteError(f"cannot write the report into {output_dir}: {exc}") from exc
        return paths

    def read_previous(self, path: str) -> Mapping[str, Any]:
        """An earlier ``qc.json`` (``path`` may be the report folder)."""
        if os.path.isdir(path):
            path = os.path.join(path, "qc.json")
        if not os.path.isfile(path):
            raise InputNotFoundError(f"earlier report not found: {path}",
                                     hint="pass the qc.json (or folder) of an earlier pose qc")
        try:
            with open(path, encoding="utf-8") as fh:
                doc = json.load(fh)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise UnsupportedInputError(f"cannot read {path} as a qc.json: {exc}",
                                        hint="pass the qc.json of an earlier pose qc") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
            raise UnsupportedInputError(f"{path} is not a qc.json of pose qc",
                                        hint="pass the qc.json of an earlier pose qc")
        return doc

    # --- page -------------------------------------------------------------------------
    def page(
        self, doc: Mapping[str, Any], reports: Sequence[QcReport], thumbs: Mapping[int, bytes]
    ) -> str:
        s = doc["summary"]
        colors = self._colors(s.get("track_order", []), reports)
        parts = [_HEAD.format(title=html.escape(f"pose qc: {os.path.basename(s['predictions'])}"))]
        parts.append(f"<h1>Identity QC <small>{html.escape(s['predictions'])}</small></h1>")
        parts.append(self._summary(doc, reports))
        if s.get("recheck"):
            parts.append(_recheck(s["recheck"]))
        for rep in reports:
            v: dict[str, Any] = next(
                (x for x in s["videos"] if x["video_index"] == rep.video_index), {})
            truth = [t["frame_idx"] for t in s.get("true_switches", [])
                     if t.get("video_index") == rep.video_index]
            evs = [e for e in doc["events"] if e["video_index"] == rep.video_index]
            title = f"Timeline: video {rep.video_index}"
            if v.get("video"):
                title += f" ({html.escape(os.path.basename(v['video']))})"
            parts.append(f"<h2>{title}</h2>")
            parts.append(_timeline(rep, evs, truth, colors))
        if s.get("identity"):
            parts.append(_identity_table(s["identity"]))
        parts.append(self._events(doc, thumbs, colors))
        parts.append("</body></html>")
        return "\n".join(parts)

    def _colors(self, order: Sequence[str], reports: Sequence[QcReport]) -> dict[str, str]:
        names = list(order)
        for r in reports:
            names += [t.name for t in r.tracks if t.name not in names]
        if self.colors:
            return {n: self.colors.get(n, "#888888") for n in names}
        try:
            from pose_adapters.report.render import track_colors

            return track_colors(names)
        except ImportError:  # sleap-io's renderer absent: a fixed palette
            pal = ["#0072bd", "#d95319", "#edb120", "#7e2f8e", "#77ac30", "#4dbeee"]
            return {n: pal[i % len(pal)] for i, n in enumerate(names)}

    def _summary(self, doc: Mapping[str, Any], reports: Sequence[QcReport]) -> str:
        s = doc["summary"]
        by = s.get("events_by_kind", {})
        cards = []
        for v in s["videos"]:
            lo, hi = v["frame_range"]
            cards += [
                ("labeled frames", f"{v['labeled_frames']} (frames {lo}–{hi})"),
                ("tracks", str(len(v["tracks"]))),
                ("animals per frame (usual)", str(v["expected_count"])),
                ("frames with another count", str(v["frames_off_count"])),
            ]
        n_likely = int(s.get("n_likely", 0))
        cards += [("likely identity errors", str(n_likely)),
                  ("probably fine (below the cut-off)",
                   str(sum(by.get(k, 0) for k in ("swap", "break")) - n_likely)),
                  ("other events", str(sum(n for k, n in by.items()
                                           if k not in ("swap", "break"))))]
        if s.get("identity"):
            ident = s["identity"]
            cards.append(("true ID switches (-g)", str(ident.get("id_switches"))))
        out = ['<div class="cards">']
        out += [f'<div class="card"><div class="k">{html.escape(k)}</div>'
                f'<div class="v">{html.escape(v)}</div></div>' for k, v in cards]
        out.append("</div>")
        missing = [v for v in s["videos"] if not v["video_found"]]
        if missing:
            names = ", ".join(html.escape(v["video"] or "?") for v in missing)
            out.append(f'<p class="warn">Video not found: {names}. The events have no '
                       "thumbnails; rerun with <code>--video PATH</code> to see them.</p>")
        cut = s.get("likely_cutoff", 0.5)
        out.append(
            '<p class="help">Events are ranked: the most likely identity errors first. '
            "Frame numbers are the 0-based frame indices stored in the .slp, the numbers the "
            "SLEAP GUI shows under the video; go there to proofread. "
            f"<b>Score</b> = the estimated probability that you find a real identity error "
            "within ±3 frames of the event, calibrated on tracked files with a proofread "
            "truth (<code>benchmarks/bench_qc.py</code>, files not used for the fit): of the "
            "events scored 0.9 or more, 97 % were real; 0.7–0.9, 85 %; 0.5–0.7, about 2 in 3; "
            "0.1–0.5, about 1 in 3; below 0.1, 1 %. "
            f"Events scored {cut:g} or more are <b>likely</b> "
            f"({s.get('n_likely', 0)} here): proofread those. Below the "
            "<b>probably fine</b> line most events are not errors; skim them only if you "
            "want every last one. "
            + "; ".join(f'<b style="color:{KIND_COLORS[k]}">{k}</b>: {html.escape(t)}'
                        for k, t in KIND_HELP.items())
            + ". Thumbnails show the animals involved just before the event (left) and at "
            "it (right).</p>")
        return "\n".join(out)

    def _events(
        self, doc: Mapping[str, Any], thumbs: Mapping[int, bytes], colors: Mapping[str, str]
    ) -> str:
        events = doc["events"]
        with_truth = bool(doc["summary"].get("identity"))
        shown = events[: self.rows]
        rechecked = bool(doc["summary"].get("recheck"))
        head = ["#", "frame", "kind", "tracks", "score", "why"]
        if with_truth:
            head.append("true switch ±3")
        if rechecked:
            head.append("since the earlier report")
        head.append("before · at the event")
        n_likely = sum(1 for e in shown if e.get("likely"))
        cutoff_row = (f'<tr class="cutoff"><td colspan="{len(head)}">▲ {n_likely} likely '
                      "error(s) above · <b>probably fine</b> below (score &lt; "
                      f'{doc["summary"].get("likely_cutoff", 0.5):g}) ▼</td></tr>')
        out = [f"<h2>Events ({len(shown)} of {len(events)} shown, strongest first)</h2>",
               '<table class="events"><thead><tr>'
               + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>"]
        for k, e in enumerate(shown):
            if k == n_likely:
                out.append(cutoff_row)
            chips = " ".join(
                f'<span class="chip" style="border-color:{colors.get(t, "#888")};'
                f'color:{colors.get(t, "#888")}">{html.escape(t)}</span>' for t in e["tracks"])
            kind = e["kind"]
            cells = [
                str(e.get("rank", k + 1)),
                f'<b class="frame">{e["frame_idx"]}</b>'
                + (f'<br><small>video {e["video_index"]}</small>' if e["video_index"] else ""),
                f'<span class="badge" style="background:{KIND_COLORS.get(kind, "#555")}">'
                f"{html.escape(kind)}</span>",
                chips or "<small>all</small>",
                f'{e["score"]:.2f}',
                f'<span class="why">{html.escape(e["why"])}</span>',
            ]
            if with_truth:
                near = e.get("near_true_switch")
                cells.append("yes" if near else ("no" if kind in ("swap", "break") else ""))
            if rechecked:
                cells.append(html.escape(str(e.get("recheck", ""))))
            img = thumbs.get(k)
            if img is not None:
                b64 = base64.b64encode(img).decode("ascii")
                cells.append(f'<img alt="frame {e["frame_idx"]}" '
                             f'src="data:image/jpeg;base64,{b64}">')
            else:
                cells.append('<small class="muted">no thumbnail</small>')
            cls = "likely" if e.get("likely") else "fine"
            out.append(f'<tr id="event-{k + 1}" class="{cls}">'
                       + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        if n_likely == len(shown):
            out.append(cutoff_row)
        out.append("</tbody></table>")
        return "\n".join(out)


def _recheck(r: Mapping[str, Any]) -> str:
    """The re-check section: what became of the earlier report's likely events."""
    def frames(events: Sequence[Mapping[str, Any]]) -> str:
        if not events:
            return "none"
        return ", ".join(f'{e["frame_idx"]} ({html.escape(e["kind"])})' for e in events)

    return (
        f"<h2>Re-check against the earlier report</h2><p>"
        f"Earlier report: <code>{html.escape(str(r.get('previous', '')))}</code> with "
        f"{r.get('previous_likely', 0)} likely event(s). <i>Gone</i>: no likely event "
        "within ±3 frames now (fixed, or now judged fine); <i>remaining</i>: still one there; "
        "<i>new</i>: likely now, not before.</p>"
        '<table class="metrics">'
        f'<tr><td class="ok">gone</td><td>{len(r["gone"])}</td><td>{frames(r["gone"])}</td></tr>'
        f'<tr><td class="bad">remaining</td><td>{len(r["remaining"])}</td>'
        f'<td>{frames(r["remaining"])}</td></tr>'
        f'<tr><td class="bad">new</td><td>{len(r["new"])}</td><td>{frames(r["new"])}</td></tr>'
        "</table>")


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o644)  # a report is for reading (the temporary file is private)


def _identity_table(ident: Mapping[str, Any]) -> str:
    keys = ["id_switches", "idf1", "idp", "idr", "id_switches_clearmot", "mota",
            "fragmentations", "mostly_tracked", "partially_tracked", "mostly_lost",
            "num_gt_tracks", "num_pred_tracks", "match_by", "threshold"]
    rows = []
    for k in keys:
        v = ident.get(k)
        txt = "n/a" if v is None else (f"{v:.4f}" if isinstance(v, float) else str(v))
        rows.append(f"<tr><td>{k}</td><td>{html.escape(txt)}</td></tr>")
    return ("<h2>Identity metrics against the ground truth (as <code>pose eval</code>)</h2>"
            '<table class="metrics">' + "".join(rows) + "</table>")


def _runs(frames: Sequence[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for f in frames:
        if out and f == out[-1][1] + 1:
            out[-1] = (out[-1][0], f)
        else:
            out.append((f, f))
    return out


def _timeline(rep: QcReport, events: Sequence[Mapping[str, Any]], truth: Sequence[int],
              colors: Mapping[str, str]) -> str:
    lo, hi = rep.frame_range
    span = max(hi - lo + 1, 1)

    def x(f: float) -> float:
        return _LEFT + (f - lo) / span * _W

    row_h, gap = 14, 6
    rows: list[str] = []
    y = 8

    def label(text: str, yy: float, color: str = "#333") -> None:
        rows.append(f'<text x="{_LEFT - 8}" y="{yy + 10}" text-anchor="end" '
                    f'fill="{color}">{html.escape(text)}</text>')

    # events (identity kinds and others), the strongest 100 per row
    for title, pick in (
            ("likely errors", lambda e: e["kind"] in ("swap", "break") and e.get("likely")),
            ("probably fine", lambda e: e["kind"] in ("swap", "break") and not e.get("likely")),
            ("other events", lambda e: e["kind"] not in ("swap", "break"))):
        label(title, y)
        for e in [e for e in events if pick(e)][:100]:
            c = KIND_COLORS.get(e["kind"], "#555") if title != "probably fine" else "#bbbbbb"
            ex = x(e["frame_idx"]) - 1
            rows.append(f'<a href="#event-{e.get("rank", 0)}"><rect x="{ex:.1f}" '
                        f'y="{y}" width="3" height="{row_h}" fill="{c}"><title>#{e.get("rank")} '
                        f'{e["kind"]} at frame {e["frame_idx"]} (score {e["score"]:.2f})</title>'
                        "</rect></a>")
        y += row_h + gap
    if truth:
        label("true switches", y, "#000")
        for f in truth:
            rows.append(f'<rect x="{x(f) - 1:.1f}" y="{y}" width="2" height="{row_h}" '
                        f'fill="#000"><title>true switch at frame {f}</title></rect>')
        y += row_h + gap
    # presence per track (the longest tracks when there are many)
    shown = sorted(rep.tracks, key=lambda t: -len(t.frames))[:_MAX_TRACK_ROWS]
    hidden = len(rep.tracks) - len(shown)
    for t in [t for t in rep.tracks if t in shown]:
        c = colors.get(t.name, "#888")
        label(t.name, y, c)
        rows.append(f'<rect x="{_LEFT}" y="{y}" width="{_W}" height="{row_h}" fill="#f3f3f3"/>')
        for a, b in _runs(t.frames):
            rows.append(f'<rect x="{x(a):.1f}" y="{y}" width="{max(x(b + 1) - x(a), 0.8):.1f}" '
                        f'height="{row_h}" fill="{c}"><title>{html.escape(t.name)}: frames '
                        f"{a}–{b}</title></rect>")
        y += row_h + gap
    if hidden:
        rows.append(f'<text x="{_LEFT}" y="{y + 10}" fill="#666">{hidden} shorter tracks not '
                    "shown</text>")
        y += row_h + gap
    # instance count against the expected count
    y += 6
    ch = 60
    counts = np.array([n for _, n in rep.counts], dtype=float)
    cf = np.array([f for f, _ in rep.counts], dtype=float)
    top = max(float(counts.max()) if len(counts) else 1.0, rep.expected_count + 1.0)
    label("instances", y + ch / 2 - 8)
    rows.append(_axis(y, ch, top, "0", f"{top:g}"))
    rows.append(_series(cf, counts, x, lambda v: y + ch - v / top * ch, "#333", lo, span,
                        step=True))
    ye = y + ch - rep.expected_count / top * ch
    rows.append(f'<line x1="{_LEFT}" x2="{_LEFT + _W}" y1="{ye:.1f}" y2="{ye:.1f}" '
                f'stroke="#2ca02c" stroke-dasharray="5,4"><title>usual count '
                f"{rep.expected_count}</title></line>")
    rows.append(f'<text x="{_LEFT + _W + 4}" y="{ye + 4:.1f}" fill="#2ca02c">usual '
                f"{rep.expected_count}</text>")
    y += ch + gap + 14
    # confidence over time
    label("instance score", y + ch / 2 - 8)
    all_s = np.array([v for t in rep.tracks for v in t.scores], dtype=float)
    smax = float(np.nanmax(all_s)) if np.isfinite(all_s).any() else 1.0
    smax = max(smax, 1.0)
    rows.append(_axis(y, ch, smax, "0", f"{smax:.2g}"))
    for t in rep.tracks:
        rows.append(_series(np.array(t.frames, float), np.array(t.scores, float), x,
                            lambda v: y + ch - v / smax * ch, colors.get(t.name, "#888"),
                            lo, span))
    y += ch + 8
    # frame axis
    for f in _ticks(lo, hi):
        fx = x(float(f))
        rows.append(f'<line x1="{fx:.1f}" x2="{fx:.1f}" y1="{y}" y2="{y + 5}" stroke="#666"/>'
                    f'<text x="{fx:.1f}" y="{y + 18}" text-anchor="middle">{f}'
                    "</text>")
    rows.append(f'<text x="{_LEFT + _W / 2}" y="{y + 34}" text-anchor="middle">frame</text>')
    height = y + 42
    return (f'<svg class="timeline" width="{_LEFT + _W + 60}" height="{height}" '
            f'viewBox="0 0 {_LEFT + _W + 60} {height}" xmlns="http://www.w3.org/2000/svg">'
            + "".join(rows) + "</svg>")


def _ticks(lo: int, hi: int, n: int = 10) -> list[int]:
    """Round frame numbers (multiples of 1, 2 or 5 × 10^k) for about ``n`` ticks."""
    span = max(hi - lo, 1)
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = int(math.ceil(lo / step) * step)
    return list(range(first, hi + 1, int(step)))


def _axis(y: float, h: float, top: float, lo_txt: str, hi_txt: str) -> str:
    return (f'<rect x="{_LEFT}" y="{y}" width="{_W}" height="{h}" fill="#fafafa" '
            f'stroke="#ddd"/><text x="{_LEFT + _W + 4}" y="{y + 8}">{hi_txt}</text>'
            f'<text x="{_LEFT + _W + 4}" y="{y + h}">{lo_txt}</text>')


def _series(frames: np.ndarray, values: np.ndarray, x: Any, yv: Any, color: str, lo: int,
            span: int, step: bool = False) -> str:
    """A polyline of ``values`` binned to at most :data:`_BINS` points (mean per bin; the
    minimum for step series, so that a drop in the count stays visible)."""
    ok = np.isfinite(values)
    frames, values = frames[ok], values[ok]
    if len(frames) == 0:
        return ""
    n_bins = min(_BINS, span)
    b = np.minimum(((frames - lo) / span * n_bins).astype(int), n_bins - 1)
    pts = []
    for k in np.unique(b):
        sel = values[b == k]
        v = float(sel.min() if step else sel.mean())
        f = lo + (k + 0.5) * span / n_bins
        pts.append(f"{x(f):.1f},{yv(v):.1f}")
    return (f'<polyline fill="none" stroke="{color}" stroke-width="1.2" '
            f'points="{" ".join(pts)}"/>')


_HEAD = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }}
h1 small {{ font-weight: normal; color: #666; font-size: 14px; margin-left: 8px; }}
.cards {{ display: flex; flex-wrap: wrap; gap: 10px; }}
.card {{ border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; min-width: 130px; }}
.card .k {{ color: #666; font-size: 12px; }} .card .v {{ font-size: 18px; }}
.warn {{ background: #fff4e5; border: 1px solid #f0b36b; padding: 8px 12px; border-radius: 6px; }}
.help {{ color: #444; max-width: 1200px; }}
svg.timeline text {{ font-size: 11px; fill: #333; }}
table {{ border-collapse: collapse; }}
td, th {{ border-bottom: 1px solid #eee; padding: 4px 8px; text-align: left; vertical-align: top; }}
table.events td:nth-child(5) {{ font-variant-numeric: tabular-nums; }}
.badge {{ color: #fff; border-radius: 4px; padding: 1px 6px; }}
.chip {{ border: 1.5px solid; border-radius: 10px; padding: 0 6px; font-weight: 600; }}
.frame {{ font-size: 16px; }} .why {{ color: #444; font-size: 12px; }} .muted {{ color: #999; }}
table.events img {{ width: 400px; border-radius: 4px; display: block; }}
tr.cutoff td {{ border-top: 3px dashed #2ca02c; color: #2ca02c; text-align: center;
  font-weight: 600; padding: 6px; }}
tr.fine {{ color: #888; }} tr.fine .why {{ color: #999; }}
td.ok {{ color: #2ca02c; font-weight: 600; }} td.bad {{ color: #d62728; font-weight: 600; }}
tr:target {{ background: #fffbd6; }}
</style></head><body>"""
