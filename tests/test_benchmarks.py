"""The benchmark harness stays runnable: its recipes run and report a metric.

Speed is never asserted here (it lives in the benchmarks' output); only that the
scripts work, so that their README figures can be reproduced.
"""
import json
import math
import pathlib
import subprocess
import sys

import pytest

BENCHMARKS = pathlib.Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def recipes_minilstm():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import recipes_minilstm
        yield recipes_minilstm
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.mark.parametrize("name", ["echo baseline", "echo attention", "addition",
                                  "damped sine", "translation epoch"])
def test_each_minilstm_recipe_runs_its_warm_up_and_reports_a_finite_metric(
        recipes_minilstm, name):
    seconds, metric = recipes_minilstm.RECIPES[name](1, warmup=True)
    assert seconds > 0.0
    assert math.isfinite(metric)


def test_a_benchmark_worker_prints_one_json_line_with_seconds_and_metric():
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_tutorials.py"), "--worker", "minilstm",
         "damped sine", "--seed", "2"], capture_output=True, text=True, timeout=600, check=True)
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["seconds"] > 0.0
    assert 0.0 < result["metric"] < 0.1      # the recipe's MAE: the published one is 0.0217


def test_bench_overhead_reports_the_overhead_of_fit_and_train_on_batch():
    completed = subprocess.run([sys.executable, str(BENCHMARKS / "bench_overhead.py"),
                                "--repeats", "1"], capture_output=True, text=True,
                               timeout=600, check=True)
    assert "overhead of fit, one sample" in completed.stdout
    assert "overhead of train_on_batch" in completed.stdout


def test_bench_revisions_times_both_versions_of_each_kernel_shape():
    completed = subprocess.run([sys.executable, str(BENCHMARKS / "bench_revisions.py"),
                                "--base", "HEAD", "--rounds", "1"], capture_output=True,
                               text=True, timeout=600, check=True)
    rows = [line.split() for line in completed.stdout.splitlines()[1:]]
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from kernel_steps import ATTENTION_SHAPES, LSTM_SHAPES
    finally:
        sys.path.remove(str(BENCHMARKS))
    assert [row[0] for row in rows] == ["lstm"] * len(LSTM_SHAPES) \
        + ["attention"] * len(ATTENTION_SHAPES)
    assert all(float(row[-3]) > 0 and float(row[-2]) > 0 for row in rows)
