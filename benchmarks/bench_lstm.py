"""Time one LSTM forward + backward (BPTT) per backend, and PyTorch when installed.

    python benchmarks/bench_lstm.py [--repeats 30] [--dtype float32] [--paths]

Prints the median milliseconds for the Numba and NumPy twins (and torch.nn.LSTM
when PyTorch happens to be installed: never a dependency) and their ratios.
Numba's compile time is measured on the first call and reported on its own.
Ratios, not absolute times, are what holds from one noisy machine to another.

``--paths`` also times the Numba twin with its recurrent products forced through
hand-written loops and through BLAS: the data behind ``lstm.blas_pays``.
"""
import argparse
import statistics
import time

import numpy as np

from minilstm.kernels import lstm

SHAPES = [(1, 5, 50, 150), (1, 50, 1, 20), (10, 50, 1, 20), (10, 5, 12, 100), (64, 20, 30, 256)]


def median_ms(step, repeats):
    step()                                           # warm caches
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def minilstm_step(forward, backward, batch, steps, features, units, dtype, rng, **path):
    x = rng.standard_normal((batch, steps, features)).astype(dtype)
    kernel = (0.1 * rng.standard_normal((features, 4 * units))).astype(dtype)
    recurrent = (0.1 * rng.standard_normal((units, 4 * units))).astype(dtype)
    bias = np.zeros(4 * units, dtype=dtype)
    d_hidden = rng.standard_normal((batch, steps, units)).astype(dtype)

    def step():
        *_, cache = forward(x, kernel, recurrent, bias, **path)
        backward(d_hidden, None, None, cache, **path)
    return step


def torch_step(batch, steps, features, units, dtype):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    layer = torch.nn.LSTM(features, units, batch_first=True).to(getattr(torch, dtype))
    x = torch.randn(batch, steps, features, dtype=getattr(torch, dtype))
    d_hidden = torch.randn(batch, steps, units, dtype=getattr(torch, dtype))

    def step():
        layer.zero_grad()
        hidden, _ = layer(x)
        hidden.backward(d_hidden)
    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--paths", action="store_true",
                        help="also time the Numba twin's loop and BLAS paths")
    args = parser.parse_args()
    rng = np.random.default_rng(0)

    start = time.perf_counter()
    minilstm_step(lstm.forward_numba, lstm.backward_numba, 1, 2, 1, 1, args.dtype, rng)()
    print(f"Numba first call (compile, or load from cache) for {args.dtype}: "
          f"{time.perf_counter() - start:.2f} s  (not in the table)\n")

    header = f"{'(B, T, I, H)':>20} {'numba ms':>10} {'numpy ms':>10} {'numpy/numba':>12}"
    has_torch = torch_step(1, 1, 1, 1, args.dtype) is not None
    if has_torch:
        header += f" {'torch ms':>10} {'torch/numba':>12}"
    if args.paths:
        header += f" {'loops ms':>10} {'blas ms':>10} {'B*H*H':>9} {'chosen':>7}"
    print(header)
    for shape in SHAPES:
        numba_ms = median_ms(minilstm_step(lstm.forward_numba, lstm.backward_numba, *shape,
                                           args.dtype, rng), args.repeats)
        numpy_ms = median_ms(minilstm_step(lstm.forward_reference, lstm.backward_reference,
                                           *shape, args.dtype, rng), args.repeats)
        line = f"{str(shape):>20} {numba_ms:10.3f} {numpy_ms:10.3f} {numpy_ms / numba_ms:11.1f}x"
        if has_torch:
            torch_ms = median_ms(torch_step(*shape, args.dtype), args.repeats)
            line += f" {torch_ms:10.3f} {torch_ms / numba_ms:11.1f}x"
        if args.paths:
            loops_ms, blas_ms = (
                median_ms(minilstm_step(lstm.forward_numba, lstm.backward_numba, *shape,
                                        args.dtype, rng, blas=blas), args.repeats)
                for blas in (False, True))
            batch, _, _, units = shape
            chosen = "blas" if lstm.blas_pays(batch, units) else "loops"
            line += f" {loops_ms:10.3f} {blas_ms:10.3f} {batch * units * units:9d} {chosen:>7}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
