"""Each tutorial's training recipe end to end, minilstm against plain PyTorch, side by side.

    python benchmarks/bench_tutorials.py [--repeats 3] [--recipes "echo baseline" ...]

Recipes: echo baseline and echo attention (5,000 fits of one pair each), addition part B
(30 epochs of 1,000 samples, batch 10), damped sine (10,000 examples, batch 10) and one
epoch of the translation model (latent 256, batch 64). Every measurement is a fresh
process that first runs a few untimed steps of the same recipe (so Numba's kernels are
loaded and PyTorch's first-call costs are paid), then times the recipe from building
the model to its metric. Repeats alternate minilstm and PyTorch, swapping which goes
first, so that drift on a noisy machine falls on both; the table shows medians. The
machine's matrix-multiply peak and processor (``matmul_peak.py``) are printed before
and after the recipes: the same command has run here on hosts more than 2x apart.

PyTorch is optional (``pip install -e ".[bench]"``, with ``--extra-index-url
https://download.pytorch.org/whl/cpu`` for the CPU build; README): without it only
minilstm's figures are printed. ``--torch-threads`` sets ``torch.set_num_threads``
(default: PyTorch's own).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from matmul_peak import peak_line

RECIPE_NAMES = ["echo baseline", "echo attention", "addition", "damped sine",
                "translation epoch"]
METRICS = {"echo baseline": "exact match", "echo attention": "exact match",
           "addition": "exact match", "damped sine": "MAE", "translation epoch": "val loss"}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--recipes", nargs="+", choices=RECIPE_NAMES, default=RECIPE_NAMES)
    parser.add_argument("--seed", type=int, default=1, help="repeat r uses seed + r")
    parser.add_argument("--torch-threads", type=int, help="torch.set_num_threads for PyTorch")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "RECIPE"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run_worker(engine, recipe, seed, torch_threads):
    """In this process: warm up, then time one recipe; prints one JSON line."""
    if engine == "torch":
        import torch
        if torch_threads:
            torch.set_num_threads(torch_threads)
        import recipes_torch as recipes
    else:
        import recipes_minilstm as recipes
    recipes.RECIPES[recipe](seed, warmup=True)
    seconds, metric = recipes.RECIPES[recipe](seed, warmup=False)
    print(json.dumps({"seconds": seconds, "metric": metric}))


def measure(engine, recipe, seed, torch_threads):
    command = [sys.executable, __file__, "--worker", engine, recipe, "--seed", str(seed)]
    if torch_threads:
        command += ["--torch-threads", str(torch_threads)]
    completed = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def torch_installed():
    completed = subprocess.run([sys.executable, "-c", "import torch; print(torch.__version__, "
                                "torch.get_num_threads())"], capture_output=True, text=True)
    return completed.stdout.split() if completed.returncode == 0 else None


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        run_worker(*args.worker, args.seed, args.torch_threads)
        return
    torch_info = torch_installed()
    engines = ["minilstm", "torch"] if torch_info else ["minilstm"]
    print(f"{os.cpu_count()} CPU(s); " + (
        f"PyTorch {torch_info[0]}, {args.torch_threads or torch_info[1]} thread(s)"
        if torch_info else "PyTorch not installed: minilstm only") + f"; {args.repeats} repeats")
    print(peak_line() + ", before the recipes\n")
    header = f"{'recipe':>18} {'metric':>12} {'minilstm s':>11} {'metric':>8}"
    if torch_info:
        header += f" {'torch s':>9} {'metric':>8} {'torch/minilstm':>15}"
    print(header)
    started = time.perf_counter()
    for recipe in args.recipes:
        results = {engine: [] for engine in engines}
        for repeat in range(args.repeats):
            order = engines if repeat % 2 == 0 else engines[::-1]
            for engine in order:
                results[engine].append(measure(engine, recipe, args.seed + repeat,
                                               args.torch_threads))
        seconds = {e: statistics.median(r["seconds"] for r in rs) for e, rs in results.items()}
        metric = {e: statistics.median(r["metric"] for r in rs) for e, rs in results.items()}
        line = (f"{recipe:>18} {METRICS[recipe]:>12} {seconds['minilstm']:11.2f} "
                f"{metric['minilstm']:8.4f}")
        if torch_info:
            line += (f" {seconds['torch']:9.2f} {metric['torch']:8.4f} "
                     f"{seconds['torch'] / seconds['minilstm']:14.1f}x")
        print(line, flush=True)
    print(f"\n(medians of {args.repeats}; whole benchmark {time.perf_counter() - started:.0f} s)")
    print(peak_line() + ", after the recipes")


if __name__ == "__main__":
    main()
