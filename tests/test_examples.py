"""The tutorial examples run end to end and reach their acceptance figures."""
import importlib.util
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


def load_example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_echo_quick_variant_both_models_learn_and_attention_wins():
    """1,500 steps, seed 0: a short version of the tutorial's recipe."""
    echo = load_example("echo_attention")
    runs = {kind: echo.train_and_evaluate(kind, seed=0, steps=1500, n_in=5, n_out=2,
                                          cardinality=50, units=150)
            for kind in ("baseline", "attention")}
    for run in runs.values():
        assert run["losses"][-300:].mean() < 0.8 * run["losses"][:300].mean()
    assert runs["attention"]["losses"][-300:].mean() < runs["baseline"]["losses"][-300:].mean()
    assert runs["attention"]["accuracy"] >= runs["baseline"]["accuracy"] + 10


def test_echo_example_reports_runs_means_spot_checks_curves_and_heatmap(capsys):
    echo = load_example("echo_attention")
    echo.main(["--repeats", "2", "--steps", "20", "--units", "8", "--cardinality", "6",
               "--n-in", "4", "--n-out", "2"])
    out = capsys.readouterr().out
    assert out.count("-> mean") == 2 and "published" not in out   # not the published setup
    assert "Spot checks, baseline" in out and "Spot checks, attention" in out
    assert "* baseline   o attention" in out and "out 4" in out
    assert "One 20-step run takes" in out
