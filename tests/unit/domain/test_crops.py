"""Top-down crop conventions (sleap-nn 0.3.5 parity, parity notes §3.6 Stage B)."""

from __future__ import annotations

import numpy as np
import pytest

from pose_domain.crops import centered_bbox_tl, crop_origins, crop_patches


@pytest.mark.parametrize(
    ("center", "size", "tl", "origin"),
    [(101.0, 96, 53.5, 53), (100.6, 95, 53.6, 53), (3.0, 8, -0.5, -1), (-40.0, 4, -41.5, -41)],
)
def test_bbox_tl_and_integer_origin(center, size, tl, origin):
    got_tl = centered_bbox_tl(np.array([[center, center]]), size)
    np.testing.assert_allclose(got_tl, [[tl, tl]])
    # trunc (toward zero), not floor: -41.5 + 2 = -39.5 → -39 → -41.
    assert crop_origins(got_tl, size).tolist() == [[origin, origin]]


def test_crop_copies_pixels_from_the_integer_origin():
    img = np.arange(20 * 30, dtype=np.int64).reshape(20, 30, 1).astype(np.uint16)
    tl = centered_bbox_tl(np.array([[10.0, 8.0]]), 4)  # tl = (8.5, 6.5) → origin (8, 6)
    crops = crop_patches(img, tl, 4)
    assert crops.shape == (1, 4, 4, 1) and crops.dtype == np.uint16
    np.testing.assert_array_equal(crops[0, :, :, 0], img[6:10, 8:12, 0])


def test_crop_pads_outside_the_frame_with_zeros():
    img = np.full((6, 5, 3), 7, np.uint8)
    tl = centered_bbox_tl(np.array([[0.0, 0.0], [4.0, 5.0], [100.0, 100.0]]), 4)
    crops = crop_patches(img, tl, 4)
    assert crops.shape == (3, 4, 4, 3)
    # Centre (0, 0): origin (-2, -2) → only the bottom-right 2x2 is inside.
    assert crops[0, :2].sum() == 0 and crops[0, :, :2].sum() == 0
    assert (crops[0, 2:, 2:] == 7).all()
    # Centre (4, 5): origin (2, 3) → cols 2..4 and rows 3..5 inside.
    assert (crops[1, :3, :3] == 7).all() and crops[1, 3].sum() == 0 and crops[1, :, 3].sum() == 0
    assert crops[2].sum() == 0


def test_grayscale_2d_frames_and_no_boxes():
    img = np.ones((8, 8), np.uint8)
    assert crop_patches(img, centered_bbox_tl(np.array([[4.0, 4.0]]), 4), 4).shape == (1, 4, 4, 1)
    assert crop_patches(img, np.zeros((0, 2)), 4).shape == (0, 4, 4, 1)
