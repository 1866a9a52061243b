"""``.slp`` persistence through sleap-io; the only adapter that imports sleap_io for labels."""

from pose_adapters.slp.store import SlpLabelsStore, dataset_from_labels, labels_from_dataset

__all__ = [
    "SlpLabelsStore",
    "dataset_from_labels",
    "labels_from_dataset",
]
