"""ONNX Runtime adapter for the ``NetworkRuntime`` port."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from pose_adapters._activations import finish_outputs
from pose_adapters._oom import oom_as_domain
from pose_app.network_outputs import NetworkOutputs
from pose_domain.errors import DeviceUnavailableError, InferenceError, MissingExtraError


def cpu_threads() -> int:
    """Threads to use for one network: ``$POSE_NUM_THREADS`` or every core this process may
    use."""
    env = os.environ.get("POSE_NUM_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return max(os.cpu_count() or 1, 1)


def cuda_index(device: str) -> int | None:
    """``None`` for ``cpu``; the GPU index for ``cuda`` / ``cuda:N``."""
    d = device.lower().strip()
    if d == "cpu":
        return None
    if d == "cuda":
        return 0
    if d.startswith("cuda:") and d[5:].isdigit():
        return int(d[5:])
    raise DeviceUnavailableError(
        f"device '{device}' is not supported by this runtime", hint="use --device cpu or cuda:N"
    )


class OnnxRuntime:
    """A network running in ONNX Runtime (CPU, or CUDA with ``onnxruntime-gpu``).

    ``infer(images)`` takes uint8 ``(B, C, H, W)`` (C = 1 or 3) and returns float32 arrays by
    output key; normalisation and channel fixing happen in the graph.
    """

    name = "onnx"

    def __init__(
        self,
        onnx_path: str | os.PathLike[str],
        *,
        device: str = "cpu",
        threads: int | None = None,
    ) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise MissingExtraError("onnxruntime", "gpu", "the onnx runtime") from exc
        gpu = cuda_index(device)
        providers: list[str | tuple[str, dict[str, object]]]
        if gpu is None:
            providers = ["CPUExecutionProvider"]
        else:
            if "CUDAExecutionProvider" not in ort.get_available_providers():
                raise DeviceUnavailableError(
                    f"ONNX Runtime cannot use {device}: this onnxruntime build has no CUDA",
                    hint="install pose[gpu] (onnxruntime-gpu) or use --device cpu",
                )
            providers = [("CUDAExecutionProvider", {"device_id": gpu}), "CPUExecutionProvider"]
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.intra_op_num_threads = threads or cpu_threads()
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        # Idle workers sleep instead of spinning: the pipeline's decode and post-processing threads
        # share these cores, and spinning workers steal their time (ADR-0050).
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.path = Path(onnx_path)
        self.device = "cpu" if gpu is None else f"cuda:{gpu}"  # the device used, never auto
        try:
            self._session = ort.InferenceSession(str(self.path), opts, providers=providers)
        except Exception as exc:
            raise InferenceError(
                f"ONNX Runtime could not load {self.path}: {exc}",
                hint="delete the cached file or re-export the model",
            ) from exc
        self.output_keys = tuple(o.name for o in self._session.get_outputs())

    def infer(self, images: np.ndarray) -> NetworkOutputs:
        """Run the network on uint8 ``(B, C, H, W)``; float32 outputs by key."""
        x = np.ascontiguousarray(images, dtype=np.uint8)
        with oom_as_domain(self.name, int(x.shape[0])):  # ADR-0133
            outs = self._session.run(list(self.output_keys), {"image": x})
        return finish_outputs(
            {k: np.asarray(v, dtype=np.float32) for k, v in zip(self.output_keys, outs)}
        )
