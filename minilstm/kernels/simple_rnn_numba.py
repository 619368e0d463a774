"""The simple RNN's Numba twin (``simple_rnn``): the time loops jitted, φ and φ' from
``recurrent_activations`` (its marker handed down to the steps: Numba compiles the loops
once for each activation they are given); the input projection before the loop and the
products after it are ``simple_rnn_common``'s, shared with the NumPy twin.

Each step runs in two parts, as the GRU's (``gru_numba``): the recurrent product (h_{t-1} U
forwards, da_t Uᵀ backwards), by hand loops inside one jitted call for the whole time loop
(U read once a step for all sequences, two at a time, by ``vector_products``' loops), or
through BLAS from a Python loop over time for large shapes (``lstm_routes.blas_pays``, the
LSTM's limit, taken as it is); then the step over the whole batch (``_activation_step``,
``_backward_step``). A recurrent mask ``(B, H)`` and a step mask ``(B, T)`` are arrays or
None; Numba prunes the branches on ``... is None`` from the loops compiled without them.
"""
import numpy as np

from .fast_math import copy_into, product_into
from .jitting import kernel_jit
from .recurrent_activations import activate, derivative, marker
from .recurrent_common import backward_start, blas_route, last_state
from .simple_rnn_common import forward_start, parameter_gradients
from .vector_products import (add_rows_times_matrix, add_step_rows_times_matrix_transposed,
                              add_vector_times_matrix_transposed)


@kernel_jit(fastmath={"contract"})
def _activation_step(p, q, t, h0, reads, hidden, activation):
    """h_t = φ(p_t + q) for every sequence, q = h_{t-1} U ``(B, H)``, φ the ``activation``'s
    marker; a sequence that does not read step t carries h on."""
    for b in range(q.shape[0]):
        hidden_t = hidden[b, t]
        if reads is not None and not reads[b, t]:
            copy_into(h0[b] if t == 0 else hidden[b, t - 1], hidden_t)
            continue
        p_t, q_b = p[b, t], q[b]
        for j in range(hidden_t.shape[0]):
            hidden_t[j] = activate(activation, p_t[j] + q_b[j])


@kernel_jit(fastmath={"contract"})
def _backward_step(d_hidden, dh_next, t, hidden, reads, d_a, activation):
    """da_t = (d_hidden_t + dh_next) ⊙ φ'(h_t); ``dh_next`` left zero for the product
    da_t Uᵀ to be added, but for a sequence that does not read step t: da_t = 0 there, and
    ``dh_next`` holds dh_t, which passes through the step (the product adds zero to it)."""
    for b in range(dh_next.shape[0]):
        carried, d_hidden_t, d_a_t = dh_next[b], d_hidden[b, t], d_a[b, t]
        if reads is not None and not reads[b, t]:
            for j in range(carried.shape[0]):
                carried[j] += d_hidden_t[j]
            d_a_t[:] = 0.0
            continue
        h_t = hidden[b, t]
        for j in range(carried.shape[0]):
            d_a_t[j] = (d_hidden_t[j] + carried[j]) * derivative(activation, h_t[j])
        carried[:] = 0.0


@kernel_jit()
def _forward_fused(p, recurrent_kernel, h0, recurrent_mask, reads, hidden, activation):
    """The forward time loop, h_{t-1} U (or (h_{t-1} ⊙ m) U) by loops."""
    q = np.empty_like(h0)                                                  # (B, H)
    if recurrent_mask is not None:
        masked = np.empty_like(h0)                                         # (B, H)
    for t in range(p.shape[1]):
        previous = h0 if t == 0 else hidden[:, t - 1]                      # (B, H)
        q[:] = 0.0
        if recurrent_mask is None:
            add_rows_times_matrix(previous, recurrent_kernel, q)
        else:
            for b in range(h0.shape[0]):
                product_into(previous[b], recurrent_mask[b], masked[b])
            add_rows_times_matrix(masked, recurrent_kernel, q)
        _activation_step(p, q, t, h0, reads, hidden, activation)


