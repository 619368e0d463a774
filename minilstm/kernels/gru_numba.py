"""The GRU's Numba twin (``gru``): the time loops jitted, φ, σ and their derivatives from
``recurrent_activations`` (their markers handed down to the gate steps: Numba compiles the
loops once for each pair they are given). The input projection before the loop and the
products after it are ``gru_common``'s, shared with the NumPy twin.

Each step runs in two parts, as the LSTM's (``lstm_time_loops``): the recurrent product
(h_{t-1} U forwards, dq_t Uᵀ backwards), then the gate step over the whole batch
(``_gate_step``, ``_gate_backward_step``). The product is formed by hand-written loops
inside one jitted call for the whole time loop (``_forward_fused``, ``_backward_fused``:
U read once a step for all sequences, two at a time, by ``vector_products``' loops), or
through BLAS from a Python loop over time for large shapes (``_forward_blas``,
``_backward_blas``), chosen by ``lstm_routes.blas_pays``: the LSTM's limit on B·H², the
multiply-adds of one step's product over its gates, taken as it is (not measured for the
GRU on this project's machine).

The loops take per-gate recurrent masks m ``(B, 3, H)`` or None (then each gate's product is
formed on its own, from a contiguous copy of U_g, ``(3, H, H)``) and a step mask ``(B, T)``
of booleans or None; Numba compiles a function once for None and once for an array and
prunes the branches on ``... is None``, so the loops without masks carry no test of them.
"""
import numpy as np

from .fast_math import copy_into, one_minus, product_into, zero_for
from .gru_common import (GATES, forward_start, parameter_gradients, recurrent_gradient,
                         recurrent_product)
from .jitting import kernel_jit
from .recurrent_activations import activate, derivative, marker
from .recurrent_common import backward_start, blas_route, last_state
from .vector_products import (add_rows_times_matrix, add_step_rows_times_matrix_transposed,
                              add_vector_times_matrix_transposed)


@kernel_jit()
def _gate_views(row, units):
    """The three gate blocks z, r, n of a (3H,) row, as views: loops over views from index 0
    vectorise (``lstm_time_loops._gate_views``)."""
    return row[:units], row[units:2 * units], row[2 * units:]


@kernel_jit(fastmath={"contract"})
def _gate_step(p, q, recurrent_bias, t, h0, reads, gates, candidates, hidden, activations):
    """Step t given q = h_{t-1} U ``(B, 3H)`` (without b_rec, added here) and p = x W + b_in
    ``(B, T, 3H)``: fills gates, candidates (q_t[n]) and hidden at t, with the
    ``activations`` (markers of φ and σ); a sequence that does not read step t carries h on,
    its gates and candidate zero.

    Four short loops a sequence, each over few arrays, as the LSTM's gate step
    (``lstm_time_loops.forward_gates``): z and r together, q_t[n], n, then h. One loop over
    all of them ran at scalar speed: the forward time loop at (B, T, H) = (10, 50, 20) took
    155 µs against 66 µs (ad hoc, on the Zen 4 host of "Results")."""
    batch, width = q.shape
    units = width // 3
    gate_bias, candidate_bias = recurrent_bias[:2 * units], recurrent_bias[2 * units:]
    phi, sigma = activations
    for b in range(batch):
        previous = h0[b] if t == 0 else hidden[b, t - 1]                    # (H,)
        gates_t, hidden_t, candidates_t = gates[b, t], hidden[b, t], candidates[b, t]
        if reads is not None and not reads[b, t]:
            copy_into(previous, hidden_t)
            gates_t[:] = 0.0
            candidates_t[:] = 0.0
            continue
        p_t, q_b = p[b, t], q[b]
        p_gates, q_gates = p_t[:2 * units], q_b[:2 * units]                 # (2H,) z and r
        z_and_r = gates_t[:2 * units]
        for j in range(2 * units):
            z_and_r[j] = activate(sigma, p_gates[j] + q_gates[j] + gate_bias[j])
        q_candidate = q_b[2 * units:]                                       # (H,)
        for j in range(units):
            candidates_t[j] = q_candidate[j] + candidate_bias[j]
        z, r, n = _gate_views(gates_t, units)                               # (H,) each
        p_n = p_t[2 * units:]
        for j in range(units):
            n[j] = activate(phi, p_n[j] + r[j] * candidates_t[j])
        for j in range(units):
            hidden_t[j] = z[j] * previous[j] + one_minus(z[j]) * n[j]


