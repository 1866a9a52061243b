"""DeepLabCut's multi-animal layout: one row per frame, columns ``scorer / individuals /
bodyparts / coords`` (``x``, ``y``, ``likelihood``), as ``.h5`` (pandas + PyTables, key
``df_with_missing``) or ``.csv`` (four header rows). movement's DLC loader and pandas read both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from pose_app.formats import WriteContext
from pose_domain.errors import MissingExtraError

if TYPE_CHECKING:
    from pose_app.dataset import Dataset

#: The scorer level of the columns (DeepLabCut names the network there).
SCORER = "pose"


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as exc:
        raise MissingExtraError("pandas", "dlc", "DeepLabCut outputs") from exc
    return pd


def dlc_frame(dataset: Dataset, format_name: str) -> Any:
    """The DeepLabCut ``DataFrame`` of the dataset's one video."""
    import numpy as np

    from pose_adapters.formats._tables import one_video, pose_table

    pd = _pandas()
    table = pose_table(dataset, one_video(dataset, format_name))
    n_rows, n_ind, n_nodes = table.scores.shape
    values = np.concatenate([table.points, table.scores[..., None]], axis=-1)  # T, I, N, 3
    columns = pd.MultiIndex.from_product(
        [[SCORER], table.individuals, table.nodes, ["x", "y", "likelihood"]],
        names=["scorer", "individuals", "bodyparts", "coords"],
    )
    return pd.DataFrame(values.reshape(n_rows, n_ind * n_nodes * 3), columns=columns,
                        index=table.frames)


@attrs.frozen
class DlcH5Format:
    """DeepLabCut ``.h5`` (the ``df_with_missing`` table DeepLabCut writes)."""

    name: str = "dlc_h5"
    suffix: str = ".dlc.h5"
    description: str = "DeepLabCut multi-animal .h5 (pandas/PyTables), read by movement"
    requires: tuple[str, ...] = ("pandas", "tables")
    extra: str = "dlc"

    def write(self, dataset: Dataset, path: str, context: WriteContext) -> None:
        df = dlc_frame(dataset, "DeepLabCut")
        try:
            df.to_hdf(path, key="df_with_missing", format="table", mode="w")
        except ImportError as exc:
            raise MissingExtraError("tables", "dlc", "DeepLabCut .h5 outputs") from exc


@attrs.frozen
class DlcCsvFormat:
    """DeepLabCut ``.csv`` (header rows scorer, individuals, bodyparts, coords)."""

    name: str = "dlc_csv"
    suffix: str = ".dlc.csv"
    description: str = "DeepLabCut multi-animal .csv, read by movement and pandas"
    requires: tuple[str, ...] = ("pandas",)
    extra: str = "dlc"

    def write(self, dataset: Dataset, path: str, context: WriteContext) -> None:
        dlc_frame(dataset, "DeepLabCut").to_csv(path)
