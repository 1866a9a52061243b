"""Every output format of one real tracked run, opened with its own ecosystem's reader and
compared point by point, score by score (NaN pattern included) with the ``.slp`` of the same
run; output names, permissions, provenance and the plug-in (issue 25)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import h5py
import numpy as np
import pytest
import sleap_io as sio

from pose_cli.main import main
from tests.conftest import DATA

VIDEO = str(DATA / "videos" / "centered_pair_small.mp4")
BOTTOMUP = str(DATA / "models" / "sleapnn" / "bottomup")
N_FRAMES = 6
FORMATS = ["slp", "pkg.slp", "analysis_h5", "nwb", "dlc_h5", "dlc_csv"]
QUIET = ["--progress", "none"]


def _plugin_installed() -> bool:
    from pose_adapters.formats import registry

    return "points_tsv" in registry().output_names()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tracked bottom-up run writing every format (and the plug-in's) under umask 022."""
    folder = tmp_path_factory.mktemp("formats")
    extra = ["points_tsv"] if _plugin_installed() else []
    args = ["track", "-i", VIDEO, "-m", BOTTOMUP, "-t", "--frames", f"0-{N_FRAMES - 1}",
            "-o", str(folder / "W.slp"), *QUIET]
    for fmt in [*FORMATS, *extra]:
        args += ["--output_format", fmt]
    old = os.umask(0o022)
    try:
        assert main(args) == 0
    finally:
        os.umask(old)
    return folder