@kernel_jit(fastmath={"contract"})
def _gate_backward_step(d_hidden, dh_next, t, gates, candidates, hidden, h0, reads, d_p, d_q,
                        activations):
    """Step t of BPTT: fills d_p and d_q at t from dh_t = d_hidden_t + dh_next, and leaves
    dh_t ⊙ z_t in ``dh_next``, to which dq_t Uᵀ is added next; a sequence that does not
    read step t gets d_p = d_q = 0 and keeps dh_t, which passes through the step. φ' and σ'
    from the gates' outputs (``activations``: markers of φ and σ)."""
    batch, _, units = hidden.shape
    width = GATES * units
    phi, sigma = activations
    for b in range(batch):
        carried, d_hidden_t = dh_next[b], d_hidden[b, t]
        d_p_t, d_q_t = d_p[b, t], d_q[b, t]
        if reads is not None and not reads[b, t]:
            for j in range(units):
                carried[j] += d_hidden_t[j]
            for j in range(width):
                d_p_t[j] = zero_for(d_p)
                d_q_t[j] = zero_for(d_q)
            continue
        previous = h0[b] if t == 0 else hidden[b, t - 1]                    # (H,)
        z, r, n = _gate_views(gates[b, t], units)                           # (H,) each
        d_z, d_r, d_n = _gate_views(d_p_t, units)
        candidates_t = candidates[b, t]
        for j in range(units):
            dh = d_hidden_t[j] + carried[j]
            d_n[j] = dh * one_minus(z[j]) * derivative(phi, n[j])
            d_z[j] = dh * (previous[j] - n[j]) * derivative(sigma, z[j])
            carried[j] = dh * z[j]
        for j in range(units):
            d_r[j] = d_n[j] * candidates_t[j] * derivative(sigma, r[j])
        q_gates, q_n = d_q_t[:2 * units], d_q_t[2 * units:]
        copy_into(d_p_t[:2 * units], q_gates)
        for j in range(units):
            q_n[j] = d_n[j] * r[j]


@kernel_jit()
def _masked_product(previous, recurrent_mask, gate_kernels, masked, part, q):
    """q ``(B, 3H)`` = [(h_{t-1} ⊙ m_g) U_g for each gate g], by loops: ``gate_kernels``
    holds U_g ``(3, H, H)`` contiguous; ``masked`` and ``part`` ``(B, H)`` are scratch."""
    batch, units = masked.shape
    for gate in range(3):
        for b in range(batch):
            product_into(previous[b], recurrent_mask[b, gate], masked[b])
        part[:] = 0.0
        add_rows_times_matrix(masked, gate_kernels[gate], part)
        for b in range(batch):
            copy_into(part[b], q[b, gate * units:(gate + 1) * units])


@kernel_jit()
def _forward_fused(p, recurrent_kernel, recurrent_bias, h0, gate_kernels, recurrent_mask,
                   reads, gates, candidates, hidden, activations):
    """The forward time loop, h_{t-1} U by loops (module docstring)."""
    batch, steps, width = p.shape
    q = np.empty((batch, width), dtype=p.dtype)                            # (B, 3H)
    if recurrent_mask is not None:
        masked = np.empty_like(h0)                                         # (B, H)
        part = np.empty_like(h0)                                           # (B, H)
    for t in range(steps):
        previous = h0 if t == 0 else hidden[:, t - 1]                      # (B, H)
        if recurrent_mask is None:
            q[:] = 0.0
            add_rows_times_matrix(previous, recurrent_kernel, q)
        else:
            _masked_product(previous, recurrent_mask, gate_kernels, masked, part, q)
        _gate_step(p, q, recurrent_bias, t, h0, reads, gates, candidates, hidden, activations)


@kernel_jit()
def _backward_fused(d_hidden, dh_next, gates, candidates, hidden, h0, recurrent_kernel,
                    gate_kernels, recurrent_mask, reads, d_p, d_q, activations):
    """The backward time loop, dq_t Uᵀ by loops, two sequences at a time (each row of U read
    once for both); with masks, Σ_g (dq_t[g] U_gᵀ) ⊙ m_g a sequence at a time. Leaves
    dL/dh_0 in ``dh_next``, which comes in holding dL/dh_T."""
    batch, steps, units = hidden.shape
    if recurrent_mask is not None:
        part = np.empty(units, dtype=hidden.dtype)                         # (H,)
    for t in range(steps - 1, -1, -1):
        _gate_backward_step(d_hidden, dh_next, t, gates, candidates, hidden, h0, reads,
                            d_p, d_q, activations)
        if recurrent_mask is None:
            add_step_rows_times_matrix_transposed(d_q, t, recurrent_kernel, dh_next)
            continue
        for b in range(batch):
            for gate in range(3):
                part[:] = 0.0
                add_vector_times_matrix_transposed(d_q[b, t, gate * units:(gate + 1) * units],
                                                   gate_kernels[gate], part)
                mask = recurrent_mask[b, gate]
                carried = dh_next[b]
                for j in range(units):
                    carried[j] += part[j] * mask[j]


