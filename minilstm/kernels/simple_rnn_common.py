"""What both simple-RNN twins share (``simple_rnn``): the cache the forward pass keeps for
the backward pass, the start of the forward pass (checks, the input projection before the
time loop), and the products over all B·T rows after the backward time loop (dW, dU, db and
dx), as BLAS forms them (what it shares with the GRU is ``recurrent_common``'s). The twins
differ only in their time loops.
"""
from typing import NamedTuple, Optional

import numpy as np

from .lstm_common import (as_rows, column_sums, in_callers_order, in_processing_order,
                          previous_hidden_rows)
from .recurrent_activations import checked
from .recurrent_common import contiguous
from .shapes import require_given_float_dtype_and_rank, require_given_shapes
from .vector_products import flat_rows_product, given_or_zeros, gradient_arrays


class SimpleRNNCache(NamedTuple):
    """What the forward pass keeps for the backward pass."""

    x: np.ndarray               # (B, T, I) input, in processing order
    h0: np.ndarray              # (B, H)
    hidden: np.ndarray          # (B, T, H) h_t
    kernel: np.ndarray          # (I, H)
    recurrent_kernel: np.ndarray  # (H, H)
    go_backwards: bool
    recurrent_mask: Optional[np.ndarray] = None  # (B, H) m on h_{t-1}
    step_mask: Optional[np.ndarray] = None       # (B, T) bool: steps read, processing order
    activation: str = "tanh"    # φ (``recurrent_activations``)


def forward_start(x, kernel, recurrent_kernel, bias, h0, go_backwards, recurrent_mask,
                  step_mask, activation):
    """What both twins' forward loops start from: the arguments checked against the shapes
    the loops index (``shapes``' checks) and the activation's name
    (``recurrent_activations``), the input and the step mask in the order of processing;
    the cache, its hidden states a new array for the loop to fill, and p = x W + b
    ``(B, T, H)`` (``input_projection``)."""
    require_given_float_dtype_and_rank(x, (
        ("x", x), ("kernel", kernel), ("recurrent_kernel", recurrent_kernel), ("bias", bias),
        ("h0", h0), ("recurrent_mask", recurrent_mask)))
    batch, _, features = x.shape
    units = recurrent_kernel.shape[0] if recurrent_kernel.ndim else 0
    require_given_shapes((
        ("recurrent_kernel", recurrent_kernel, (units, units)),
        ("kernel", kernel, (features, units)), ("bias", bias, (units,)),
        ("h0", h0, (batch, units)), ("recurrent_mask", recurrent_mask, (batch, units))))
    activation = checked("activation", activation)
    x, reads = in_processing_order(x, step_mask, go_backwards)
    cache = SimpleRNNCache(x, given_or_zeros("h0", h0, (batch, units), x.dtype),
                           np.empty((batch, x.shape[1], units), dtype=x.dtype),   # (B, T, H)
                           kernel, np.ascontiguousarray(recurrent_kernel), go_backwards,
                           contiguous(recurrent_mask), reads, activation)
    return cache, input_projection(x, kernel, bias)


def input_projection(x, kernel, bias):
    """p_t = x_t W + b for every step at once, ``(B, T, H)``: one product over B·T rows."""
    projected = flat_rows_product(x, kernel)                              # (B, T, H)
    projected += bias
    return projected


def parameter_gradients(d_a, cache, out=None, input_gradient=True):
    """dx, dW, dU and db from every step's da_t (module docstring), as products over all
    B·T rows; ``out``: optional arrays ``(dW, dU, db)`` to write into (any None: a new
    array). dx (in the caller's order of steps) is None without ``input_gradient``."""
    out_kernel, out_recurrent, out_bias = gradient_arrays(
        out, (cache.kernel.shape, cache.recurrent_kernel.shape, cache.kernel.shape[1:]),
        ("dW", "dU", "db"), d_a.dtype)
    d_a_rows = as_rows(d_a)                                               # (B·T, H)
    np.matmul(as_rows(cache.x).T, d_a_rows, out=out_kernel)               # (I, H)
    np.matmul(previous_hidden_rows(cache).T, d_a_rows, out=out_recurrent)  # (H, H)
    column_sums(d_a_rows, out_bias)                                       # (H,)
    d_x = None
    if input_gradient:
        d_x = in_callers_order((d_a_rows @ cache.kernel.T).reshape(cache.x.shape), cache)
    return d_x, out_kernel, out_recurrent, out_bias
