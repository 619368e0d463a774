"""The benchmark harness stays runnable: its recipes run and report a metric.

Speed is never asserted here (it lives in the benchmarks' output); only that the
scripts work, so that their README figures can be reproduced.
"""
import functools
import importlib
import json
import math
import os
import pathlib
import subprocess
import sys
import threading

import numpy as np
import pytest

BENCHMARKS = pathlib.Path(__file__).resolve().parent.parent / "benchmarks"


def import_benchmark(name):
    """A module of ``benchmarks/`` (a folder of scripts, not a package), imported."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def recipes_minilstm():
    return import_benchmark("recipes_minilstm")


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
    assert "overhead of fit, a step of an epoch" in completed.stdout
    assert "overhead of train_on_batch" in completed.stdout
    assert completed.stdout.startswith("matmul peak (2048 x 2048 float32, NumPy BLAS): ")


def test_a_callable_that_runs_many_steps_is_called_fewer_times_and_timed_per_step():
    bench_overhead = import_benchmark("bench_overhead")
    counts = {"one step": 0, "five steps": 0}

    def counted(name):
        def call():
            counts[name] += 1
        return call

    times = bench_overhead.microseconds({name: counted(name) for name in counts}, repeats=3,
                                        calls=10, steps_per_call={"five steps": 5})
    assert counts == {"one step": 1 + 3 * 10, "five steps": 1 + 3 * 2}   # a warm-up call each
    assert set(times) == set(counts) and min(times.values()) > 0.0


def test_kernel_steps_write_each_pass_s_weight_gradients_into_the_same_arrays():
    """As a layer's backward pass writes into the layer's gradient arrays: no fresh arrays
    a pass, whose allocation (and page faults) the timings would take in."""
    kernel_steps = import_benchmark("kernel_steps")
    from minilstm.kernels import attention, gru, lstm, simple_rnn
    rng = np.random.default_rng(0)

    def gradient_arrays_of_two_passes(make, twin, *sizes):
        given = []

        def backward(*args, out, **kwargs):
            given.append(out)
            return twin.backward_numba(*args, out=out, **kwargs)

        step = make(twin.forward_numba, backward, *sizes, "float32", rng)
        step()
        step()
        first, second = given
        assert all(a is b for a, b in zip(first, second, strict=True))
        return first

    lstm_out = gradient_arrays_of_two_passes(kernel_steps.lstm_step, lstm, 2, 3, 4, 5)
    assert [array.shape for array in lstm_out] == [(4, 20), (5, 20), (20,)]
    gru_out = gradient_arrays_of_two_passes(kernel_steps.one_state_step, gru, 2, 3, 4, 5)
    assert [array.shape for array in gru_out] == [(4, 15), (5, 15), (2, 15)]
    rnn_out = gradient_arrays_of_two_passes(
        functools.partial(kernel_steps.one_state_step, gates=1), simple_rnn, 2, 3, 4, 5)
    assert [array.shape for array in rnn_out] == [(4, 5), (5, 5), (5,)]
    attention_out = gradient_arrays_of_two_passes(kernel_steps.attention_step, attention,
                                                  2, 3, 4, 5, 6)
    assert isinstance(attention_out, attention.AttentionWeights)


def test_bench_revisions_times_both_versions_of_each_kernel_shape():
    completed = subprocess.run([sys.executable, str(BENCHMARKS / "bench_revisions.py"),
                                "--base", "HEAD", "--rounds", "1"], capture_output=True,
                               text=True, timeout=600, check=True)
    rows = [line.split() for line in completed.stdout.splitlines()[1:]]
    kernel_steps = import_benchmark("kernel_steps")
    assert [row[0] for row in rows] == ["lstm"] * len(kernel_steps.LSTM_SHAPES) \
        + ["attention"] * len(kernel_steps.ATTENTION_SHAPES)
    assert all(float(row[-3]) > 0 and float(row[-2]) > 0 for row in rows)


def test_bench_revisions_times_a_recipe_on_both_versions_of_the_kernels():
    completed = subprocess.run([sys.executable, str(BENCHMARKS / "bench_revisions.py"),
                                "--base", "HEAD", "--recipe", "damped sine", "--rounds", "1"],
                               capture_output=True, text=True, timeout=600, check=True)
    lines = completed.stdout.splitlines()
    assert lines[0].startswith("damped sine on the base's kernels: ")
    assert lines[1].startswith("damped sine on the tree's kernels: ")
    assert float(lines[2].split()[-1].rstrip("x")) > 0


def test_whole_revisions_run_their_own_package_in_separate_processes(tmp_path):
    """``--processes``: each version's recipe runs in a process that imports the package
    of that version's folder, in turns, and reports seconds."""
    bench_revisions = import_benchmark("bench_revisions")
    roots = {}
    for version in ("base", "tree"):
        root = tmp_path / version
        (root / "benchmarks").mkdir(parents=True)
        (root / "minilstm").mkdir()
        (root / "minilstm" / "__init__.py").write_text(f"VERSION = {version!r}\n")
        (root / "benchmarks" / "recipes_minilstm.py").write_text(
            "import pathlib, minilstm\n"
            "LOG = pathlib.Path(__file__).parents[2] / 'runs.txt'\n"
            "def recipe(seed, warmup):\n"
            "    with LOG.open('a') as log:\n"
            "        log.write(f'{minilstm.VERSION} {warmup}\\n')\n"
            "    return 2.5, 0.0\n"
            "RECIPES = {'damped sine': recipe}\n")
        roots[version] = root
    seconds = bench_revisions.recipe_seconds_in_processes("damped sine", roots, rounds=2)
    assert seconds == {"base": [2.5, 2.5], "tree": [2.5, 2.5]}
    assert (tmp_path / "runs.txt").read_text().split("\n")[:-1] == [
        "tree True", "tree False", "base True", "base False",
        "base True", "base False", "tree True", "tree False"]


