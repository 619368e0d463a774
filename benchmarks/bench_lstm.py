"""Time one forward + backward pass of each kernel per backend, and PyTorch when installed.

    python benchmarks/bench_lstm.py [--repeats 30] [--dtype float32] [--threads N] [--paths]

Four tables: the LSTM kernel (``kernels/lstm.py``), the GRU's and the simple RNN's
(``kernels/gru.py``, ``kernels/simple_rnn.py``, at the LSTM's shapes) and the echo
tutorial's attention decoder (``kernels/attention.py``), each as the median milliseconds of
the Numba and NumPy twins (and of ``torch.nn.LSTM``, ``torch.nn.GRU``, ``torch.nn.RNN`` / the
PyTorch attention decoder of ``recipes_torch.py`` when PyTorch happens to be installed: never
a dependency), their ratios, and the Numba
twin's GFLOP/s with its share of this machine's matrix-multiply peak, which the script
measures first (the median 2048 x 2048 product through NumPy's BLAS).

Both sides compute the same gradients: the weights' and the input's (the PyTorch input
tensors require grad, as the kernels return dL/dx and dL/dh).

FLOPs count the matrix products only (a multiply-add is 2 FLOPs): for the LSTM,
forward 2·B·T·(I+H)·4H and backward twice that (dx and dW, dh and dU); for the GRU and the
simple RNN the same with 3H and H. Elementwise work is
left out, so at small shapes, where it dominates, the share of peak is low by design.

``--threads N`` runs BLAS (NumPy's and PyTorch's) on N threads; by default every library
keeps its own default (all cores here). Numba's own loops run on one core, except where
``lstm_routes.two_cores_pay`` splits the LSTM's batch over two (the "2 cores" path). Numba's
compile (or cache-load) time is measured on the first call and reported on its own.
Ratios, not absolute times, are what holds from one noisy machine to another.

``--paths`` also times the LSTM's Numba twin on one core with its recurrent products forced
through hand-written loops and through BLAS: the data behind ``lstm_routes.blas_pays``;
and, on the route the shape picks, with a recurrent mask (as ``LSTM(recurrent_dropout=0.25)``
draws one while training).
"""
import argparse
import functools
import os
import pathlib
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--threads", type=int, help="BLAS threads for NumPy and PyTorch")
    parser.add_argument("--paths", action="store_true",
                        help="also time the LSTM Numba twin's loop and BLAS paths")
    return parser.parse_args()


ARGS = parse_args()
if ARGS.threads:                     # before NumPy loads its BLAS
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)

import numpy as np  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))   # the other scripts here

from kernel_steps import (ATTENTION_SHAPES, LSTM_SHAPES, attention_step,  # noqa: E402
                          lstm_step, one_state_step)
from matmul_peak import matmul_peak_gflops, median_seconds  # noqa: E402
from minilstm.kernels import attention, gru, lstm, lstm_routes, simple_rnn  # noqa: E402


def recurrent_flops(batch, steps, features, units, gates=4):
    return 3 * 2 * batch * steps * (features + units) * gates * units


def attention_flops(batch, steps, features, units, classes):
    """Forward: U_a and W_s once; per step W_a, V_a, the context, 3 gates and the output."""
    d, n, k = features, units, classes
    per_step = n * n + steps * n + steps * d + 3 * (k * n + n * n + d * n) + k * k + n * k + d * k
    forward = 2 * batch * (steps * d * n + d * n + steps * per_step)
    return 3 * forward


def load_torch(threads):
    try:
        import torch
    except ImportError:
        return None
    if threads:
        torch.set_num_threads(threads)
    return torch


def torch_recurrent_step(torch, batch, steps, features, units, dtype, layer_type="LSTM"):
    layer = getattr(torch.nn, layer_type)(features, units, batch_first=True).to(
        getattr(torch, dtype))
    x = torch.randn(batch, steps, features, dtype=getattr(torch, dtype), requires_grad=True)
    d_hidden = torch.randn(batch, steps, units, dtype=getattr(torch, dtype))

    def step():
        layer.zero_grad()
        x.grad = None
        hidden, _ = layer(x)
        hidden.backward(d_hidden)
    return step


def torch_attention_step(torch, batch, steps, features, units, classes, dtype):
    from recipes_torch import AttentionDecoder
    layer = AttentionDecoder(features, units, classes).to(getattr(torch, dtype))
    h = torch.randn(batch, steps, features, dtype=getattr(torch, dtype), requires_grad=True)
    d_outputs = torch.randn(batch, steps, classes, dtype=getattr(torch, dtype))

    def step():
        layer.zero_grad()
        h.grad = None
        layer(h).backward(d_outputs)
    return step