def _expected(slp: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Track names, ``(T, I, N, 2)`` points and ``(T, I, N)`` scores from the ``.slp``."""
    labels = sio.load_slp(str(slp), open_videos=False)
    names = [t.name for t in labels.tracks]
    n_nodes = len(labels.skeletons[0].nodes)
    pts = np.full((N_FRAMES, len(names), n_nodes, 2), np.nan)
    scores = np.full((N_FRAMES, len(names), n_nodes), np.nan)
    for lf in labels.labeled_frames:
        for inst in lf.predicted_instances:
            k = labels.tracks.index(inst.track)
            pts[lf.frame_idx, k] = inst.numpy()
            scores[lf.frame_idx, k] = inst.numpy(scores=True)[:, 2]
    return names, pts, scores


def _same(a: np.ndarray, b: np.ndarray) -> None:
    assert a.shape == b.shape
    assert (np.isnan(a) == np.isnan(b)).all()
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-4, equal_nan=True)


def test_every_file_is_there_with_the_umask_mode(run: Path) -> None:
    names = {"W.slp", "W.pkg.slp", "W.analysis.h5", "W.nwb", "W.dlc.h5", "W.dlc.csv"}
    if _plugin_installed():
        names.add("W.points.tsv")
    assert {p.name for p in run.iterdir()} == names
    for p in run.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o644, p.name


def test_sleap_io_reads_the_package_with_the_same_poses(run: Path) -> None:
    names, pts, scores = _expected(run / "W.slp")
    pkg_names, pkg_pts, pkg_scores = _expected(run / "W.pkg.slp")
    assert pkg_names == names
    _same(pkg_pts, pts)
    _same(pkg_scores, scores)
    assert sio.load_slp(str(run / "W.pkg.slp")).videos[0].backend is not None  # embedded


def test_h5py_reads_the_analysis_layout(run: Path) -> None:
    names, pts, scores = _expected(run / "W.slp")
    with h5py.File(run / "W.analysis.h5") as f:
        assert [n.decode() for n in f["track_names"][:]] == names
        tracks = f["tracks"][:]  # (tracks, 2, nodes, frames)
        point_scores = f["point_scores"][:]  # (tracks, nodes, frames)
    got = tracks.transpose(3, 0, 2, 1)[:N_FRAMES]
    _same(got, pts)
    sc = point_scores.transpose(2, 0, 1)[:N_FRAMES]
    _same(np.where(np.isnan(pts[..., 0]), np.nan, sc), np.where(np.isnan(pts[..., 0]),
                                                                  np.nan, scores))


def test_pynwb_and_ndx_pose_read_one_pose_estimation_per_track(run: Path) -> None:
    pynwb = pytest.importorskip("pynwb")
    pytest.importorskip("ndx_pose")
    names, pts, scores = _expected(run / "W.slp")
    fps = sio.load_video(VIDEO).fps
    with pynwb.NWBHDF5IO(str(run / "W.nwb"), "r") as io:
        nwb = io.read()
        behavior = nwb.processing["behavior"]
        skeleton = behavior["Skeletons"].skeletons
        (sk,) = skeleton.values()
        nodes = list(sk.nodes[:])
        assert [tuple(e) for e in sk.edges[:]] == [(0, 1)]
        for k, name in enumerate(names):
            pe = behavior[name]
            assert list(pe.original_videos[:]) == [os.path.abspath(VIDEO)]
            assert pe.skeleton.name == sk.name
            for n, node in enumerate(nodes):
                series = pe.pose_estimation_series[node]
                _same(np.asarray(series.data[:]), pts[:, k, n])
                _same(np.asarray(series.confidence[:]), scores[:, k, n])
                np.testing.assert_allclose(series.timestamps[:], np.arange(N_FRAMES) / fps)


def _dlc_frame(path: Path):
    pd = pytest.importorskip("pandas")
    if path.suffix == ".csv":
        return pd.read_csv(path, header=[0, 1, 2, 3], index_col=0)
    return pd.read_hdf(path, "df_with_missing")


@pytest.mark.parametrize("name", ["W.dlc.h5", "W.dlc.csv"])
def test_pandas_reads_the_deeplabcut_layout(run: Path, name: str) -> None:
    names, pts, scores = _expected(run / "W.slp")
    df = _dlc_frame(run / name)
    assert list(df.columns.names) == ["scorer", "individuals", "bodyparts", "coords"]
    assert list(df.index) == list(range(N_FRAMES))
    assert list(df.columns.get_level_values("individuals").unique()) == names
    nodes = list(df.columns.get_level_values("bodyparts").unique())
    for k, ind in enumerate(names):
        for n, node in enumerate(nodes):
            block = df.xs((ind, node), axis=1, level=("individuals", "bodyparts"))
            block = block.droplevel("scorer", axis=1)
            _same(block[["x", "y"]].to_numpy(float), pts[:, k, n])
            _same(block["likelihood"].to_numpy(float), scores[:, k, n])


def test_movement_opens_the_nwb_and_deeplabcut_files_as_it_opens_the_slp(run: Path) -> None:
    load_poses = pytest.importorskip("movement.io.load_poses")
    pynwb = pytest.importorskip("pynwb")
    ref = load_poses.from_sleap_file(run / "W.slp")
    for name in ("W.dlc.h5", "W.dlc.csv"):
        ds = load_poses.from_dlc_file(run / name)
        assert list(ds.individuals.values) == list(ref.individuals.values)
        _same(ds.position.values, ref.position.values)
        _same(ds.confidence.values, ref.confidence.values)
    with pynwb.NWBHDF5IO(str(run / "W.nwb"), "r") as io:
        nwb = io.read()
        for k, ind in enumerate(ref.individuals.values):
            ds = load_poses.from_nwb_file(nwb, pose_estimation_key=str(ind))
            _same(ds.position.values[..., 0], ref.position.values[..., k])
            _same(ds.confidence.values[..., 0], ref.confidence.values[..., k])


def test_provenance_has_the_documented_keys(run: Path) -> None:
    prov = sio.load_slp(str(run / "W.slp"), open_videos=False).provenance
    for key in ("timestamp_start", "timestamp_end", "runtime_sec", "pose_version",
                "sleap_io_version", "torch_version", "model_paths", "model_type", "head_type",
                "source_path", "source_video_paths", "peak_threshold", "batch_size",
                "max_instances", "device", "python_version", "cuda_version", "gpu_names"):
        assert key in prov, key
    assert prov["device"] in ("cpu", "cuda", "cuda:0") and prov["pose_version"]


def test_convert_writes_any_format_from_the_slp(run: Path, tmp_path: Path) -> None:
    out = tmp_path / "C.dlc.csv"
    assert main(["convert", str(run / "W.slp"), str(out)]) == 0
    pd = pytest.importorskip("pandas")
    got = pd.read_csv(out, header=[0, 1, 2, 3], index_col=0)
    ran = pd.read_csv(run / "W.dlc.csv", header=[0, 1, 2, 3], index_col=0)
    # a converted file covers the whole video: the run's rows, then NaN
    assert len(got) == sio.load_video(VIDEO).shape[0]
    np.testing.assert_array_equal(got.iloc[:N_FRAMES].to_numpy(), ran.to_numpy())
    assert got.iloc[N_FRAMES:].isna().all().all()


@pytest.mark.skipif(not _plugin_installed(), reason="tests/plugins/pose_example_format is not "
                    "installed (scripts/env.sh installs it)")
def test_the_plugin_format_is_written_with_the_same_poses(run: Path, capsys) -> None:
    names, pts, _ = _expected(run / "W.slp")
    rows = [ln.split("\t") for ln in (run / "W.points.tsv").read_text().splitlines()[1:]]
    labels = sio.load_slp(str(run / "W.slp"), open_videos=False)
    node_index = {n.name: i for i, n in enumerate(labels.skeletons[0].nodes)}
    for _v, frame, track, node, x, y, _s in rows:
        k = names.index(track)
        np.testing.assert_allclose([float(x), float(y)],
                                   pts[int(frame), k, node_index[node]], equal_nan=True)
    assert main(["system"]) == 0
    assert "points_tsv" in capsys.readouterr().out


def test_without_plugins_pose_has_its_own_formats_only(monkeypatch, caplog) -> None:
    import importlib.metadata as md

    from pose_adapters import formats

    class Broken:
        name, value = "broken", "nowhere:Thing"

        def load(self):
            raise ImportError("no module named nowhere")

    groups = {"pose.output_formats": [Broken()]}
    monkeypatch.setattr(md, "entry_points", lambda group: groups.get(group, []))
    formats.registry.cache_clear()
    try:
        assert formats.registry().output_names() == [f.name for f in
                                                     formats.BUILTIN_OUTPUT_FORMATS]
        assert "skipping the pose.output_formats plug-in 'broken'" in caplog.text
        groups.clear()
        formats.registry.cache_clear()
        assert formats.registry().output_names() == FORMATS
    finally:
        monkeypatch.undo()
        formats.registry.cache_clear()


@pytest.mark.parametrize("case", ["txt", "hdf5"])
def test_bad_inputs_fail_at_input_checks_before_any_model_loads(case, tmp_path, capsys):
    if case == "txt":
        bad = tmp_path / "video.txt"
        bad.write_text("this is a note about the video\n")
        expect = "video.txt, line 1: no such input"
    else:
        bad = tmp_path / "video.h5"
        with h5py.File(bad, "w") as f:
            f.create_dataset("frames", data=np.zeros((2, 3, 16, 16), np.uint8))
        expect = "add --video_input_format channels_first"
    rc = main(["track", "-i", str(bad), "-m", str(tmp_path / "no_model"), *QUIET])
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("pose: error:")]
    assert rc in (1, 2) and len(lines) == 1 and expect in lines[0], lines


def test_one_individual_is_the_pose_estimation_movement_opens_by_default(
        run: Path, tmp_path: Path) -> None:
    load_poses = pytest.importorskip("movement.io.load_poses")
    labels = sio.load_slp(str(run / "W.slp"))
    first = labels.tracks[0]
    for lf in labels.labeled_frames:
        lf.instances = [i for i in lf.instances if i.track is first]
    labels.tracks = [first]
    one = tmp_path / "one.slp"
    sio.save_slp(labels, str(one))
    assert main(["convert", str(one), str(tmp_path / "one.nwb")]) == 0
    ds = load_poses.from_nwb_file(tmp_path / "one.nwb")  # the default key: PoseEstimation
    ref = load_poses.from_sleap_file(one)
    n = ref.position.shape[0]  # a converted file covers the whole video: the run's rows, NaN after
    _same(ds.position.values[:n], ref.position.values)
    assert np.isnan(ds.position.values[n:]).all()
