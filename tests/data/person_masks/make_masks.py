"""Draw the hand-checked person masks of three public-domain reference faces.

Run from the repository root:  python tests/data/person_masks/make_masks.py
The outlines were traced by hand on a 32-pixel grid drawn over each photo (head, hair, ears,
shoulders; a hat and a held bottle count as the person, the background does not), then
checked by overlaying the mask on the photo. Each PNG is the photo's size, 255 = person.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
OUTLINES: dict[str, tuple[tuple[int, int], list[tuple[int, int]]]] = {
    # name: ((width, height), outline in pixels)
    "us_congress_C000714": ((225, 275), [
        (0, 172), (26, 159), (43, 148), (52, 140), (47, 131), (39, 116), (34, 99), (37, 84), (47, 80), (49, 71),
        (54, 52), (64, 34), (82, 21), (103, 13), (129, 11), (150, 17), (168, 30), (178, 43), (186, 60),
        (190, 82), (187, 101), (183, 120), (178, 142), (185, 165), (206, 178), (225, 191), (225, 275), (0, 275)]),
    "fsaowi_LC-USW3-042236_woman": ((300, 320), [
        (131, 93), (145, 83), (165, 80), (185, 88), (200, 100), (208, 115), (213, 130), (223, 143), (220, 155),
        (210, 168), (198, 173), (193, 175), (190, 195), (195, 200), (220, 210), (245, 220), (270, 230),
        (290, 240), (300, 250), (300, 320), (50, 320), (50, 280), (53, 260), (57, 255), (70, 243), (92, 235),
        (115, 228), (128, 210), (131, 200), (133, 185), (132, 165), (125, 155), (108, 145), (100, 135),
        (105, 120), (115, 108), (128, 95)]),
    "usnavy_grace_hopper": ((512, 600), [
        (173, 70), (197, 47), (234, 30), (272, 26), (309, 36), (342, 56), (354, 75), (370, 98), (373, 141),
        (366, 188), (361, 225), (352, 272), (328, 314), (338, 323), (375, 338), (422, 352), (469, 366),
        (497, 384), (512, 403), (512, 600), (38, 600), (36, 412), (56, 384), (94, 366), (141, 347), (188, 323),
        (197, 309), (188, 300), (178, 272), (164, 234), (158, 188), (155, 150), (159, 112), (155, 94), (169, 75)]),
}


def mask(name: str) -> np.ndarray:
    (w, h), outline = OUTLINES[name]
    out = np.zeros((h, w), np.uint8)
    cv2.fillPoly(out, [np.array(outline, np.int32)], 255)
    return out


def main() -> None:
    for name in OUTLINES:
        cv2.imwrite(str(HERE / f"{name}.png"), mask(name), [cv2.IMWRITE_PNG_COMPRESSION, 9])


if __name__ == "__main__":
    main()
