"""Download, verify and cache the corpus: H. G. Wells' *The Time Machine*.

Explained on the page "Converting raw text into sequence data"
(``book/text_preprocessing.md``).

Where the text comes from, in order:

1. the folder named by the environment variable ``RNNBOOK_DATA_DIR``
   (for machines without network, and for CI);
2. a per-user cache folder (``$XDG_CACHE_HOME/rnnbook`` or ``~/.cache/rnnbook``,
   overridable with ``RNNBOOK_CACHE_DIR``);
3. the public URL the source chapter downloads from, written into the cache.

Every copy, whether found or downloaded, is checked against a known SHA-1, and a
file that fails the check is never kept. The cache is written atomically (a
temporary file in the same folder, then ``os.replace``), so two builds at once,
or a download interrupted half way, never leave a truncated file behind.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from pathlib import Path

TIME_MACHINE_URL = "http://d2l-data.s3-accelerate.amazonaws.com/timemachine.txt"
TIME_MACHINE_SHA1 = "090b5e7e70c295757f55df93cb0a180b9691891a"
TIME_MACHINE_FILE = "timemachine.txt"

DATA_DIR_ENV = "RNNBOOK_DATA_DIR"
CACHE_DIR_ENV = "RNNBOOK_CACHE_DIR"


class CorpusError(RuntimeError):
    """The corpus could not be found, downloaded or verified."""


def sha1_of(data: bytes) -> str:
    """Hex SHA-1 digest of ``data``."""
    return hashlib.sha1(data).hexdigest()


def default_cache_dir() -> Path:
    """The per-user cache folder: ``RNNBOOK_CACHE_DIR``, else XDG, else ~/.cache."""
    if os.environ.get(CACHE_DIR_ENV):
        return Path(os.environ[CACHE_DIR_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rnnbook"


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new
    one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)  # atomic on POSIX and Windows within one filesystem
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fetch_verified(
    url: str = TIME_MACHINE_URL,
    sha1: str = TIME_MACHINE_SHA1,
    filename: str = TIME_MACHINE_FILE,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    timeout: float = 30.0,
) -> Path:
    """Return the path of a local, verified copy of ``url``.

    ``data_dir`` defaults to ``$RNNBOOK_DATA_DIR`` (read-only: a file there that
    fails the check is reported, not touched); ``cache_dir`` defaults to
    :func:`default_cache_dir` (a file there that fails the check is deleted and
    downloaded again).
    """
    tried: list[str] = []

    if data_dir is None and os.environ.get(DATA_DIR_ENV):
        data_dir = os.environ[DATA_DIR_ENV]
    if data_dir is not None:
        candidate = Path(data_dir) / filename
        if candidate.is_file():
            digest = sha1_of(candidate.read_bytes())
            if digest != sha1:
                raise CorpusError(
                    f"{candidate} has SHA-1 {digest}, expected {sha1}. Replace it with "
                    f"the file from {url}, or unset {DATA_DIR_ENV}."
                )
            return candidate
        tried.append(f"{candidate} (from {DATA_DIR_ENV}): not found")

    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cached = cache / filename
    if cached.is_file():
        if sha1_of(cached.read_bytes()) == sha1:
            return cached
        cached.unlink(missing_ok=True)  # corrupt or stale: never keep it
        tried.append(f"{cached}: wrong checksum, deleted")
    else:
        tried.append(f"{cached}: not cached yet")

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read()
    except (
        OSError
    ) as err:  # URLError, timeouts and refused connections are all OSErrors
        tried.append(f"{url}: {err}")
        raise CorpusError(
            "Could not find or download the corpus. Tried:\n  - "
            + "\n  - ".join(tried)
            + f"\nFix: download {url} into a folder and set {DATA_DIR_ENV} "
            "to that folder."
        ) from err
    digest = sha1_of(data)
    if digest != sha1:
        raise CorpusError(
            f"Downloaded {url} but its SHA-1 is {digest}, expected {sha1}; nothing was "
            f"saved. Try again later, or set {DATA_DIR_ENV} to a folder holding a good "
            "copy."
        )
    _atomic_write(cached, data)
    return cached


def load_time_machine(**kwargs) -> str:
    """Return the raw text of *The Time Machine* (about 179 kB, as downloaded).

    Keyword arguments are passed on to :func:`fetch_verified`.
    """
    return fetch_verified(**kwargs).read_text(encoding="utf-8")
