"""Python callers pass anything: a number option given the wrong kind is one clear error."""

from __future__ import annotations

import numpy as np
import pytest

from pose_app.options import TrackOptions
from pose_domain.errors import InvalidOptionError


@pytest.mark.parametrize(("flags", "message"), [
    ({"batch_size": "4"}, "--batch_size must be an integer"),
    ({"batch_size": 2.5}, "--batch_size must be an integer"),
    ({"peak_threshold": "high"}, "--peak_threshold must be a number"),
    ({"max_instances": "x"}, "--max_instances must be an integer or None"),
    ({"tracking": "yes"}, "--tracking must be True or False"),
])
def test_wrong_kinds_are_refused_by_name(flags, message):
    with pytest.raises(InvalidOptionError, match=message):
        TrackOptions.from_flags(flags)


def test_right_kinds_pass():
    opts = TrackOptions.from_flags(batch_size=np.int64(3), peak_threshold=1, max_instances=None,
                                   integral_refinement=True, kf_node_indices=[0, 1])
    assert opts.inference.batch_size == 3 and opts.inference.peak_threshold == 1
