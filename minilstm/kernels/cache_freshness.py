"""The kernels' cached machine code, dropped when any kernel's source has changed.

Numba caches a kernel (``cache=True``) with the machine code of every jitted function it
calls compiled in, and checks only the kernel's own source file for changes: when a kernel
of another module changes (``vector_products``, ``fast_math``...), the kernels calling it
load their old code, silently (a limitation Numba's documentation states). An edit of
``fast_math.tanh``, say, would reach no LSTM until every cache was cleared by hand.

So when the kernels are imported, ``drop_stale_caches`` compares a fingerprint of all their
sources (``sources_fingerprint``: SHA-256 over every ``.py`` file of this folder, kernels
importing only each other, NumPy and Numba) with the one stored beside the cache, in the
folder where Numba caches functions of this folder (``cache_folder``: ``__pycache__`` here,
or under ``NUMBA_CACHE_DIR``). If they differ, or none is stored, every cached kernel there
is deleted and the new fingerprint stored: the next call of each kernel compiles it anew
(an empty cache's start, ``benchmarks/bench_startup.py``), once. Hashing the sources takes
about a millisecond.
"""
import contextlib
import hashlib
import os
import pathlib

from numba.core.caching import FunctionCache

KERNELS_FOLDER = pathlib.Path(__file__).resolve().parent
FINGERPRINT_FILE = "minilstm-kernels.sha256"
CACHE_SUFFIXES = (".nbi", ".nbc")          # Numba's index and data files


def sources_fingerprint(folder=KERNELS_FOLDER):
    """SHA-256 over the name and bytes of every ``.py`` file of ``folder``, in name order."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_folder():
    """The folder where Numba caches the functions defined in this folder: its own answer
    for this function (``FunctionCache.cache_path``)."""
    return FunctionCache(cache_folder).cache_path


def drop_stale_caches(folder, fingerprint):
    """Delete every cached kernel in ``folder`` unless the fingerprint stored there is
    ``fingerprint``, then store it; returns whether the caches were dropped. Other files are
    left alone; a file another process deleted first is no error."""
    stored = pathlib.Path(folder) / FINGERPRINT_FILE
    with contextlib.suppress(FileNotFoundError):
        if stored.read_text() == fingerprint:
            return False
    for name in os.listdir(folder):
        if name.endswith(CACHE_SUFFIXES):
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(folder, name))
    written = stored.with_suffix(f".{os.getpid()}.tmp")
    written.write_text(fingerprint)
    os.replace(written, stored)              # whole, even with another process writing too
    return True
