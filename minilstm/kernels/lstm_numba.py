"""The LSTM's Numba twin (``lstm``): ``forward_numba`` and ``backward_numba``, the same
contract as the NumPy twin's, each pass on the route its shape picks (``lstm_routes``): the
time loop by hand loops in one jitted call or with BLAS products from Python
(``lstm_time_loops``), the batch in two halves on two cores (``lstm_halves``), the products
after the backward time loop by jitted loops (``lstm_gradient_loops``) or through BLAS
(``lstm_common``). On one core it reads one-hot input, and input that repeats its first step,
without multiplying it out in x W and dW (``input_rows``)."""
import numpy as np

from .input_rows import repeats_first_step, rows_times
from .lstm_common import (LSTMCache, as_rows, asked_input_gradient, backward_start,
                          checked_activations, dx_per_step, dx_summed, initial_state_gradients,
                          input_and_initial_state, weight_gradients)
from .lstm_gradient_loops import sum_over_steps, weight_gradient_rows, weight_gradients_by_loops
from .lstm_halves import backward_in_halves, forward_in_halves
from .lstm_routes import few_gradient_rows, one_core_pays, time_loop_route
from .lstm_time_loops import (backward_fused, backward_fused_one_sequence, backward_gates,
                              carry_state_where_unread, forward_fused, forward_gates,
                              gate_activations)
from .vector_products import (loops_times_matrix_transposed, rows_times_matrix,
                              rows_times_matrix_transposed)


def _projection_of_rows(x, kernel):
    """The Numba twin's x W (without b) on this core, with what it found of x's form
    (``input_rows``): whether x repeats its first step, and the columns of its distinct
    rows (x_1's when it repeats, else all B·T) when they are one-hot (None otherwise).
    Only the distinct rows are projected: W's rows gathered for one-hot rows, the same
    numbers as the product, which the other rows take (``rows_times_matrix``)."""
    batch, steps, _ = x.shape
    repeated = repeats_first_step(x)
    rows = np.ascontiguousarray(x[:, 0] if repeated else as_rows(x))    # (R, I): R = B or B·T
    projected, hot = rows_times(rows, kernel, rows_times_matrix)        # (R, 4H)
    if repeated:
        every_step = np.empty((batch, steps, kernel.shape[1]), projected.dtype)  # (B, T, 4H)
        every_step[...] = projected[:, None]
        return every_step, repeated, hot
    return projected.reshape(batch, steps, kernel.shape[1]), repeated, hot  # (B, T, 4H)


def forward_numba(x, kernel, recurrent_kernel, bias, h0=None, c0=None,
                  go_backwards=False, recurrent_mask=None, step_mask=None,
                  activation="tanh", recurrent_activation="sigmoid", blas=None,
                  two_cores=None):
    """Same contract as ``forward_reference``; the time loop is jitted.

    ``blas`` forces the recurrent product through BLAS (True) or hand loops
    (False); ``None`` chooses by shape (``blas_pays``). ``two_cores=True`` runs the two
    halves of the batch on the two cores, by hand loops whatever ``blas`` says, and False
    on this core; ``None`` chooses by shape (``two_cores_pay``) where the loops run.
    Every route takes a ``recurrent_mask`` and a ``step_mask``.
    """
    zero_start = h0 is None                                      # h_0 U = 0: not formed
    x, h0, c0, mask, reads = input_and_initial_state(x, kernel, recurrent_kernel, bias, h0, c0,
                                                     go_backwards, recurrent_mask, step_mask)
    activation, recurrent_activation = checked_activations(activation, recurrent_activation)
    batch, steps, inputs = x.shape
    units = recurrent_kernel.shape[0]
    recurrent_kernel = np.ascontiguousarray(recurrent_kernel)
    bias = np.ascontiguousarray(bias)                            # (4H,)
    gates = np.empty((batch, steps, 4 * units), dtype=x.dtype)   # (B, T, 4H)
    cells = np.empty((batch, steps, units), dtype=x.dtype)       # (B, T, H)
    activated_cells = np.empty((batch, steps, units), dtype=x.dtype)  # (B, T, H)
    hidden = np.empty((batch, steps, units), dtype=x.dtype)      # (B, T, H)
    h_last = np.empty((batch, units), dtype=x.dtype)             # (B, H)
    c_last = np.empty((batch, units), dtype=x.dtype)             # (B, H)
    activations = gate_activations(units, x.dtype, activation, recurrent_activation)
    blas, two_cores = time_loop_route(blas, two_cores, batch, steps, inputs, units)
    if two_cores:
        x, repeated, hot = np.ascontiguousarray(x), False, None
        forward_in_halves(x, kernel, bias, recurrent_kernel, h0, c0, activations, gates, cells,
                          activated_cells, hidden, h_last, c_last, zero_start, mask, reads)
    else:
        x_proj, repeated, hot = _projection_of_rows(x, kernel)       # (B, T, 4H), without b
        z = np.empty((batch, 4 * units), dtype=x.dtype)              # (B, 4H)
        if blas:
            for t in range(steps):
                if t == 0 and zero_start:
                    z[...] = 0.0
                else:
                    previous = h0 if t == 0 else hidden[:, t - 1]   # (B, H)
                    np.matmul(previous if mask is None else previous * mask, recurrent_kernel,
                              out=z)
                forward_gates(z, x_proj, bias, t, c0, activations, gates, cells, activated_cells,
                              hidden)
                if reads is not None:
                    carry_state_where_unread(reads, t, h0, c0, cells, hidden)
            h_last[...] = hidden[:, -1] if steps else h0
            c_last[...] = cells[:, -1] if steps else c0
        else:
            forward_fused(x_proj, bias, recurrent_kernel, h0, c0, activations, z, gates, cells,
                          activated_cells, hidden, h_last, c_last, zero_start, mask, reads)
    cache = LSTMCache(x, h0, c0, gates, cells, activated_cells, hidden,
                      kernel, recurrent_kernel, go_backwards, repeated, hot, zero_start, mask,
                      reads, activation, recurrent_activation)
    return hidden, h_last, c_last, cache


