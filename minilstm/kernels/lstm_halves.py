"""The LSTM's two-core route (``lstm``'s Numba twin, where ``lstm_routes.two_cores_pay``):
each half of the batch on its own core (``second_core.in_halves``), every product of a pass
by jitted loops. The sequences of a batch are independent, so the halves share only the
weights they read and meet only at the end of a backward pass, where the second half's
shares of dW, dU and db are added to the first's."""
import numpy as np

from .fast_math import copy_into
from .jitting import kernel_jit
from .lstm_common import asked_input_gradient, dx_per_step, in_callers_order
from .lstm_gradient_loops import NOT_HOT, weight_gradients_row_blocks
from .lstm_time_loops import backward_fused, forward_fused
from .second_core import in_halves
from .vector_products import (add_rows_times_matrix, add_rows_times_matrix_transposed,
                              gradient_arrays, loops_times_matrix_transposed)


@kernel_jit()
def _half_of_batch(half, batch):
    """The sequences [start, stop) of half 0 or 1 of a batch: the first takes the odd one."""
    size = (batch + 1) // 2
    start = half * size
    return start, min(batch, start + size)


@kernel_jit()
def _rows_of_half(mask, start, stop):
    """A mask's rows [start, stop) of a half of the batch, or None where it is None."""
    if mask is None:
        return mask
    return mask[start:stop]


@kernel_jit(nogil=True)
def forward_half(half, x, kernel, bias, recurrent_kernel, h0, c0, activations, x_proj, gates,
                 cells, activated_cells, hidden, h_last, c_last, zero_start, recurrent_mask,
                 step_mask):
    """``forward_numba``'s work for one half of the batch (``two_cores_pay``): its rows of
    x W, by ``add_rows_times_matrix``, then its time loop (``forward_fused``), with a z of
    its own (the two halves' rows of one z would share a cache line, written at every step
    by both cores), and its rows of the recurrent and step masks where they are given (else
    None)."""
    start, stop = _half_of_batch(half, x.shape[0])
    mask = _rows_of_half(recurrent_mask, start, stop)                  # (half, H) or None
    reads = _rows_of_half(step_mask, start, stop)                      # (half, T) or None
    rows = (stop - start) * x.shape[1]
    projected = x_proj[start:stop].reshape((rows, x_proj.shape[2]))    # (rows, 4H)
    projected[:] = 0.0
    add_rows_times_matrix(x[start:stop].reshape((rows, x.shape[2])), kernel, projected)
    z = np.empty((stop - start, x_proj.shape[2]), x_proj.dtype)       # (half, 4H)
    forward_fused(x_proj[start:stop], bias, recurrent_kernel, h0[start:stop], c0[start:stop],
                  activations, z, gates[start:stop], cells[start:stop],
                  activated_cells[start:stop], hidden[start:stop], h_last[start:stop],
                  c_last[start:stop], zero_start, mask, reads)


@kernel_jit(nogil=True)
def backward_half(half, d_hidden, dh_next, dc_next, gates, cells, activated_cells, h0, c0,
                  hidden, recurrent_kernel, d_z, x, kernel, d_x, d_kernel, d_recurrent_kernel,
                  d_bias, initial_state_gradient, recurrent_mask, step_mask, activations):
    """``backward_numba``'s work for one half of the batch (``two_cores_pay``): its time loop
    (``backward_fused``), its rows of dx = dz Wᵀ when ``d_x`` has rows (a (0, T, I) array
    when dx is not asked for), and its share of dW, dU and db: the first half's written into
    ``d_kernel``, ``d_recurrent_kernel`` and ``d_bias``, the second's into new arrays,
    returned (the caller adds them, ``_add_second_share``). Its rows of h_{t-1} are gathered
    here, on the core whose forward half wrote them. What a half writes again and again,
    dh_next and dc_next at every step and its shares of the gradients at every block of rows,
    lives in arrays of its own (as z in ``forward_half``): rows of one array next to the
    other half's may share a cache line, which the two cores would then pass back and forth
    (passes 1.05–1.2x slower at the damped-sine tutorial's shapes, ad hoc). Its rows of the
    recurrent and step masks, where given (else None), as in ``forward_half``."""
    start, stop = _half_of_batch(half, d_z.shape[0])
    mask = _rows_of_half(recurrent_mask, start, stop)                  # (half, H) or None
    reads = _rows_of_half(step_mask, start, stop)                      # (half, T) or None
    dh = dh_next[start:stop].copy()                                    # (half, H)
    dc = dc_next[start:stop].copy()                                    # (half, H)
    backward_fused(d_hidden[start:stop], dh, dc, gates[start:stop], cells[start:stop],
                   activated_cells[start:stop], c0[start:stop], recurrent_kernel, d_z[start:stop],
                   initial_state_gradient, mask, reads, activations)
    for b in range(stop - start):
        copy_into(dh[b], dh_next[start + b])
        copy_into(dc[b], dc_next[start + b])
    rows = (stop - start) * hidden.shape[1]
    d_z_rows = d_z[start:stop].reshape((rows, d_z.shape[2]))           # (rows, 4H)
    if half == 1:
        d_kernel = np.empty_like(d_kernel)                             # (I, 4H)
        d_recurrent_kernel = np.empty_like(d_recurrent_kernel)         # (H, 4H)
        d_bias = np.empty_like(d_bias)                                 # (4H,)
    weight_gradients_row_blocks(x[start:stop].reshape((rows, x.shape[2])), d_z_rows, NOT_HOT,
                                h0[start:stop], hidden[start:stop], d_z_rows, mask,
                                d_kernel, d_recurrent_kernel, d_bias)
    if d_x.shape[0]:
        d_x_rows = d_x[start:stop].reshape((rows, d_x.shape[2]))       # (rows, I)
        d_x_rows[:] = 0.0
        add_rows_times_matrix_transposed(d_z_rows, kernel, d_x_rows)
    return d_kernel, d_recurrent_kernel, d_bias


