"""The backend switch: one place, validated, scoped, readable from the environment."""
import os
import subprocess
import sys

import pytest

from minilstm import get_backend, set_backend, use_backend


def test_use_backend_switches_and_restores():
    start = get_backend()
    with use_backend("numpy"):
        assert get_backend() == "numpy"
    assert get_backend() == start


def test_unknown_backend_is_refused_with_the_valid_names():
    with pytest.raises(ValueError,
                       match=r"backend must be one of \['numba', 'numpy'\]; got 'cuda'"):
        set_backend("cuda")


def test_environment_variable_chooses_the_backend_at_import():
    env = dict(os.environ, MINILSTM_BACKEND="numpy")
    out = subprocess.run([sys.executable, "-c", "import minilstm; print(minilstm.get_backend())"],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "numpy"


def test_an_unknown_backend_in_the_environment_is_refused_naming_the_variable():
    env = dict(os.environ, MINILSTM_BACKEND="cuda")
    run = subprocess.run([sys.executable, "-c", "import minilstm"], env=env,
                         capture_output=True, text=True)
    assert run.returncode != 0
    assert ("ValueError: the environment variable MINILSTM_BACKEND must be one of "
            "['numba', 'numpy']; got 'cuda'") in run.stderr