def backward_numba(d_hidden, d_h_last, d_c_last, cache, out=None, input_gradient=True,
                   initial_state_gradient=True, blas=None, one_core=None, two_cores=None):
    """Same contract as ``backward_reference``; the time loop is jitted (``blas`` and
    ``two_cores`` as in ``forward_numba``).

    On one core, after the time loop, the products over the rows of d_z run by the few-row
    loops when each weight gradient takes at most ``GRADIENT_LOOP_MAX_ROWS`` rows
    (``few_gradient_rows``), and beyond by the row-block loops on this core
    (``one_core=True``) or through BLAS (``False``); ``None`` chooses by shape
    (``one_core_pays``). On the BLAS route Σ_t dx_t, a product of B rows, still runs by
    the loops for a few (``rows_times_matrix_transposed``). On two cores each half forms its
    own share of them.

    The BLAS route forms each step's dz_t Uᵀ as (U dz_tᵀ)ᵀ, U the left operand as it is
    stored and the small (H, B) result copied back transposed: at (64, 20, 30, 256) the 20
    products took about 4.8 ms against 5.1–6.6 ms as dz_t @ Uᵀ, which OpenBLAS runs with
    the large operand transposed, and the whole pass 1.04x and 1.07x as fast in two runs
    (``benchmarks/bench_revisions.py --rounds 40``, on an AMD EPYC of family 25).
    """
    batch, steps, units = cache.hidden.shape
    inputs = cache.kernel.shape[0]
    d_hidden, dh_next, dc_next, d_z = backward_start(d_hidden, d_h_last, d_c_last, cache,
                                                     input_gradient)
    mask, reads = cache.recurrent_mask, cache.step_mask                 # (B, H), (B, T) or None
    activations = gate_activations(units, d_z.dtype, cache.activation,
                                   cache.recurrent_activation)
    blas, two_cores = time_loop_route(blas, two_cores, batch, steps, inputs, units)
    if two_cores:
        return backward_in_halves(d_hidden, dh_next, dc_next, d_z, cache, out, input_gradient,
                                  initial_state_gradient, activations) + initial_state_gradients(
            dh_next, dc_next, initial_state_gradient)
    recurrent_kernel = cache.recurrent_kernel                           # (H, 4H), contiguous
    if blas:
        dh_transposed = np.empty((units, batch), d_z.dtype)            # (H, B)
        for t in reversed(range(steps)):
            backward_gates(d_hidden, dh_next, dc_next, t, cache.gates, cache.cells,
                           cache.activated_cells, cache.c0, d_z, reads, activations)
            if t > 0 or initial_state_gradient:
                np.matmul(recurrent_kernel, d_z[:, t].T, out=dh_transposed)
                product = dh_transposed.T if mask is None else dh_transposed.T * mask  # (B, H)
                if reads is None:
                    dh_next[...] = product
                else:                                                   # unread: dh_t kept
                    np.copyto(dh_next, product, where=reads[:, t, None])
    else:
        fused = backward_fused_one_sequence if batch == 1 else backward_fused
        fused(d_hidden, dh_next, dc_next, cache.gates, cache.cells, cache.activated_cells, cache.c0,
              recurrent_kernel, d_z, initial_state_gradient, mask, reads, activations)
    d_z_rows = as_rows(d_z)                                             # (B·T, 4H)
    summed = cache.repeated or dx_summed(input_gradient)                # Σ_t dz_t used
    d_z_summed = sum_over_steps(d_z) if summed else None                # (B, 4H)
    if few_gradient_rows(weight_gradient_rows(cache)):
        weights = weight_gradients_by_loops(d_z_rows, cache, out, d_z_summed)
        times = loops_times_matrix_transposed
    elif one_core_pays(inputs, units, dx_per_step(input_gradient)) if one_core is None \
            else one_core:
        weights = weight_gradients_by_loops(d_z_rows, cache, out, d_z_summed, row_blocks=True)
        times = loops_times_matrix_transposed
    else:
        weights = weight_gradients(d_z_rows, cache, out, d_z_summed)
        times = rows_times_matrix_transposed    # BLAS for dx at every step; Σ_t dx_t may be few
    d_kernel, d_recurrent_kernel, d_bias = weights
    d_x = asked_input_gradient(d_z, cache, times, input_gradient, d_z_summed)
    return (d_x, d_kernel, d_recurrent_kernel, d_bias) + initial_state_gradients(
        dh_next, dc_next, initial_state_gradient)
