"""What both GRU twins share (``gru``): the cache the forward pass keeps for the backward
pass, the start of the forward pass (checks, the input projection before the time loop), and
the products over all B·T rows after the backward time loop (dW, dU, db and dx), as BLAS
forms them (what it shares with the simple RNN is ``recurrent_common``'s).

The twins differ only in their time loops: NumPy over the batch in ``gru``, jitted loops
in ``gru_numba``.
"""
from typing import NamedTuple, Optional

import numpy as np

from .lstm_common import (as_rows, checked_activations, column_sums, in_callers_order,
                          in_processing_order, previous_states)
from .recurrent_common import contiguous
from .shapes import require_given_float_dtype_and_rank, require_given_shapes
from .vector_products import flat_rows_product, given_or_zeros, gradient_arrays

GATES = 3                               # z, r, n: Keras's order of the GRU's columns


class GRUCache(NamedTuple):
    """What the forward pass keeps for the backward pass."""

    x: np.ndarray               # (B, T, I) input, in processing order
    h0: np.ndarray              # (B, H)
    gates: np.ndarray           # (B, T, 3H) z_t, r_t, n_t
    candidates: np.ndarray      # (B, T, H) q_t[n]: the recurrent term that r_t scales
    hidden: np.ndarray          # (B, T, H) h_t
    kernel: np.ndarray          # (I, 3H)
    recurrent_kernel: np.ndarray  # (H, 3H)
    go_backwards: bool
    input_mask: Optional[np.ndarray] = None      # (B, 3, I) d_g on x_t, one a gate
    recurrent_mask: Optional[np.ndarray] = None  # (B, 3, H) m_g on h_{t-1}, one a gate
    step_mask: Optional[np.ndarray] = None       # (B, T) bool: steps read, processing order
    gate_kernels: Optional[np.ndarray] = None    # (3, H, H) U_g contiguous, with masks: the
    #                                              Numba twin's loops', made once a forward
    activation: str = "tanh"                     # φ, on n_t (``recurrent_activations``)
    recurrent_activation: str = "sigmoid"        # σ, on z_t and r_t


def forward_start(x, kernel, recurrent_kernel, bias, h0, go_backwards, input_mask,
                  recurrent_mask, step_mask, activation, recurrent_activation):
    """What both twins' forward loops start from: the arguments checked against the shapes
    the loops index (``shapes``' checks) and the activations' names
    (``recurrent_activations``), the input and the step mask in the order of processing;
    the cache, its gates, candidates and hidden states new arrays for the loop to fill, and
    p = x W + b_in ``(B, T, 3H)`` (``input_projection``)."""
    require_given_float_dtype_and_rank(x, (
        ("x", x), ("kernel", kernel), ("recurrent_kernel", recurrent_kernel), ("bias", bias),
        ("h0", h0), ("input_mask", input_mask), ("recurrent_mask", recurrent_mask)))
    batch, _, features = x.shape
    units = recurrent_kernel.shape[0] if recurrent_kernel.ndim else 0
    require_given_shapes((
        ("recurrent_kernel", recurrent_kernel, (units, GATES * units)),
        ("kernel", kernel, (features, GATES * units)), ("bias", bias, (2, GATES * units)),
        ("h0", h0, (batch, units)), ("input_mask", input_mask, (batch, GATES, features)),
        ("recurrent_mask", recurrent_mask, (batch, GATES, units))))
    activations = checked_activations(activation, recurrent_activation)
    x, reads = in_processing_order(x, step_mask, go_backwards)
    steps = x.shape[1]
    input_mask = contiguous(input_mask)
    cache = GRUCache(x, given_or_zeros("h0", h0, (batch, units), x.dtype),
                     np.empty((batch, steps, GATES * units), dtype=x.dtype),     # (B, T, 3H)
                     np.empty((batch, steps, units), dtype=x.dtype),             # (B, T, H)
                     np.empty((batch, steps, units), dtype=x.dtype),             # (B, T, H)
                     kernel, np.ascontiguousarray(recurrent_kernel), go_backwards,
                     input_mask, contiguous(recurrent_mask), reads, None, *activations)
    return cache, input_projection(x, kernel, bias, input_mask)


def gate_columns(matrix, gate):
    """Gate ``gate``'s block (z: 0, r: 1, n: 2) of the last axis of a (..., 3H) array, a
    view."""
    units = matrix.shape[-1] // GATES
    return matrix[..., gate * units:(gate + 1) * units]