def table(title, shapes, label, twins, torch_step, flops, peak, args, rng, extra=None):
    numba_step, reference_step = twins
    print(f"\n{title}")
    header = (f"{label:>24} {'numba ms':>10} {'numpy ms':>10} {'numpy/numba':>12} "
              f"{'GFLOP/s':>8} {'of peak':>8}")
    if torch_step:
        header += f" {'torch ms':>10} {'torch/numba':>12}"
    if extra:
        header += extra[0]
    print(header)
    for shape in shapes:
        numba_s = median_seconds(numba_step(*shape, args.dtype, rng), args.repeats)
        numpy_s = median_seconds(reference_step(*shape, args.dtype, rng), args.repeats)
        gflops = flops(*shape) / numba_s / 1e9
        line = (f"{str(shape):>24} {1e3 * numba_s:10.3f} {1e3 * numpy_s:10.3f} "
                f"{numpy_s / numba_s:11.1f}x {gflops:8.1f} {gflops / peak:8.0%}")
        if torch_step:
            torch_s = median_seconds(torch_step(*shape, args.dtype), args.repeats)
            line += f" {1e3 * torch_s:10.3f} {torch_s / numba_s:11.1f}x"
        if extra:
            line += extra[1](shape)
        print(line, flush=True)


def lstm_paths(args, rng):
    def columns(shape):
        loops_s, blas_s = (median_seconds(lstm_step(lstm.forward_numba, lstm.backward_numba,
                                                    *shape, args.dtype, rng, blas=blas,
                                                    two_cores=False),
                                          args.repeats) for blas in (False, True))
        batch, _, _, units = shape
        mask = ((rng.random((batch, units)) >= 0.25) / 0.75).astype(args.dtype)   # (B, H)
        masked_s = median_seconds(lstm_step(lstm.forward_numba, lstm.backward_numba, *shape,
                                            args.dtype, rng, recurrent_mask=mask),
                                  args.repeats)
        chosen = ("blas" if lstm_routes.blas_pays(batch, units)
                  else "2 cores" if lstm_routes.two_cores_pay(*shape) else "loops")
        return (f" {1e3 * loops_s:10.3f} {1e3 * blas_s:10.3f} {batch * units * units:9d} "
                f"{chosen:>7} {1e3 * masked_s:10.3f}")
    return (f" {'loops ms':>10} {'blas ms':>10} {'B*H*H':>9} {'chosen':>7} {'masked ms':>10}",
            columns)


def main(args):
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    lstm_step(lstm.forward_numba, lstm.backward_numba, 1, 2, 1, 1, args.dtype, rng)()
    one_state_step(gru.forward_numba, gru.backward_numba, 1, 2, 1, 1, args.dtype, rng)()
    one_state_step(simple_rnn.forward_numba, simple_rnn.backward_numba, 1, 2, 1, 1, args.dtype,
                   rng, gates=1)()
    attention_step(attention.forward_numba, attention.backward_numba, 1, 2, 1, 1, 1,
                   args.dtype, rng)()
    print(f"Numba first calls (compile, or load from cache) for {args.dtype}: "
          f"{time.perf_counter() - start:.2f} s  (not in the tables)")
    peak = matmul_peak_gflops(args.dtype)
    torch = load_torch(args.threads)
    threads = args.threads or "default"
    print(f"matmul peak (2048 x 2048 {args.dtype}, NumPy BLAS, threads: {threads}): "
          f"{peak:.1f} GFLOP/s" + (f"; PyTorch {torch.__version__} on "
                                   f"{torch.get_num_threads()} thread(s)" if torch else ""))

    def torch_step(make):
        return (lambda *shape: make(torch, *shape)) if torch else None
    table("LSTM forward + backward", LSTM_SHAPES, "(B, T, I, H)",
          (lambda *s: lstm_step(lstm.forward_numba, lstm.backward_numba, *s),
           lambda *s: lstm_step(lstm.forward_reference, lstm.backward_reference, *s)),
          torch_step(torch_recurrent_step), recurrent_flops, peak, args, rng,
          lstm_paths(args, rng) if args.paths else None)
    for title, kernel, torch_type, gates in (("GRU", gru, "GRU", 3),
                                             ("Simple RNN", simple_rnn, "RNN", 1)):
        table(f"{title} forward + backward", LSTM_SHAPES, "(B, T, I, H)",
              (functools.partial(one_state_step, kernel.forward_numba, kernel.backward_numba,
                                 gates=gates),
               functools.partial(one_state_step, kernel.forward_reference,
                                 kernel.backward_reference, gates=gates)),
              torch_step(functools.partial(torch_recurrent_step, layer_type=torch_type)),
              functools.partial(recurrent_flops, gates=gates), peak, args, rng)
    table("Attention decoder forward + backward", ATTENTION_SHAPES, "(B, T, D, n, K)",
          (lambda *s: attention_step(attention.forward_numba, attention.backward_numba, *s),
           lambda *s: attention_step(attention.forward_reference, attention.backward_reference,
                                     *s)),
          torch_step(torch_attention_step), attention_flops, peak, args, rng)


if __name__ == "__main__":
    main(ARGS)