def test_processes_without_a_recipe_is_refused():
    completed = subprocess.run([sys.executable, str(BENCHMARKS / "bench_revisions.py"),
                                "--base", "HEAD", "--processes"],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2
    assert "--processes compares recipes: give --recipe NAME too" in completed.stderr


def test_a_recipe_compared_across_revisions_runs_on_each_versions_kernels_in_turn():
    """With stand-in kernel modules for the base, the layers and optimisers see the base's
    modules in the base's runs and the tree's otherwise, and the tree's afterwards."""
    bench_revisions = import_benchmark("bench_revisions")
    base = {name: object() for name in bench_revisions.TREE_KERNELS}
    seen = []

    def recipe(seed, warmup):
        owner, attribute = bench_revisions.KERNEL_USERS["lstm"]
        module = getattr(owner, attribute)
        seen.append(("base" if module is base["lstm"] else "tree", warmup))
        return 1.0, 0.0

    seconds = bench_revisions.recipe_seconds(recipe, base, rounds=2)
    assert seen == [("base", True), ("tree", True), ("tree", False), ("base", False),
                    ("base", False), ("tree", False)]
    assert seconds == {"base": [1.0, 1.0], "tree": [1.0, 1.0]}
    for name, (owner, attribute) in bench_revisions.KERNEL_USERS.items():
        assert getattr(owner, attribute) is bench_revisions.TREE_KERNELS[name]


def test_bench_machine_reports_read_rates_and_side_by_side_ratios():
    bench_machine = import_benchmark("bench_machine")
    rates = bench_machine.read_rates(1, sizes_kb=(16, 64))
    assert set(rates) == {16, 64} and all(rate > 0.0 for rate in rates.values())
    first, second = bench_machine.separate_arrays(600)
    assert first.shape == second.shape == (600,)
    assert abs(first.ctypes.data - second.ctypes.data) >= 600 * 4 + 4096   # a page apart
    ratio = bench_machine.side_by_side_ratio(
        lambda values: bench_machine.scale_in_place(values, 10), 512, 1)
    assert ratio > 0.0


def test_bench_machine_times_the_hand_off_and_gives_the_cores_back():
    bench_machine = import_benchmark("bench_machine")
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    times = bench_machine.handoff_times(1, sizes_kb=(16,))
    if cores is None or len(cores) < 2:
        assert times is None
        return
    assert os.sched_getaffinity(0) == cores
    assert set(times) == {16} and all(t > 0.0 for pair in times.values() for t in pair)
    values = np.zeros(100, np.float32)
    writer = threading.Thread(target=bench_machine.write_on_core, args=(min(cores), values))
    writer.start()
    writer.join()
    assert np.all(values == 2.0)


def test_the_matmul_peak_counts_two_flops_per_multiply_add(monkeypatch):
    matmul_peak = import_benchmark("matmul_peak")
    assert matmul_peak.matmul_peak_gflops(size=64, repeats=1) > 0.0
    products = []

    def one_millisecond(call, repeats):
        products.append(call())
        return 1e-3
    monkeypatch.setattr(matmul_peak, "median_seconds", one_millisecond)
    assert matmul_peak.matmul_peak_gflops(size=100, repeats=3) == pytest.approx(2.0)
    assert products[0].shape == (100, 100) and products[0].dtype == "float32"


def test_the_processor_is_named_with_its_family_and_model_from_the_first_entry():
    matmul_peak = import_benchmark("matmul_peak")
    cpuinfo = ("processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 23\nmodel\t\t: 1\n"
               "model name\t: AMD EPYC\n\nprocessor\t: 1\ncpu family\t: 25\nmodel\t\t: 17\n"
               "model name\t: AMD EPYC 9654\n")
    assert matmul_peak.describe_cpu(cpuinfo) == "AMD EPYC (family 23, model 1)"
    assert matmul_peak.describe_cpu("model name\t: Some CPU\n") == "Some CPU"
    assert matmul_peak.describe_cpu("") != ""


def test_bench_optimizer_times_both_layouts_of_the_arrays_for_every_update():
    bench_optimizer = import_benchmark("bench_optimizer")
    rng = np.random.default_rng(0)
    staggered = bench_optimizer.optimizer_arrays(3000, (0, 1, 2, 3), rng)
    aliased = bench_optimizer.optimizer_arrays(3000, (0, 0, 0, 0), rng)
    assert len({array.ctypes.data % 4096 for array in staggered}) == 4
    assert len({array.ctypes.data % 4096 for array in aliased}) == 1
    for update in bench_optimizer.UPDATES.values():
        before = aliased[0].copy()
        times = bench_optimizer.pass_microseconds(update,
                                                  {"staggered": staggered, "aliased": aliased},
                                                  repeats=1, passes=2)
        assert set(times) == {"staggered", "aliased"} and min(times.values()) > 0.0
        assert not np.array_equal(before, aliased[0])       # the passes updated the weights


def test_step_parts_time_every_kernel_once_and_put_them_back():
    """Within the block every dispatched kernel a layer, the loss and the optimiser call is
    timed, once per outermost call, with its results unchanged; afterwards the kernels are
    the modules' own again."""
    from minilstm import LSTM, Dense, Sequential, losses
    from minilstm.kernels import dense, lstm, optimizers
    bench_step_parts = import_benchmark("bench_step_parts")
    originals = (lstm.forward, lstm.backward, dense.forward, dense.backward, optimizers.adam,
                 losses.crossentropy_from_logits)

    def trained_weights():
        model = Sequential([LSTM(3, input_shape=(4, 2)), Dense(2, activation="softmax")],
                           seed=5)
        model.compile(loss="categorical_crossentropy", optimizer="adam")
        x = np.random.default_rng(0).standard_normal((6, 4, 2)).astype(np.float32)
        y = np.eye(2, dtype=np.float32)[[0, 1, 1, 0, 1, 0]]
        for _ in range(3):
            model.train_on_batch(x, y)
        return model.get_weights()

    untimed = trained_weights()
    timer = bench_step_parts.KernelTimer()
    with bench_step_parts.every_kernel_timed(timer):
        assert lstm.forward is not originals[0]
        timed = trained_weights()
    assert (lstm.forward, lstm.backward, dense.forward, dense.backward, optimizers.adam,
            losses.crossentropy_from_logits) == originals
    for got, expected in zip(timed, untimed):
        np.testing.assert_array_equal(got, expected)
    calls = {module: calls for module, (_, calls) in timer.totals.items() if calls}
    # per step: the check of x's and y's finiteness, the LSTM forward and backward, the Dense
    # layer's forward and backward, its softmax and the loss's cross-entropy from its
    # logits, one update
    assert calls == {"finite": 6, "lstm": 6, "dense": 6, "softmax_crossentropy": 6,
                     "optimizers": 3}
    assert all(seconds > 0.0 for seconds, calls in timer.totals.values() if calls)


def test_a_kernel_called_from_another_counts_only_in_its_callers_time():
    bench_step_parts = import_benchmark("bench_step_parts")
    timer = bench_step_parts.KernelTimer()
    inner = timer.timed(lambda value: value + 1, "inner")
    outer = timer.timed(lambda value: inner(value) * 2, "outer")
    assert outer(1) == 4 and inner(1) == 2
    assert timer.totals["outer"][1] == 1 and timer.totals["inner"][1] == 1
    timer.clear()
    assert timer.totals == {"inner": [0.0, 0], "outer": [0.0, 0]}


def test_bench_step_parts_splits_a_recipes_step_into_its_kernels_and_the_rest():
    completed = subprocess.run([sys.executable, str(BENCHMARKS / "bench_step_parts.py"),
                                "--recipes", "damped sine", "--repeats", "1"],
                               capture_output=True, text=True, timeout=600, check=True)
    lines = completed.stdout.splitlines()
    assert lines[0].startswith("matmul peak (2048 x 2048 float32, NumPy BLAS): ")
    assert lines[2] == "damped sine: 1000 training steps a run, microseconds per step " \
                       "(the median of 1 runs)"
    parts = {line.split(":")[0].strip(): float(line.split(":")[1].split()[0])
             for line in lines[3:]}
    kernels = ["Dense kernel", "error loss kernel", "data check kernel", "LSTM kernel",
               "optimiser update"]
    assert list(parts) == ["whole step"] + kernels + ["all kernels", "the rest"]
    assert parts["all kernels"] == pytest.approx(sum(parts[name] for name in kernels), abs=0.3)
    assert parts["whole step"] == pytest.approx(parts["all kernels"] + parts["the rest"],
                                                abs=0.2)
    assert 0.0 < parts["all kernels"] < parts["whole step"]


def test_bench_gradient_routes_runs_one_backward_pass_by_each_route_with_equal_results():
    bench_gradient_routes = import_benchmark("bench_gradient_routes")
    passes = bench_gradient_routes.backward_passes(2, 8, 3, 4, True, np.random.default_rng(0))
    assert set(passes) == {"one core", "BLAS"}
    # each route writes into the same gradient arrays: keep a copy of each route's results
    one_core, blas = ([np.copy(array) for array in passes[route]()]
                      for route in ("one core", "BLAS"))
    for a, b in zip(one_core, blas):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_bench_two_cores_times_blocks_of_each_route_after_a_pause(monkeypatch):
    bench_two_cores = import_benchmark("bench_two_cores")
    monkeypatch.setattr(bench_two_cores, "SETTLE_S", 0.0)
    monkeypatch.setattr(bench_two_cores, "BLOCK_CALLS", 3)
    monkeypatch.setattr(bench_two_cores, "WARM_CALLS", 2)
    calls = []
    cases = {"shape": {route: (lambda route=route: calls.append(route))
                       for route in ("one core", "two cores")}}
    best = bench_two_cores.block_seconds(cases, rounds=2)
    assert set(best) == {("shape", "one core"), ("shape", "two cores")}
    assert all(seconds >= 0 for seconds in best.values())
    assert calls == ["one core"] * 5 + ["two cores"] * 5 + ["two cores"] * 5 + ["one core"] * 5


def test_bench_two_cores_runs_a_forward_and_backward_pass_by_each_route():
    bench_two_cores = import_benchmark("bench_two_cores")
    passes = bench_two_cores.passes(4, 80, 2, 3, True, np.random.default_rng(0))
    assert set(passes) == {"one core", "two cores"}
    for route in passes:
        passes[route]()                                  # each route runs, forced either way


def test_bench_two_cores_switches_the_rule_off_and_back(monkeypatch):
    bench_two_cores = import_benchmark("bench_two_cores")
    from minilstm.kernels import lstm_routes
    rule = lstm_routes.two_cores_pay
    with pytest.raises(RuntimeError):
        with bench_two_cores.one_core_only():
            assert lstm_routes.two_cores_pay(10, 50, 1, 20) is False
            raise RuntimeError("inside")
    assert lstm_routes.two_cores_pay is rule and rule(10, 50, 1, 20) is True


def test_a_page_fault_worker_prints_seconds_and_faults_for_each_timed_run():
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_page_faults.py"), "--worker", "damped sine",
         "--runs", "2"], capture_output=True, text=True, timeout=600, check=True)
    runs = json.loads(completed.stdout.strip().splitlines()[-1])
    assert len(runs) == 2
    for seconds, faults in runs:
        assert seconds > 0.0
        assert isinstance(faults, int) and faults >= 0


