"""The tutorial examples run end to end and reach their acceptance figures."""
import pathlib
import re
import subprocess
import sys

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def run_example(name, *arguments):
    result = subprocess.run([sys.executable, str(EXAMPLES / name), *arguments],
                            capture_output=True, text=True, timeout=600, check=True)
    return result.stdout


def test_damped_sine_recipe_reaches_mae_below_0_03_with_5145_parameters():
    out = run_example("damped_sine.py", "--seed", "1", "--verbose", "0")
    assert "Total params: 5,145" in out
    mae = float(re.search(r"MAE on 1,000 fresh examples: ([0-9.]+)", out).group(1))
    assert mae <= 0.03, out
    assert "* expected" in out and "o predicted" in out
