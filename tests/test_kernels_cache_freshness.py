"""A kernel's cache is dropped when any kernel's source changes (``kernels/cache_freshness.py``),
where Numba alone would load a caller's old machine code after an edit of its callee."""
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

import minilstm
from minilstm.kernels import attention, cache_freshness

# a kernel of attention.py whose first statement is fast_math.copy_into(bias, out): with
# every input zero but the bias, out is the bias
GATE_INPUT = textwrap.dedent("""
    import numpy as np
    from minilstm.kernels import attention
    out = np.empty(3)
    zeros = np.zeros((3, 3))
    attention._gate_input(np.arange(3.0), np.zeros(3), zeros, np.zeros(3), zeros, np.zeros(3),
                          zeros, out)
    print(out.tolist())
""")


def test_the_cache_folder_is_the_one_numba_caches_the_kernels_in():
    assert os.path.samefile(cache_freshness.cache_folder(), attention._gate_input._cache.cache_path)


def test_the_fingerprint_follows_every_source_file_of_the_folder(tmp_path):
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(f"# {name}\n")
    (tmp_path / "notes.txt").write_text("not a source")
    before = cache_freshness.sources_fingerprint(tmp_path)
    (tmp_path / "notes.txt").write_text("changed, still not a source")
    assert cache_freshness.sources_fingerprint(tmp_path) == before
    (tmp_path / "b.py").write_text("# b.py, edited\n")
    assert cache_freshness.sources_fingerprint(tmp_path) != before


def test_cached_kernels_are_dropped_only_for_another_fingerprint(tmp_path):
    cached = ["lstm.backward-12.py311.nbi", "lstm.backward-12.py311.1.nbc"]
    for name in cached + ["lstm.cpython-311.pyc"]:
        (tmp_path / name).write_text("x")
    assert cache_freshness.drop_stale_caches(tmp_path, "one") is True     # none stored yet
    assert sorted(os.listdir(tmp_path)) == sorted([cache_freshness.FINGERPRINT_FILE,
                                                   "lstm.cpython-311.pyc"])
    for name in cached:
        (tmp_path / name).write_text("x")
    assert cache_freshness.drop_stale_caches(tmp_path, "one") is False
    assert all((tmp_path / name).exists() for name in cached)
    assert cache_freshness.drop_stale_caches(tmp_path, "two") is True
    assert not any((tmp_path / name).exists() for name in cached)
    assert (tmp_path / cache_freshness.FINGERPRINT_FILE).read_text() == "two"


@pytest.mark.parametrize("fresh", [True, False])
def test_an_edited_callee_reaches_its_cached_caller_in_another_module(tmp_path, fresh):
    """A copy of the package, a kernel of attention.py run (and cached), then fast_math's
    copy_into, which it calls, edited to add 1: the next process computes with the edit.
    With the fingerprint left as stored (``fresh=False``, the check defeated), it loads
    the cached caller and computes as before: what the check prevents."""
    package = tmp_path / "minilstm"
    shutil.copytree(pathlib.Path(minilstm.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    environment = {**os.environ, "PYTHONPATH": str(tmp_path)}
    environment.pop("NUMBA_CACHE_DIR", None)

    def run():                      # in tmp_path, which ``-c`` puts first on sys.path
        completed = subprocess.run([sys.executable, "-c", GATE_INPUT], env=environment,
                                   cwd=tmp_path, capture_output=True, text=True, timeout=300,
                                   check=True)
        return completed.stdout.strip()

    assert run() == "[0.0, 1.0, 2.0]"
    fast_math = package / "kernels" / "fast_math.py"
    source = fast_math.read_text()
    assert source.count("out[j] = source[j]\n") == 1
    fast_math.write_text(source.replace("out[j] = source[j]\n", "out[j] = source[j] + 1\n"))
    if not fresh:
        stored = package / "kernels" / "__pycache__" / cache_freshness.FINGERPRINT_FILE
        stored.write_text(cache_freshness.sources_fingerprint(package / "kernels"))
    assert run() == ("[1.0, 2.0, 3.0]" if fresh else "[0.0, 1.0, 2.0]")
