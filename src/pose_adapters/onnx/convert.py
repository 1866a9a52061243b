"""torch → ONNX conversion with a content-addressed cache (ADR-0050).

The ONNX graph takes ``image``: uint8 ``(B, C, H, W)`` with dynamic ``batch``, ``channels``
(1 or 3), ``height`` and ``width`` axes, normalises (``/255``) and fixes channels inside, and
returns float32 outputs named by the :mod:`pose_app.model` output keys (``confmaps``, ``pafs``,
``class_maps``, ``class_vectors``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from pose_adapters._files import honour_umask
from pose_app.model import ModelSpec
from pose_domain.errors import InferenceError

#: Bump when the graph wrapper or the export recipe changes: invalidates every cached ONNX.
GRAPH_FORMAT = "pose-onnx-3"  # 3: class maps exported as logits (ADR-0053)
DEFAULT_OPSET = 17
#: Largest float32 difference between the ONNX graph and torch accepted at conversion time.
VERIFY_ATOL = 1e-4


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The cache folder: ``cache_dir``, else ``$POSE_CACHE_DIR``, else ``~/.cache/pose``."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    env = os.environ.get("POSE_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "pose"


def spec_to_dict(spec: ModelSpec) -> dict[str, Any]:
    """A JSON-ready dict of every ``ModelSpec`` field (tuples become lists)."""
    from pose_adapters.serialization import spec_to_dict as to_dict

    return to_dict(spec)


def _round_up(v: int, s: int) -> int:
    return max(-(-int(v) // s) * s, s)


def trace_size(spec: ModelSpec) -> tuple[int, int]:
    """``(height, width)`` used to trace the graph: small (``4 × max_stride``, at least 64 px)
    because every axis is dynamic afterwards and tracing runs the network on CPU."""
    stride = max(int(spec.max_stride), 1)
    side = _round_up(max(4 * stride, 64), stride)
    return side, side


def typical_size(spec: ModelSpec) -> tuple[int, int]:
    """The input size the network usually sees: crop size or ``max_height/width × scale``
    (capped at 512 px), padded to ``max_stride``; 256 px when the config does not say."""
    stride = max(int(spec.max_stride), 1)
    pre = spec.preprocessing
    h = pre.crop_size or (int(pre.max_height * pre.scale) if pre.max_height else 256)
    w = pre.crop_size or (int(pre.max_width * pre.scale) if pre.max_width else 256)
    return _round_up(min(int(h), 512), stride), _round_up(min(int(w), 512), stride)


def conversion_key(module: Any, spec: ModelSpec, *, opset: int = DEFAULT_OPSET) -> str:
    """A hex digest of everything the ONNX file depends on.

    Covers the weights (every ``state_dict`` tensor's name, dtype, shape and bytes), the
    architecture (``repr(module)``), the spec (without its path), the trace size, the torch
    version, the opset and :data:`GRAPH_FORMAT`. The same checkpoint reached through two paths
    shares one entry; a retrained checkpoint in the same folder gets a new one.
    """
    import torch

    h = hashlib.sha256()
    spec_d = spec_to_dict(spec)
    spec_d.pop("path", None)
    head = {
        "format": GRAPH_FORMAT,
        "torch": torch.__version__,
        "opset": int(opset),
        "trace": trace_size(spec),
        "typical": typical_size(spec),
        "spec": spec_d,
    }
    h.update(json.dumps(head, sort_keys=True).encode())
    h.update(repr(module).encode())
    for name, tensor in sorted(module.state_dict().items()):
        t = tensor.detach().cpu().contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}".encode())
        h.update(t.view(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()[:32]


def export_onnx(
    module: Any,
    spec: ModelSpec,
    path: str | os.PathLike[str],
    *,
    opset: int = DEFAULT_OPSET,
    verify: bool = True,
    metadata: dict[str, str] | None = None,
) -> tuple[str, ...]:
    """Write ``module`` (float NCHW [0,1] in, dict out) as an ONNX graph with uint8 input.

    Args:
        module: The torch network (``nn.Module``); put in eval mode here.
        spec: Its :class:`ModelSpec` (``in_channels``, ``max_stride``, preprocessing sizes).
        path: Where to write the ``.onnx`` file (written atomically).
        opset: ONNX opset version.
        verify: Run the graph in ONNX Runtime at two shapes other than the traced one (another
            batch and aspect ratio; the typical input size) and check it against torch within
            :data:`VERIFY_ATOL` (catches shapes frozen by tracing). On a mismatch the network
            is traced again at the typical size before giving up.
        metadata: Extra ``metadata_props`` entries (string → string).

    Returns:
        The output names, in graph order.

    Raises:
        InferenceError: The export failed or the graph disagrees with torch.
    """
    import onnx

    from pose_adapters.onnx._graph import UInt8Network, output_keys

    module = module.eval()
    out_path = Path(path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    small = trace_size(spec)
    wrapper = UInt8Network(module, spec.in_channels,
                           output_keys(module, spec.in_channels, small)).eval()
    keys = wrapper.keys
    # Trace small (fast); if the graph then disagrees with torch somewhere, trace again at the
    # typical size before giving up.
    attempts = [small, typical_size(spec)] if verify else [small]
    fd, tmp = tempfile.mkstemp(suffix=".onnx.tmp", dir=out_path.parent)
    os.close(fd)
    try:
        for n, size in enumerate(attempts):
            _trace(wrapper, spec, keys, size, tmp, opset)
            model = onnx.load(tmp)
            props = {"pose_output_keys": json.dumps(list(keys)),
                     "pose_graph_format": GRAPH_FORMAT}
            props.update(metadata or {})
            onnx.helper.set_model_props(model, props)
            onnx.save(model, tmp)
            if not verify:
                break
            try:
                _verify(tmp, wrapper, spec, keys, small)
                break
            except InferenceError:
                if n == len(attempts) - 1 or attempts[-1] == size:
                    raise
        honour_umask(tmp)
        os.replace(tmp, out_path)
    except InferenceError:
        raise
    except Exception as exc:
        raise InferenceError(
            f"converting the network to ONNX failed: {type(exc).__name__}: {exc}",
            hint="use --runtime torch",
        ) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return keys


def _trace(wrapper: Any, spec: ModelSpec, keys: tuple[str, ...], size: tuple[int, int],
           dest: str, opset: int) -> None:
    import torch

    dummy = torch.zeros((2, spec.in_channels, *size), dtype=torch.uint8)
    dyn = {"image": {0: "batch", 1: "channels", 2: "height", 3: "width"}}
    for k in keys:
        dyn[k] = {0: "batch"} if k == "class_vectors" else {0: "batch", 2: "out_h", 3: "out_w"}
    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapper,
            (dummy,),
            dest,
            dynamo=False,
            input_names=["image"],
            output_names=list(keys),
            dynamic_axes=dyn,
            opset_version=int(opset),
            do_constant_folding=True,
        )


def _verify(path: str, wrapper: Any, spec: ModelSpec, keys: tuple[str, ...],
            traced: tuple[int, int]) -> None:
    """Compare the graph with torch at two shapes that differ from the traced one: a small odd
    batch of another aspect ratio, and one frame at the typical input size."""
    import onnxruntime as ort
    import torch

    stride = max(int(spec.max_stride), 1)
    shapes = [(3, spec.in_channels, traced[0] + stride, max(traced[1] - stride, 2 * stride))]
    typical = typical_size(spec)
    if typical != traced:
        shapes.append((1, spec.in_channels, *typical))
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    for shape in shapes:
        image = rng.integers(0, 256, size=shape, dtype=np.uint8)
        got = sess.run(list(keys), {"image": image})
        with torch.no_grad():
            want = wrapper(torch.from_numpy(image))
        for k, a, b in zip(keys, got, want):
            b_np = b.numpy()
            if a.shape != b_np.shape:
                raise InferenceError(
                    f"ONNX output '{k}' has shape {a.shape} but torch gives {b_np.shape} at "
                    f"input {shape}: the network's shapes were frozen by tracing",
                    hint="use --runtime torch",
                )
            err = float(np.max(np.abs(a - b_np))) if a.size else 0.0
            # Logits are unbounded: compare them relative to their magnitude.
            scale = max(1.0, float(np.max(np.abs(b_np)))) if k.endswith("_logits") else 1.0
            if not err <= VERIFY_ATOL * scale:
                raise InferenceError(
                    f"ONNX output '{k}' differs from torch by {err:.2e} (> {VERIFY_ATOL:g}) "
                    f"at input {shape}",
                    hint="use --runtime torch",
                )


def cached_onnx(
    module: Any,
    spec: ModelSpec,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    opset: int = DEFAULT_OPSET,
) -> Path:
    """The cached ONNX file for this network, converting (and verifying) on a miss.

    Lives at ``<cache>/onnx/<conversion_key>/model.onnx``. Concurrent converters are safe: each
    writes a temporary file and renames it into place.
    """
    key = conversion_key(module, spec, opset=opset)
    path = cache_root(cache_dir) / "onnx" / key / "model.onnx"
    if path.is_file():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # read-only home or cache: convert into the temp folder instead
        path = Path(tempfile.gettempdir()) / "pose-cache" / "onnx" / key / "model.onnx"
        if path.is_file():
            return path
    export_onnx(module, spec, path, opset=opset, metadata={"pose_cache_key": key})
    return path


def onnx_output_keys(path: str | os.PathLike[str]) -> tuple[str, ...]:
    """The output names of an ONNX file written by :func:`export_onnx`."""
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    return tuple(o.name for o in model.graph.output)
