"""Frame writers for rendered output: an MP4 file or a folder of PNGs, written atomically.

An MP4 is encoded into a temporary file beside the target and moved over it with
``os.replace`` only when ``close`` succeeds; on an error (``abort``, or leaving the ``with``
block with an exception) the temporary file is removed, so a failure never leaves a half
file. Each PNG is written the same way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from disclosure.atomic import discard_temporary, folder_problem, temporary_path


class WriterError(RuntimeError):
    """The output cannot be written (bad path, encoder unavailable, frame size changed)."""


class FrameWriter(Protocol):
    path: Path
    frames_written: int

    def write(self, rgb: np.ndarray) -> None: ...

    def close(self) -> None: ...

    def abort(self) -> None: ...


def is_folder_target(target: str) -> bool:
    """A target that names a folder (ends with a separator, or is an existing folder)."""
    return target.endswith(("/", os.sep)) or Path(target).is_dir()


def open_writer(target: str, fps: float) -> FrameWriter:
    """A PNG-per-frame writer when ``target`` is a folder, else an MP4 writer (``.mp4`` only)."""
    if is_folder_target(target):
        return PngFolderWriter(Path(target))
    path = Path(target)
    if path.suffix.lower() != ".mp4":
        raise WriterError(f"output {target}: expected a .mp4 file or a folder (ending with /), found {path.suffix or 'no suffix'!r}")
    return Mp4Writer(path, fps)


def _check_rgb(path: Path, rgb: np.ndarray) -> None:
    if not isinstance(rgb, np.ndarray) or rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        found = f"{rgb.shape} {rgb.dtype}" if isinstance(rgb, np.ndarray) else type(rgb).__name__
        raise WriterError(f"output {path}: expected an (H, W, 3) uint8 RGB frame, found {found}")


class Mp4Writer:
    """MPEG-4 Part 2 (``mp4v``) through OpenCV; the size is fixed by the first frame."""

    def __init__(self, path: Path, fps: float) -> None:
        if not fps > 0:
            raise WriterError(f"output {path}: expected a frame rate > 0, found {fps!r}")
        problem = folder_problem(path.parent)
        if problem is not None:
            raise WriterError(f"output {path}: {problem}; choose another --out")
        self.path = path
        self.fps = float(fps)
        self.frames_written = 0
        # OpenCV picks the container from the suffix, so the temporary name keeps ".mp4".
        self._tmp = temporary_path(path, suffix=".mp4")
        self._writer: cv2.VideoWriter | None = None
        self._size: tuple[int, int] | None = None

    def write(self, rgb: np.ndarray) -> None:
        _check_rgb(self.path, rgb)
        size = (int(rgb.shape[1]), int(rgb.shape[0]))
        if self._writer is None:
            writer = cv2.VideoWriter(str(self._tmp), cv2.VideoWriter.fourcc(*"mp4v"), self.fps, size)
            if not writer.isOpened():
                writer.release()
                self._remove_tmp()
                raise WriterError(f"output {self.path}: OpenCV cannot open an mp4v encoder for {self._tmp}")
            self._writer, self._size = writer, size
        elif size != self._size:
            first = self._size or size
            raise WriterError(f"output {self.path}: frame {self.frames_written} is {size[0]}x{size[1]}, "
                              f"expected {first[0]}x{first[1]} like the first frame")
        self._writer.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        self.frames_written += 1

    def close(self) -> None:
        """Finish the file and move it into place (no frames: no file, and an error)."""
        if self._writer is None:
            raise WriterError(f"output {self.path}: no frames to write")
        self._writer.release()
        self._writer = None
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        self._remove_tmp()

    def _remove_tmp(self) -> None:
        discard_temporary(self._tmp)

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


class PngFolderWriter:
    """``frame_00000.png``, ``frame_00001.png``, ... in a folder (created if missing)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder
        self.frames_written = 0
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriterError(f"output {folder}: cannot create the folder ({exc.strerror})") from exc
        problem = folder_problem(folder)
        if problem is not None:
            raise WriterError(f"output {folder}: {problem}; choose another --out")

    def frame_path(self, n: int) -> Path:
        return self.path / f"frame_{n:05d}.png"

    def write(self, rgb: np.ndarray) -> None:
        _check_rgb(self.path, rgb)
        target = self.frame_path(self.frames_written)
        tmp = temporary_path(target, suffix=".png")
        try:
            if not cv2.imwrite(str(tmp), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)):
                raise WriterError(f"output {target}: OpenCV could not write the PNG")
            os.replace(tmp, target)
        finally:
            discard_temporary(tmp)
        self.frames_written += 1

    def close(self) -> None:
        if self.frames_written == 0:
            raise WriterError(f"output {self.path}: no frames to write")

    def abort(self) -> None:
        return None  # frames already written are complete files

    def __enter__(self) -> PngFolderWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
