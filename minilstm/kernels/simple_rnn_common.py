"""What both simple-RNN twins share (``simple_rnn``): the cache the forward pass keeps for
the backward pass, the checks at the entry, the input projection before the time loop, and
the products over all B·T rows after the backward time loop (dW, dU, db and dx), as BLAS
forms them. The twins differ only in their time loops.
"""
from typing import NamedTuple, Optional

import numpy as np

from .gru_common import previous_states
from .lstm_common import as_rows, column_sums, in_callers_order
from .shapes import require_one_float_dtype, require_shape
from .vector_products import (flat_rows_product, given_or_zeros, gradient_arrays,
                              zeros_or_copy)


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


def checked_arguments(x, kernel, recurrent_kernel, bias, h0, go_backwards, recurrent_mask,
                      step_mask):
    """The arguments checked against the shapes the loops index; the input (and the step
    mask) reversed when read backwards; h0 zeros when not given; every array C-contiguous,
    the step mask as booleans. Returns ``(x, h0, recurrent_mask, reads)``."""
    optional = (("h0", h0), ("recurrent_mask", recurrent_mask))
    require_one_float_dtype(("x", "kernel", "recurrent_kernel", "bias") + tuple(
        name for name, array in optional if array is not None),
        (x, kernel, recurrent_kernel, bias) + tuple(
            array for _, array in optional if array is not None))
    if x.ndim != 3:
        raise ValueError(f"x must have shape (batch, steps, features); got {x.shape}")
    batch, _, features = x.shape
    units = recurrent_kernel.shape[0] if recurrent_kernel.ndim else 0
    require_shape("recurrent_kernel", recurrent_kernel, (units, units))
    require_shape("kernel", kernel, (features, units))
    require_shape("bias", bias, (units,))
    for name, array in optional:
        if array is not None:
            require_shape(name, array, (batch, units))
    reads = None
    if step_mask is not None:
        reads = require_shape("step_mask", np.asarray(step_mask), x.shape[:2]) != 0
        reads = np.ascontiguousarray(reads[:, ::-1] if go_backwards else reads)  # (B, T)
    if go_backwards:
        x = x[:, ::-1]
    h0 = given_or_zeros("h0", h0, (batch, units), x.dtype)                        # (B, H)
    return (np.ascontiguousarray(x), h0,
            None if recurrent_mask is None else np.ascontiguousarray(recurrent_mask), reads)


def input_projection(x, kernel, bias):
    """p_t = x_t W + b for every step at once, ``(B, T, H)``: one product over B·T rows."""
    projected = flat_rows_product(x, kernel)                              # (B, T, H)
    projected += bias
    return projected


def backward_start(d_hidden, d_h_last, cache):
    """What both twins' backward loops start from: dL/dh_t (zeros for None), dh_next (a new
    array the loop overwrites, zeros for None) and d_a ``(B, T, H)``, to be filled."""
    batch, steps, units = cache.hidden.shape
    dtype = cache.hidden.dtype
    return (given_or_zeros("d_hidden", d_hidden, (batch, steps, units), dtype),  # (B, T, H)
            zeros_or_copy("d_h_last", d_h_last, (batch, units), dtype),          # (B, H)
            np.empty((batch, steps, units), dtype=dtype))                       # (B, T, H)


def parameter_gradients(d_a, cache, out=None, input_gradient=True):
    """dx, dW, dU and db from every step's da_t (module docstring), as products over all
    B·T rows; ``out``: optional arrays ``(dW, dU, db)`` to write into (any None: a new
    array). dx (in the caller's order of steps) is None without ``input_gradient``."""
    out_kernel, out_recurrent, out_bias = gradient_arrays(
        out, (cache.kernel.shape, cache.recurrent_kernel.shape, cache.kernel.shape[1:]),
        ("dW", "dU", "db"), d_a.dtype)
    d_a_rows = as_rows(d_a)                                               # (B·T, H)
    np.matmul(as_rows(cache.x).T, d_a_rows, out=out_kernel)               # (I, H)
    previous = previous_states(cache)                                     # (B, T, H)
    if cache.recurrent_mask is not None:
        previous = previous * cache.recurrent_mask[:, None]               # (B, T, H)
    np.matmul(as_rows(previous).T, d_a_rows, out=out_recurrent)           # (H, H)
    column_sums(d_a_rows, out_bias)                                       # (H,)
    d_x = None
    if input_gradient:
        d_x = in_callers_order((d_a_rows @ cache.kernel.T).reshape(cache.x.shape), cache)
    return d_x, out_kernel, out_recurrent, out_bias