@kernel_jit()
def _backward_fused(d_hidden, dh_next, hidden, recurrent_kernel, recurrent_mask, reads, d_a,
                    activation):
    """The backward time loop, da_t Uᵀ by loops, two sequences at a time (each row of U read
    once for both); with a mask, (da_t Uᵀ) ⊙ m a sequence at a time. Leaves dL/dh_0 in
    ``dh_next``, which comes in holding dL/dh_T."""
    batch, steps, units = hidden.shape
    if recurrent_mask is not None:
        part = np.empty(units, dtype=hidden.dtype)                         # (H,)
    for t in range(steps - 1, -1, -1):
        _backward_step(d_hidden, dh_next, t, hidden, reads, d_a, activation)
        if recurrent_mask is None:
            add_step_rows_times_matrix_transposed(d_a, t, recurrent_kernel, dh_next)
            continue
        for b in range(batch):
            part[:] = 0.0
            add_vector_times_matrix_transposed(d_a[b, t], recurrent_kernel, part)
            mask, carried = recurrent_mask[b], dh_next[b]
            for j in range(units):
                carried[j] += part[j] * mask[j]


def _forward_blas(p, recurrent_kernel, h0, recurrent_mask, reads, hidden, activation):
    """The forward time loop from Python, the recurrent product through BLAS."""
    for t in range(p.shape[1]):
        previous = h0 if t == 0 else hidden[:, t - 1]                      # (B, H)
        if recurrent_mask is not None:
            previous = previous * recurrent_mask                           # (B, H)
        _activation_step(p, previous @ recurrent_kernel, t, h0, reads, hidden, activation)


def _backward_blas(d_hidden, dh_next, hidden, recurrent_kernel, recurrent_mask, reads, d_a,
                   activation):
    """The backward time loop from Python, da_t Uᵀ through BLAS."""
    for t in range(hidden.shape[1] - 1, -1, -1):
        _backward_step(d_hidden, dh_next, t, hidden, reads, d_a, activation)
        product = d_a[:, t] @ recurrent_kernel.T                           # (B, H)
        if recurrent_mask is not None:
            product *= recurrent_mask
        dh_next += product


def forward_numba(x, kernel, recurrent_kernel, bias, h0=None, go_backwards=False,
                  recurrent_mask=None, step_mask=None, activation="tanh", blas=None):
    """``simple_rnn.forward_reference``'s contract, the time loop jitted; ``blas``: the route
    of the recurrent products (``recurrent_common.blas_route``)."""
    cache, p = forward_start(x, kernel, recurrent_kernel, bias, h0, go_backwards,
                             recurrent_mask, step_mask, activation)          # p (B, T, H)
    batch, _, units = cache.hidden.shape
    route = _forward_blas if blas_route(blas, batch, units) else _forward_fused
    route(p, cache.recurrent_kernel, cache.h0, cache.recurrent_mask, cache.step_mask,
          cache.hidden, marker(cache.activation))
    return cache.hidden, last_state(cache), cache


def backward_numba(d_hidden, d_h_last, cache, out=None, input_gradient=True,
                   initial_state_gradient=True, blas=None):
    """``simple_rnn.backward_reference``'s contract, the time loop jitted; ``blas`` as for
    ``forward_numba``."""
    batch, _, units = cache.hidden.shape
    d_hidden, dh_next, d_a = backward_start(d_hidden, d_h_last, cache, units)
    route = _backward_blas if blas_route(blas, batch, units) else _backward_fused
    route(d_hidden, dh_next, cache.hidden, cache.recurrent_kernel, cache.recurrent_mask,
          cache.step_mask, d_a, marker(cache.activation))
    return parameter_gradients(d_a, cache, out, input_gradient) + (
        dh_next if initial_state_gradient else None,)
