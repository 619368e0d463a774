"""The LSTM's products after the backward time loop by jitted loops (``lstm``'s Numba twin):
dW = Σ x_rowᵀ dz_row, dU = Σ_t h_{t-1}ᵀ dz_t and db = Σ_t dz_t written into their arrays,
for a few rows (``lstm_routes.few_gradient_rows``) or for narrow products over many rows
(``lstm_routes.one_core_pays``), and Σ_t dz_t for input that repeats its first step. The
same products through BLAS are ``lstm_common.weight_gradients``."""
import numpy as np

from .fast_math import copy_into, product_into
from .input_rows import hot_rows_transposed_times
from .jitting import kernel_jit
from .lstm_common import distinct_rows
from .vector_products import (gradient_arrays, outer_products_sum,
                              outer_products_sum_by_row_blocks, sum_of_rows)


@kernel_jit()
def _recurrent_rows(h0, hidden, d_z_rows, zero_start, recurrent_mask):
    """The jitted loops' pairs of dU = Σ_t h_{t-1}ᵀ dz_t (``previous_hidden_rows``),
    gathered inside them rather than by NumPy calls before: h_{t-1} as rows (P, H) (h_{t-1}
    ⊙ m with a ``recurrent_mask`` m, else None) and the rows of dz they pair with (P, 4H),
    from every step (``d_z_rows`` itself), or from the second on with ``zero_start``."""
    batch, steps, units = hidden.shape
    first = 1 if zero_start and steps > 0 else 0
    pairs = steps - first
    previous = np.empty((batch * pairs, units), hidden.dtype)          # (P, H)
    d_z_pairs = d_z_rows
    if first:
        d_z_pairs = np.empty((batch * pairs, d_z_rows.shape[1]), d_z_rows.dtype)  # (P, 4H)
    for b in range(batch):
        for t in range(first, steps):
            row = b * pairs + t - first
            if recurrent_mask is None:
                copy_into(h0[b] if t == 0 else hidden[b, t - 1], previous[row])
            else:
                product_into(h0[b] if t == 0 else hidden[b, t - 1], recurrent_mask[b],
                             previous[row])
            if first:
                copy_into(d_z_rows[b * steps + t], d_z_pairs[row])
    return previous, d_z_pairs


@kernel_jit()
def _weight_gradients_loops(x_rows, x_d_z_rows, hot, h0, hidden, d_z_rows, recurrent_mask,
                            zero_start, d_kernel, d_recurrent_kernel, d_bias):
    """``weight_gradients`` for a few rows, in one jitted call: dW = Σ x_rowᵀ dz_row over
    x's distinct rows and their rows of dz (``distinct_rows``), dU = Σ h_{t-1}ᵀ dz_t
    (``_recurrent_rows``; h_{t-1} ⊙ m with a ``recurrent_mask``), db = Σ dz_t, each written
    into its array. ``hot``: the columns of x's rows when they are one-hot (``input_rows``),
    by which dW then sums dz's rows; empty otherwise."""
    if hot.shape[0]:
        hot_rows_transposed_times(hot, x_d_z_rows, d_kernel)
    else:
        outer_products_sum(x_rows, x_d_z_rows, d_kernel)
    outer_products_sum(*_recurrent_rows(h0, hidden, d_z_rows, zero_start, recurrent_mask),
                       d_recurrent_kernel)
    sum_of_rows(d_z_rows, d_bias)


@kernel_jit()
def weight_gradients_row_blocks(x_rows, x_d_z_rows, hot, h0, hidden, d_z_rows, recurrent_mask,
                                d_kernel, d_recurrent_kernel, d_bias):
    """``_weight_gradients_loops`` for more rows than a few, into small gradients
    (``one_core_pays``), by ``outer_products_sum_by_row_blocks``. dU takes every step's
    pairs, h_0's too when it is zero: these are narrow layers over many rows, where gathering
    the other rows of d_z cost more than the 1/T of the products it saved (the damped-sine
    recipe, whose halves come here, ran 0.962x as fast with them left out:
    ``benchmarks/bench_revisions.py --processes``, benchmarks/README.md)."""
    if hot.shape[0]:
        hot_rows_transposed_times(hot, x_d_z_rows, d_kernel)
    else:
        outer_products_sum_by_row_blocks(x_rows, x_d_z_rows, d_kernel)
    outer_products_sum_by_row_blocks(*_recurrent_rows(h0, hidden, d_z_rows, False,
                                                      recurrent_mask), d_recurrent_kernel)
    sum_of_rows(d_z_rows, d_bias)


def weight_gradient_rows(cache):
    """The most rows a weight gradient's product takes (``few_gradient_rows``): dW's, x's
    distinct rows (B when x repeats its first step, else B·T; none when they are one-hot,
    whose dW is a sum of rows), or dU's, B·T, or B·(T-1) when the first step's terms are zero
    (``cache.zero_start``). Not dx's: the weight gradients' route, and so their rounding,
    does not depend on whether dx is asked for, which the loops form for any rows."""
    batch, steps, _ = cache.hidden.shape
    kernel_rows = 0 if cache.hot is not None else batch if cache.repeated else batch * steps
    recurrent_rows = batch * (steps - 1 if cache.zero_start and steps else steps)
    return max(kernel_rows, recurrent_rows)


def weight_gradients_by_loops(d_z_rows, cache, out=None, d_z_summed=None, row_blocks=False):
    """``weight_gradients``'s contract, by jitted loops: ``_weight_gradients_loops``, which
    leaves out dU's zero pairs of a zero initial state (``cache.zero_start``), or with
    ``row_blocks`` ``weight_gradients_row_blocks``, which keeps them."""
    arrays = gradient_arrays(
        out, (cache.kernel.shape, cache.recurrent_kernel.shape, d_z_rows.shape[1:]),
        ("dW", "dU", "db"), d_z_rows.dtype)
    rows = distinct_rows(cache, d_z_rows, d_z_summed) + (
        NOT_HOT if cache.hot is None else cache.hot, cache.h0, cache.hidden, d_z_rows,
        cache.recurrent_mask)
    if row_blocks:
        weight_gradients_row_blocks(*rows, *arrays)
    else:
        _weight_gradients_loops(*rows, cache.zero_start, *arrays)
    return tuple(arrays)


NOT_HOT = np.empty(0, dtype=np.int64)  # the loops' ``hot`` for rows of x that are not one-hot


@kernel_jit()
def sum_over_steps(d_z):
    """Σ_t dz_t (B, 4H) of d_z (B, T, 4H), steps added in order (NumPy's ``sum(axis=1)``):
    for dW when x repeats its first step and for Σ_t dx_t, formed once for both (formed
    twice by NumPy, the addition decoder's backward pass took 110 against 95 µs in its
    recipe, ad hoc)."""
    batch, steps, width = d_z.shape
    total = np.zeros((batch, width), d_z.dtype)                         # (B, 4H)
    for b in range(batch):
        total_b = total[b]
        for t in range(steps):
            row = d_z[b, t]
            for j in range(width):
                total_b[j] += row[j]
    return total
