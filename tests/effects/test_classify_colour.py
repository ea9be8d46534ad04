"""CIEDE2000 and sRGB -> CIELAB of the classifier against published values."""

from __future__ import annotations

import numpy as np
import pytest

from effects.classify.colour import ciede2000, lab_chroma_hue, log_luminance, srgb_to_lab

# Sharma, Wu & Dalal (2005), Color Res. Appl. 30(1), Table 1: L1 a1 b1 L2 a2 b2 dE00.
SHARMA_2005 = np.array(
    [
        [50.0000, 2.6772, -79.7751, 50.0000, 0.0000, -82.7485, 2.0425],
        [50.0000, 3.1571, -77.2803, 50.0000, 0.0000, -82.7485, 2.8615],
        [50.0000, 2.8361, -74.0200, 50.0000, 0.0000, -82.7485, 3.4412],
        [50.0000, -1.3802, -84.2814, 50.0000, 0.0000, -82.7485, 1.0000],
        [50.0000, -1.1848, -84.8006, 50.0000, 0.0000, -82.7485, 1.0000],
        [50.0000, -0.9009, -85.5211, 50.0000, 0.0000, -82.7485, 1.0000],
        [50.0000, 0.0000, 0.0000, 50.0000, -1.0000, 2.0000, 2.3669],
        [50.0000, -1.0000, 2.0000, 50.0000, 0.0000, 0.0000, 2.3669],
        [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0009, 7.1792],
        [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0010, 7.1792],
        [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0011, 7.2195],
        [50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0012, 7.2195],
        [50.0000, -0.0010, 2.4900, 50.0000, 0.0009, -2.4900, 4.8045],
        [50.0000, -0.0010, 2.4900, 50.0000, 0.0010, -2.4900, 4.8045],
        [50.0000, -0.0010, 2.4900, 50.0000, 0.0011, -2.4900, 4.7461],
        [50.0000, 2.5000, 0.0000, 50.0000, 0.0000, -2.5000, 4.3065],
        [50.0000, 2.5000, 0.0000, 73.0000, 25.0000, -18.0000, 27.1492],
        [50.0000, 2.5000, 0.0000, 61.0000, -5.0000, 29.0000, 22.8977],
        [50.0000, 2.5000, 0.0000, 56.0000, -27.0000, -3.0000, 31.9030],
        [50.0000, 2.5000, 0.0000, 58.0000, 24.0000, 15.0000, 19.4535],
        [50.0000, 2.5000, 0.0000, 50.0000, 3.1736, 0.5854, 1.0000],
        [50.0000, 2.5000, 0.0000, 50.0000, 3.2972, 0.0000, 1.0000],
        [50.0000, 2.5000, 0.0000, 50.0000, 1.8634, 0.5757, 1.0000],
        [50.0000, 2.5000, 0.0000, 50.0000, 3.2592, 0.3350, 1.0000],
        [60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644],
        [63.0109, -31.0961, -5.8663, 62.8187, -29.7946, -4.0864, 1.2630],
        [61.2901, 3.7196, -5.3901, 61.4292, 2.2480, -4.9620, 1.8731],
        [35.0831, -44.1164, 3.7933, 35.0232, -40.0716, 1.5901, 1.8645],
        [22.7233, 20.0904, -46.6940, 23.0331, 14.9730, -42.5619, 2.0373],
        [36.4612, 47.8580, 18.3852, 36.2715, 50.5065, 21.2231, 1.4146],
        [90.8027, -2.0831, 1.4410, 91.1528, -1.6435, 0.0447, 1.4441],
        [90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381],
        [6.7747, -0.2908, -2.4247, 5.8714, -0.0985, -2.2286, 0.6377],
        [2.0776, 0.0795, -1.1350, 0.9033, -0.0636, -0.5514, 0.9082],
    ]
)


@pytest.mark.parametrize("row", range(len(SHARMA_2005)))
def test_ciede2000_matches_sharma_2005_test_data(row: int) -> None:
    lab1, lab2, expected = SHARMA_2005[row, :3], SHARMA_2005[row, 3:6], SHARMA_2005[row, 6]
    assert float(ciede2000(lab1, lab2)) == pytest.approx(expected, abs=1e-4)
    assert float(ciede2000(lab2, lab1)) == pytest.approx(expected, abs=1e-4), "CIEDE2000 is symmetric"


def test_ciede2000_is_vectorised_and_zero_for_equal_colours() -> None:
    got = ciede2000(SHARMA_2005[:, :3], SHARMA_2005[:, 3:6])
    assert got.shape == (34,)
    np.testing.assert_allclose(got, SHARMA_2005[:, 6], atol=1e-4)
    assert np.all(ciede2000(SHARMA_2005[:, :3], SHARMA_2005[:, :3]) == 0.0)


def test_ciede2000_rejects_arrays_that_are_not_lab() -> None:
    with pytest.raises(ValueError, match=r"ciede2000: expected Lab arrays of shape \(\.\.\., 3\), found \(4,\) and \(3,\)"):
        ciede2000(np.zeros(4), np.zeros(3))


def test_srgb_to_lab_of_known_colours() -> None:
    rgb = np.array([[255, 255, 255], [0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255], [128, 128, 128]], np.uint8)
    lab = srgb_to_lab(rgb)
    # White and black are exact; primaries as computed from IEC 61966-2-1 and CIE 15 (D65).
    np.testing.assert_allclose(lab[0], [100.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(lab[1], [0.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(lab[2], [53.24, 80.09, 67.20], atol=0.05)
    np.testing.assert_allclose(lab[3], [87.73, -86.18, 83.18], atol=0.05)
    np.testing.assert_allclose(lab[4], [32.30, 79.19, -107.86], atol=0.05)
    assert lab[5, 0] == pytest.approx(53.59, abs=0.01) and abs(lab[5, 1]) < 1e-9 and abs(lab[5, 2]) < 1e-9
    np.testing.assert_allclose(srgb_to_lab(rgb.astype(np.float64) / 255.0), lab, atol=1e-12)


def test_srgb_to_lab_rejects_wrong_shapes_and_types() -> None:
    with pytest.raises(ValueError, match=r"expected an array of shape \(\.\.\., 3\), found \(2, 4\)"):
        srgb_to_lab(np.zeros((2, 4), np.uint8))
    with pytest.raises(ValueError, match="expected uint8 or float values, found int32"):
        srgb_to_lab(np.zeros((2, 3), np.int32))


def test_chroma_and_hue() -> None:
    c, h = lab_chroma_hue(np.array([[50.0, 0.0, 10.0], [50.0, -3.0, 0.0], [50.0, 0.0, 0.0]]))
    np.testing.assert_allclose(c, [10.0, 3.0, 0.0])
    np.testing.assert_allclose(h, [90.0, 180.0, 0.0])


def test_log_luminance_keeps_texture_contrast_under_a_darkening() -> None:
    rng = np.random.default_rng(1)
    base = rng.integers(120, 200, (32, 32, 1))
    rgb = np.repeat(base, 3, axis=2).astype(np.uint8)
    darker = (rgb * 0.6).astype(np.uint8)
    # Texture (spread of values) is kept in log units, but shrinks in L*.
    log_ratio = float(log_luminance(darker).std() / log_luminance(rgb).std())
    lab_ratio = float(srgb_to_lab(darker)[..., 0].std() / srgb_to_lab(rgb)[..., 0].std())
    assert 0.85 < log_ratio < 1.05  # (the +0.01 offset and 8-bit rounding cost a little)
    assert lab_ratio < 0.7
