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

import attrs
import numpy as np

from pose_app.model import ModelSpec
from pose_domain.errors import InferenceError

#: Bump when the graph wrapper or the export recipe changes: invalidates every cached ONNX.
GRAPH_FORMAT = "pose-onnx-1"
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
    return json.loads(json.dumps(attrs.asdict(spec, recurse=True), default=list))


def trace_size(spec: ModelSpec) -> tuple[int, int]:
    """``(height, width)`` used to trace the graph: the training input size, capped at 512 px
    and rounded up to ``max_stride`` (any size works afterwards: the axes are dynamic)."""
    stride = max(int(spec.max_stride), 1)
    pre = spec.preprocessing
    h = pre.crop_size or pre.max_height or 256
    w = pre.crop_size or pre.max_width or 256
    h, w = min(int(h), 512), min(int(w), 512)
    h = max(-(-h // stride) * stride, 2 * stride)
    w = max(-(-w // stride) * stride, 2 * stride)
    return h, w


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
        verify: Run the graph in ONNX Runtime at a second, different size and batch and check
            it against torch within :data:`VERIFY_ATOL` (catches shapes frozen by tracing).
        metadata: Extra ``metadata_props`` entries (string → string).

    Returns:
        The output names, in graph order.

    Raises:
        InferenceError: The export failed or the graph disagrees with torch.
    """
    import onnx
    import torch

    from pose_adapters.onnx._graph import UInt8Network, output_keys

    module = module.eval()
    h, w = trace_size(spec)
    keys = output_keys(module, spec.in_channels, (h, w))
    wrapper = UInt8Network(module, spec.in_channels, keys).eval()
    dummy = torch.zeros((2, spec.in_channels, h, w), dtype=torch.uint8)
    out_path = Path(path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".onnx.tmp", dir=out_path.parent)
    os.close(fd)
    dyn = {"image": {0: "batch", 1: "channels", 2: "height", 3: "width"}}
    for k in keys:
        dyn[k] = {0: "batch"} if k == "class_vectors" else {0: "batch", 2: "out_h", 3: "out_w"}
    try:
        with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                wrapper,
                (dummy,),
                tmp,
                dynamo=False,
                input_names=["image"],
                output_names=list(keys),
                dynamic_axes=dyn,
                opset_version=int(opset),
                do_constant_folding=True,
            )
        model = onnx.load(tmp)
        props = {"pose_output_keys": json.dumps(list(keys)), "pose_graph_format": GRAPH_FORMAT}
        props.update(metadata or {})
        onnx.helper.set_model_props(model, props)
        onnx.save(model, tmp)
        if verify:
            _verify(tmp, wrapper, spec, keys, (h, w))
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


def _verify(path: str, wrapper: Any, spec: ModelSpec, keys: tuple[str, ...],
            size: tuple[int, int]) -> None:
    import onnxruntime as ort
    import torch

    stride = max(int(spec.max_stride), 1)
    shape = (3, spec.in_channels, size[0] + stride, max(size[1] - stride, 2 * stride))
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=shape, dtype=np.uint8)
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    got = sess.run(list(keys), {"image": image})
    with torch.no_grad():
        want = wrapper(torch.from_numpy(image))
    for k, a, b in zip(keys, got, want):
        b_np = b.numpy()
        if a.shape != b_np.shape:
            raise InferenceError(
                f"ONNX output '{k}' has shape {a.shape} but torch gives {b_np.shape} at input "
                f"{shape}: the network's shapes were frozen by tracing",
                hint="use --runtime torch",
            )
        err = float(np.max(np.abs(a - b_np))) if a.size else 0.0
        if not err <= VERIFY_ATOL:
            raise InferenceError(
                f"ONNX output '{k}' differs from torch by {err:.2e} (> {VERIFY_ATOL:g})",
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
    export_onnx(module, spec, path, opset=opset, metadata={"pose_cache_key": key})
    return path


def onnx_output_keys(path: str | os.PathLike[str]) -> tuple[str, ...]:
    """The output names of an ONNX file written by :func:`export_onnx`."""
    import onnx

    model = onnx.load(str(path), load_external_data=False)
    return tuple(o.name for o in model.graph.output)