def _forward_blas(p, recurrent_kernel, recurrent_bias, h0, recurrent_mask, reads, gates,
                  candidates, hidden, activations):
    """The forward time loop from Python, h_{t-1} U through BLAS (module docstring)."""
    for t in range(p.shape[1]):
        previous = h0 if t == 0 else hidden[:, t - 1]                      # (B, H)
        q = recurrent_product(previous, recurrent_kernel, recurrent_mask)   # (B, 3H)
        _gate_step(p, q, recurrent_bias, t, h0, reads, gates, candidates, hidden, activations)


def _backward_blas(d_hidden, dh_next, gates, candidates, hidden, h0, recurrent_kernel,
                   recurrent_mask, reads, d_p, d_q, activations):
    """The backward time loop from Python, dq_t Uᵀ through BLAS."""
    for t in range(hidden.shape[1] - 1, -1, -1):
        _gate_backward_step(d_hidden, dh_next, t, gates, candidates, hidden, h0, reads,
                            d_p, d_q, activations)
        dh_next += recurrent_gradient(d_q[:, t], recurrent_kernel, recurrent_mask)  # (B, H)


def _markers(cache):
    """The markers of φ and σ (``recurrent_activations``) for the jitted steps, a tuple."""
    return marker(cache.activation), marker(cache.recurrent_activation)


def _gate_kernels(recurrent_kernel):
    """U_g ``(3, H, H)``, each gate's block of U contiguous, for the masked loops."""
    units = recurrent_kernel.shape[0]
    return np.ascontiguousarray(recurrent_kernel.reshape(units, GATES, units).transpose(1, 0, 2))


def forward_numba(x, kernel, recurrent_kernel, bias, h0=None, go_backwards=False,
                  input_mask=None, recurrent_mask=None, step_mask=None, activation="tanh",
                  recurrent_activation="sigmoid", blas=None):
    """``gru.forward_reference``'s contract, the time loop jitted; ``blas``: the route of
    the recurrent products (``recurrent_common.blas_route``)."""
    cache, p = forward_start(x, kernel, recurrent_kernel, bias, h0, go_backwards, input_mask,
                             recurrent_mask, step_mask, activation,
                             recurrent_activation)                           # p (B, T, 3H)
    batch, _, units = cache.hidden.shape
    if cache.recurrent_mask is not None:                   # U_g for the masked loops, once
        cache = cache._replace(gate_kernels=_gate_kernels(cache.recurrent_kernel))
    recurrent_bias = np.ascontiguousarray(bias[1])
    arguments = (p, cache.recurrent_kernel, recurrent_bias, cache.h0)
    outputs = (cache.recurrent_mask, cache.step_mask, cache.gates, cache.candidates,
               cache.hidden, _markers(cache))
    if blas_route(blas, batch, units):
        _forward_blas(*arguments, *outputs)
    else:
        _forward_fused(*arguments, cache.gate_kernels, *outputs)
    return cache.hidden, last_state(cache), cache


def backward_numba(d_hidden, d_h_last, cache, out=None, input_gradient=True,
                   initial_state_gradient=True, blas=None):
    """``gru.backward_reference``'s contract, the time loop jitted; ``blas`` as for
    ``forward_numba``."""
    batch, _, units = cache.hidden.shape
    d_hidden, dh_next, d_p, d_q = backward_start(d_hidden, d_h_last, cache, GATES * units,
                                                 GATES * units)
    arguments = (d_hidden, dh_next, cache.gates, cache.candidates, cache.hidden, cache.h0,
                 cache.recurrent_kernel)
    if blas_route(blas, batch, units):
        _backward_blas(*arguments, cache.recurrent_mask, cache.step_mask, d_p, d_q,
                       _markers(cache))
    else:
        _backward_fused(*arguments, cache.gate_kernels, cache.recurrent_mask, cache.step_mask,
                        d_p, d_q, _markers(cache))
    d_x, d_kernel, d_recurrent_kernel, d_bias = parameter_gradients(d_p, d_q, cache, out,
                                                                    input_gradient)
    return d_x, d_kernel, d_recurrent_kernel, d_bias, (
        dh_next if initial_state_gradient else None)