def test_bench_calls_counts_a_recipes_calls_a_step_by_kind():
    completed = subprocess.run([sys.executable, str(BENCHMARKS / "bench_calls.py"),
                                "--recipes", "damped sine"],
                               capture_output=True, text=True, timeout=600, check=True)
    lines = completed.stdout.splitlines()
    assert lines[2].split() == ["package", "other", "jitted", "C", "all"]
    assert lines[3] == "damped sine, 1000 training steps:"
    label, *counts = lines[4].split()
    assert label == "tree" and len(counts) == 5
    *kinds, total = (float(count) for count in counts)
    # every step runs the package's Python, its two LSTMs' jitted loops and NumPy's C
    assert kinds[0] > 0 and kinds[2] >= 4 and kinds[3] > 0
    assert total == pytest.approx(sum(kinds), abs=0.2)


def test_bench_calls_lists_the_functions_with_most_calls_or_most_changed(capsys):
    bench_calls = import_benchmark("bench_calls")
    base = {"a.py:f": 2.0, "b.py:g": 1.0, "c.py:h": 3.0}
    tree = {"a.py:f": 5.0, "c.py:h": 3.0, "d.py:k": 0.5}
    bench_calls.print_functions(tree, 2, base)
    assert capsys.readouterr().out.split() == ["+3.0", "a.py:f", "-1.0", "b.py:g"]
    bench_calls.print_functions(tree, 10, base)        # unchanged functions are not printed
    assert capsys.readouterr().out.split() == ["+3.0", "a.py:f", "-1.0", "b.py:g",
                                               "+0.5", "d.py:k"]
    bench_calls.print_functions(tree, 2)                # no base: the most called, unsigned
    assert capsys.readouterr().out.split() == ["5.0", "a.py:f", "3.0", "c.py:h"]
