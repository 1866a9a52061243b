"""Error taxonomy shared by every layer.

Each error carries a one-line ``message`` that names the problem, and optionally a ``hint``
that names the fix. The CLI (``pose_cli.errors``) maps the two families to exit codes:

* :class:`PoseInputError` (bad input, usage): exit code 2.
* :class:`PoseRuntimeError` (a failure while running): exit code 1.

Subclasses also derive from the matching built-in (``ValueError``, ``FileNotFoundError``...) so
library users can catch either.
"""

from __future__ import annotations


class PoseError(Exception):
    """Base of every error ``pose`` raises on purpose."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """The message and the fix on one line, without newlines."""
        text = self.message if not self.hint else f"{self.message} ({self.hint})"
        return " ".join(text.split())


class PoseInputError(PoseError, ValueError):
    """The user's input (files, options) is wrong; fixing the input fixes the run."""

    exit_code = 2


class PoseRuntimeError(PoseError, RuntimeError):
    """The run failed for a reason other than bad input."""

    exit_code = 1


# --- input errors -------------------------------------------------------------------------
class InvalidOptionError(PoseInputError):
    """An option value is malformed or out of range."""


class FrameSelectionError(InvalidOptionError):
    """``--frames`` and friends are malformed or select nothing."""


class InputNotFoundError(PoseInputError, FileNotFoundError):
    """A path given by the user does not exist."""


class UnsupportedInputError(PoseInputError):
    """A file exists but cannot be used (wrong kind, corrupt, empty)."""


class ModelLoadError(PoseInputError):
    """A model folder, checkpoint or config cannot be read."""


class UnsafeModelFileError(ModelLoadError):
    """A model file asks to run code while being loaded (pickle payload, Lambda layer)."""


class IncompatibleModelsError(PoseInputError):
    """The models given cannot be combined into one pipeline."""


class SkeletonMismatchError(PoseInputError):
    """Two skeletons (or a skeleton and an array) disagree."""


class MissingExtraError(PoseInputError, ImportError):
    """An optional dependency is needed for this request and is not installed."""

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        super().__init__(
            f"{purpose} needs the optional package '{package}', which is not installed",
            hint=f"install it with: pip install 'pose[{extra}]'",
        )
        self.package = package
        self.extra = extra


class DeviceUnavailableError(PoseInputError):
    """The requested device (e.g. ``cuda``) is not present on this machine."""


# --- runtime errors -----------------------------------------------------------------------
class OutputWriteError(PoseRuntimeError, OSError):
    """Results could not be written (disk full, permissions)."""


class DecodeError(PoseRuntimeError):
    """A video frame could not be decoded."""


class InferenceError(PoseRuntimeError):
    """The network or a post-processing step failed."""


class RunInterrupted(PoseRuntimeError):
    """A run stopped on request (SIGTERM / SIGINT) after saving what it had predicted.

    Attributes:
        frames_saved: Frames persisted so far (what ``--resume`` restores).
        frames_total: Frames the run would have processed.
        last_frame_idx: The last frame predicted before the stop (None: none yet).
    """

    exit_code = 130

    def __init__(self, *, frames_saved: int, frames_total: int,
                 last_frame_idx: int | None) -> None:
        where = f", last frame {last_frame_idx}" if last_frame_idx is not None else ""
        super().__init__(
            f"interrupted: {frames_saved} of {frames_total} frame(s) saved{where}",
            hint="rerun the same command with --resume to continue",
        )
        self.frames_saved = frames_saved
        self.frames_total = frames_total
        self.last_frame_idx = last_frame_idx


class BelowAccuracyContractError(PoseRuntimeError):
    """A fast mode (bf16, int8) agreed with exact fp32 less than its contract promises on
    the run's sampled frames, and the run was told to stop then (ADR-0181). Exit code 3: a
    scheduler can tell it from a failure and rerun in exact mode."""

    exit_code = 3


class OutputLockedError(PoseRuntimeError):
    """Another run holds the lock on this output (one writer per output, ADR-0130).

    A runtime error (exit 1), not an input error: the same command succeeds once the other run
    ends, so schedulers that retry failed jobs later do the right thing.
    """


class RuntimeOutOfMemory(InferenceError, MemoryError):
    """The network runtime ran out of (device or host) memory on a batch (ADR-0133).

    Raised by the runtime adapters; :class:`pose_app.backoff.BackoffRuntime` catches it and
    retries with smaller batches, so users only see it at batch 1.

    Attributes:
        batch: The batch size that failed.
    """

    def __init__(self, message: str, *, batch: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.batch = batch