@kernel_jit()
def _add_second_share(d_kernel, d_recurrent_kernel, d_bias, share_kernel, share_recurrent,
                      share_bias):
    """dW, dU and db += the second half's shares (``backward_half``), in one call: as three
    NumPy additions, the first statements after the halves, they took about 12 µs a backward
    pass in the damped-sine recipe (ad hoc)."""
    _add_matrix(share_kernel, d_kernel)
    _add_matrix(share_recurrent, d_recurrent_kernel)
    for j in range(d_bias.shape[0]):
        d_bias[j] += share_bias[j]


@kernel_jit()
def _add_matrix(share, out):
    """out (K, J) += share (K, J)."""
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] += share[i, j]


def forward_in_halves(x, kernel, bias, recurrent_kernel, h0, c0, activations, gates, cells,
                      activated_cells, hidden, h_last, c_last, zero_start, recurrent_mask,
                      step_mask):
    """``forward_numba``'s two-core route: ``forward_half`` on each half of the batch at once,
    filling the arrays given (x C-contiguous)."""
    x_proj = np.empty(gates.shape, dtype=x.dtype)                      # (B, T, 4H), without b
    in_halves(forward_half, (x, np.ascontiguousarray(kernel), bias, recurrent_kernel, h0, c0,
                             activations, x_proj, gates, cells, activated_cells, hidden,
                             h_last, c_last, zero_start, recurrent_mask, step_mask))


def backward_in_halves(d_hidden, dh_next, dc_next, d_z, cache, out, input_gradient,
                       initial_state_gradient, activations):
    """``backward_numba``'s two-core route: ``backward_half`` on each half of the batch at
    once, then the two shares of each weight gradient added. Returns dx (None when not
    asked for), dW, dU and db; dh_next and dc_next are filled in place."""
    batch, steps, units = cache.hidden.shape
    inputs = cache.kernel.shape[0]
    arrays = gradient_arrays(
        out, (cache.kernel.shape, cache.recurrent_kernel.shape, (4 * units,)),
        ("dW", "dU", "db"), d_z.dtype)
    per_step = dx_per_step(input_gradient)
    d_x = np.empty((batch if per_step else 0, steps, inputs), d_z.dtype)  # (B, T, I)
    _, second_share = in_halves(backward_half, (
        d_hidden, dh_next, dc_next, cache.gates, cache.cells, cache.activated_cells, cache.h0,
        cache.c0, cache.hidden, cache.recurrent_kernel, d_z, np.ascontiguousarray(cache.x),
        np.ascontiguousarray(cache.kernel), d_x, *arrays, initial_state_gradient,
        cache.recurrent_mask, cache.step_mask, activations))
    _add_second_share(*arrays, *second_share)
    weights = tuple(arrays)
    if per_step:
        return (in_callers_order(d_x, cache),) + weights
    return (asked_input_gradient(d_z, cache, loops_times_matrix_transposed, input_gradient),
            ) + weights
