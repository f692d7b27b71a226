"""A directory on a tiny filesystem, so a test can meet a real full disk (ENOSPC).

``small_tmpfs(size_mb)`` mounts a fresh tmpfs of that size on a temporary directory
(needs root on Linux, as in CI) and unmounts and removes it on leaving the ``with``
block.  Where the mount is not permitted the test is skipped with the mount's
error: a monkeypatched ``OSError(28)`` is no substitute for a disk that really fills.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def small_tmpfs(size_mb: int = 4) -> Iterator[Path]:
    """Yield an empty directory whose filesystem holds ``size_mb`` MiB in all."""
    if size_mb < 1:
        raise ValueError("size_mb must be at least 1")
    if not sys.platform.startswith("linux"):
        pytest.skip(f"small_tmpfs needs Linux (tmpfs), this is {sys.platform}")
    mount, umount = shutil.which("mount"), shutil.which("umount")
    if mount is None or umount is None:
        pytest.skip("small_tmpfs needs the mount and umount commands")
    directory = Path(tempfile.mkdtemp(prefix="courier-tmpfs-"))
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0700", "tmpfs", str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        directory.rmdir()
        reason = (done.stderr or done.stdout).strip() or f"exit status {done.returncode}"
        message = f"cannot mount a {size_mb} MiB tmpfs (root on Linux needed): {reason}"
        if os.geteuid() == 0:  # as root (CI) it must work: a skip would hide the disk-full tests
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield directory
    finally:
        # A file a test left open keeps the mount busy: detach it lazily then.
        if subprocess.run([umount, str(directory)], capture_output=True, check=False).returncode:
            subprocess.run([umount, "-l", str(directory)], capture_output=True, check=False)
        with contextlib.suppress(OSError):
            directory.rmdir()


@contextlib.contextmanager
def small_ext4(size_mb: int = 8) -> Iterator[Path]:
    """Yield an empty directory on a fresh ``size_mb`` MiB ext4 image, loop-mounted.

    Unlike tmpfs, ext4 on a block device does real direct I/O (``O_DIRECT``), so a
    download's direct writes meet a real full disk here.  Skipped where the image
    cannot be made or mounted (not root, no loop devices, not Linux).
    """
    if not sys.platform.startswith("linux"):
        pytest.skip(f"small_ext4 needs Linux, this is {sys.platform}")
    mkfs, mount, umount = shutil.which("mkfs.ext4"), shutil.which("mount"), shutil.which("umount")
    if mkfs is None or mount is None or umount is None:
        pytest.skip("small_ext4 needs mkfs.ext4, mount and umount")
    work = Path(tempfile.mkdtemp(prefix="courier-ext4-"))
    image, directory = work / "disk.img", work / "mnt"
    directory.mkdir()
    with image.open("wb") as out:
        out.truncate(size_mb * 1024 * 1024)
    made = subprocess.run([mkfs, "-q", "-F", str(image)], capture_output=True, text=True)
    mounted = made.returncode == 0 and (
        subprocess.run(
            [mount, "-o", "loop", str(image), str(directory)], capture_output=True, text=True
        ).returncode
        == 0
    )
    if not mounted:
        shutil.rmtree(work, ignore_errors=True)
        pytest.skip(f"cannot make and loop-mount a {size_mb} MiB ext4 image")
    try:
        yield directory
    finally:
        if subprocess.run([umount, str(directory)], capture_output=True, check=False).returncode:
            subprocess.run([umount, "-l", str(directory)], capture_output=True, check=False)
        shutil.rmtree(work, ignore_errors=True)