def recurrent_product(h_prev, recurrent_kernel, recurrent_mask=None):
    """h_{t-1} U ``(B, 3H)`` through BLAS; with masks ``(B, 3, H)``, (h_{t-1} ⊙ m_g) U_g gate by
    gate: the NumPy twin's, and the Numba twin's for large shapes."""
    if recurrent_mask is None:
        return h_prev @ recurrent_kernel                                  # (B, 3H)
    return np.concatenate([(h_prev * recurrent_mask[:, gate]) @ gate_columns(recurrent_kernel,
                                                                             gate)
                           for gate in range(GATES)], axis=1)             # (B, 3H)


def recurrent_gradient(d_q, recurrent_kernel, recurrent_mask=None):
    """dL/dh_{t-1} through q_t ``(B, H)``: dq_t Uᵀ, or Σ_g (dq_t[g] U_gᵀ) ⊙ m_g with masks,
    through BLAS (both twins', as ``recurrent_product``)."""
    if recurrent_mask is None:
        return d_q @ recurrent_kernel.T                                   # (B, H)
    return sum((gate_columns(d_q, gate) @ gate_columns(recurrent_kernel, gate).T)
               * recurrent_mask[:, gate] for gate in range(GATES))        # (B, H)


def input_projection(x, kernel, bias, input_mask=None):
    """p_t = x_t W + b_in for every step at once, ``(B, T, 3H)``: one product over the B·T
    rows; with input masks d ``(B, 3, I)``, one a gate, (x_t ⊙ d_g) W_g for each gate."""
    if input_mask is None:
        projected = flat_rows_product(x, kernel)                          # (B, T, 3H)
    else:
        projected = np.concatenate(
            [flat_rows_product(x * input_mask[:, None, gate], gate_columns(kernel, gate))
             for gate in range(GATES)], axis=-1)                          # (B, T, 3H)
    projected += bias[0]
    return projected


def _masked_rows_transposed_times(rows, masks, right, out):
    """Σ_r (rows_r ⊙ mask_g)ᵀ right_r[g] for each gate g, side by side, into ``out (K, 3H)``,
    from rows ``(N, K)``, masks ``(N, 3, K)`` or None (then one product rowsᵀ right) and
    right ``(N, 3H)``."""
    if masks is None:
        return np.matmul(rows.T, right, out=out)                          # (K, 3H)
    for gate in range(GATES):
        np.matmul((rows * masks[:, gate]).T, gate_columns(right, gate),
                  out=gate_columns(out, gate))                           # (K, H)
    return out


def _per_row(mask, steps):
    """A mask one a sequence ``(B, 3, K)`` as one a row of the B·T rows ``(B·T, 3, K)``."""
    if mask is None:
        return None
    return np.repeat(mask, steps, axis=0)                                 # (B·T, 3, K)


def parameter_gradients(d_p, d_q, cache, out=None, input_gradient=True):
    """dx, dW, dU and db from the gradients of every step's p_t and q_t (module docstring of
    ``gru``), as products over all B·T rows. ``out``: optional arrays ``(dW, dU, db)`` to
    write into (any None: a new array). dx (in the caller's order of steps) is None without
    ``input_gradient``."""
    batch, steps, features = cache.x.shape
    out_kernel, out_recurrent, out_bias = gradient_arrays(
        out, (cache.kernel.shape, cache.recurrent_kernel.shape, (2, cache.kernel.shape[1])),
        ("dW", "dU", "db"), d_p.dtype)
    d_p_rows, d_q_rows = as_rows(d_p), as_rows(d_q)                       # (B·T, 3H)
    input_mask = _per_row(cache.input_mask, steps)                        # (B·T, 3, I)
    d_kernel = _masked_rows_transposed_times(as_rows(cache.x), input_mask, d_p_rows,
                                             out_kernel)                  # (I, 3H)
    d_recurrent_kernel = _masked_rows_transposed_times(
        as_rows(previous_states(cache)), _per_row(cache.recurrent_mask, steps), d_q_rows,
        out_recurrent)                                                    # (H, 3H)
    column_sums(d_p_rows, out_bias[0])                                    # (3H,)
    column_sums(d_q_rows, out_bias[1])                                    # (3H,)
    d_x = None
    if input_gradient:
        if input_mask is None:
            d_x = d_p_rows @ cache.kernel.T                               # (B·T, I)
        else:
            d_x = sum((gate_columns(d_p_rows, gate) @ gate_columns(cache.kernel, gate).T)
                      * input_mask[:, gate] for gate in range(GATES))     # (B·T, I)
        d_x = in_callers_order(d_x.reshape(batch, steps, features), cache)  # (B, T, I)
    return [d_x, d_kernel, d_recurrent_kernel, out_bias]
