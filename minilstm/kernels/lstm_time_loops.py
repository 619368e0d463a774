"""The LSTM's jitted time loops (``lstm``'s Numba twin): the gate steps, forwards and
backwards, and the loops over time that run them with the recurrent products by hand.

The gate steps are shared by two ways of running the time loop. They differ only in who
computes the recurrent products h_{t-1} U and dz_t Uᵀ: hand-written loops inside one jitted
call (``forward_fused``, ``backward_fused``: small shapes, where a BLAS call per step costs
more than it saves), or BLAS through NumPy from a Python loop over time (``lstm_numba``:
large shapes, where the products dominate); ``lstm_routes.blas_pays`` picks by shape.

The loops take a recurrent mask m (recurrent dropout's, ``(B, H)``) or None: with one they
form (h_{t-1} ⊙ m) U and (dz_t Uᵀ) ⊙ m; and a step mask (``(B, T)`` booleans, Keras's mask
of a sequence's steps) or None: at a step a sequence does not read, its state is carried on
forwards (``carry_state_where_unread``) and its gradients passed through backwards (dz_t =
0). Numba compiles a function once for None and once for an array, and prunes the
branches on ``... is None`` from each: the loops without masks are the loops as they were
before masks, and the masked ones are compiled only when a mask is first given. So with
the activations (``gate_activations``): the loops for Keras's defaults, tanh and sigmoid,
are the loops written for them, and those for another pair are compiled when it is first
given.
"""
import functools

import numpy as np
from numba.extending import overload

from .fast_math import copy_into, one_minus, product_into, tanh
from .jitting import kernel_jit
from .recurrent_activations import activate, derivative, kind, marker
from .vector_products import (add_rows_times_matrix, add_two_vectors_times_matrix_transposed,
                              add_vector_times_matrix_transposed)


@kernel_jit()
def _gate_views(row, units):
    """The four gate blocks i, f, g, o of a (4H,) row, as views.

    Loops over a view from index 0 vectorise; the same loop over
    ``range(2 * units, 3 * units)`` of the whole row did not (2.5x slower).
    """
    return row[:units], row[units:2 * units], row[2 * units:3 * units], row[3 * units:]


@functools.lru_cache(maxsize=32)
def gate_activations(units, dtype, activation="tanh", recurrent_activation="sigmoid"):
    """The LSTM's activations as the jitted loops take them, for H = ``units``: a tuple
    (slopes, φ, σ) of the slopes of ``activate_gates``'s one loop for Keras's defaults (4H,)
    (½ on i, f, o and 1 on g, read-only) and the markers of φ = ``activation`` and σ =
    ``recurrent_activation`` (``recurrent_activations``: Numba compiles the loops once for
    each pair it meets). Made once per size, dtype and pair."""
    slopes = np.full(4 * units, 0.5, dtype=dtype)
    slopes[2 * units:3 * units] = 1.0
    slopes.flags.writeable = False
    return slopes, marker(activation), marker(recurrent_activation)


def _keras_defaults(activations_type):
    """Whether the Numba type of ``gate_activations``' tuple holds tanh and sigmoid."""
    _, activation, recurrent_activation = activations_type.types
    return (kind(activation), kind(recurrent_activation)) == ("tanh", "sigmoid")


def activate_gates(activations, z_b, x_b, bias, gates_b):
    """gates_b (4H,) ← the activated z_b + x_b + bias of one sequence at one step: for
    Keras's defaults ``_gates_in_one_loop``, else ``_gates_by_blocks``, chosen when Numba
    compiles the caller and inlined into it (``inline="always"``), so the loop is compiled
    with ``forward_gates``' fused multiply-adds: as a function of its own, compiled without
    them, the forward pass at (1, 50, 1, 20) took about 15% longer (ad hoc)."""


@overload(activate_gates, inline="always")
def _activate_gates_by_activations(activations, z_b, x_b, bias, gates_b):
    if _keras_defaults(activations):
        return _gates_in_one_loop
    return _gates_by_blocks


def _gates_in_one_loop(activations, z_b, x_b, bias, gates_b):
    """Keras's defaults, all four gates in one loop over 4H: σ(x) = ½ + ½ tanh(x/2) and
    tanh(x) = 0 + 1 tanh(1 x), so with a = ``slopes`` (½ on i, f, o; 1 on g) every gate
    is (1 - a) + a tanh(a z). At H = 20 that ran 1.6x faster than a loop per gate, and no
    slower at H = 256."""
    slopes, _, _ = activations
    for j in range(gates_b.shape[0]):
        a = slopes[j]
        gates_b[j] = one_minus(a) + a * tanh(a * (z_b[j] + x_b[j] + bias[j]))


def _gates_by_blocks(activations, z_b, x_b, bias, gates_b):
    """Any other pair: the pre-activations, then σ on i, f, o and φ on g."""
    for j in range(gates_b.shape[0]):
        gates_b[j] = z_b[j] + x_b[j] + bias[j]
    i, f, g, o = _gate_views(gates_b, gates_b.shape[0] // 4)       # (H,) each
    _, cell, gate = activations                                     # markers of φ, σ
    for j in range(i.shape[0]):
        i[j] = activate(gate, i[j])
        f[j] = activate(gate, f[j])
        o[j] = activate(gate, o[j])
    for j in range(g.shape[0]):
        g[j] = activate(cell, g[j])


@kernel_jit(fastmath={"contract"})
def forward_gates(z, x_proj, bias, t, c0, activations, gates, cells, activated_cells, hidden):
    """Step t given z = h_{t-1} U (B, 4H) and x_proj = x W (B, T, 4H): from the
    pre-activations z + x_proj[:, t] + b, fills gates, cells, activated_cells φ(c_t) and
    hidden at t, with the ``activations`` of ``gate_activations``.

    The gates in one loop for Keras's defaults (``activate_gates``). The cell follows in two
    short loops, c_t, then φ(c_t) and h_t: loops that touch few arrays vectorise, while one
    loop over all of them ran at scalar speed (LLVM gives up its run-time overlap checks
    past a handful of arrays), and a third loop for h_t alone cost 5–20% more. Fused
    multiply-adds (``contract``; tanh's polynomials are most of the work) made the whole
    LSTM kernel 1.05–1.09x faster at the sine tutorial's (10, 50, 1, 20), where this step
    weighs most (``benchmarks/bench_revisions.py``).
    """
    batch, units4 = z.shape
    units = units4 // 4
    _, cell_activation, _ = activations
    for b in range(batch):
        c_prev = c0[b] if t == 0 else cells[b, t - 1]               # (H,)
        gates_b = gates[b, t]                                       # (4H,)
        activate_gates(activations, z[b], x_proj[b, t], bias, gates_b)
        i, f, g, o = _gate_views(gates_b, units)                    # (H,) each
        c_b, activated_b, h_b = cells[b, t], activated_cells[b, t], hidden[b, t]   # (H,)
        for j in range(units):                                      # c = f c_prev + i g
            c_b[j] = f[j] * c_prev[j] + i[j] * g[j]
        for j in range(units):                                      # h = o φ(c)
            activated_c = activate(cell_activation, c_b[j])
            activated_b[j] = activated_c
            h_b[j] = o[j] * activated_c


@kernel_jit()
def reads_step(step_mask, b, t):
    """Whether sequence b reads step t: always without a step mask (None)."""
    if step_mask is None:
        return True
    return step_mask[b, t]


@kernel_jit()
def carry_state_where_unread(step_mask, t, h0, c0, cells, hidden):
    """After ``forward_gates`` at step t: c_t = c_{t-1} and h_t = h_{t-1} for the sequences
    that do not read step t (``step_mask[b, t]`` false)."""
    for b in range(step_mask.shape[0]):
        if not step_mask[b, t]:
            copy_into(c0[b] if t == 0 else cells[b, t - 1], cells[b, t])
            copy_into(h0[b] if t == 0 else hidden[b, t - 1], hidden[b, t])


@kernel_jit()
def forward_fused(x_proj, bias, recurrent_kernel, h0, c0, activations, z, gates, cells,
                  activated_cells, hidden, h_last, c_last, zero_start, recurrent_mask, step_mask):
    """The time loop with z = h_{t-1} U by plain loops, all sequences at once (U read once
    per step, not once per sequence), then the last state copied into ``h_last`` and
    ``c_last`` (B, H) (h_0 and c_0 for no steps): here, while they are in this core's
    caches, rather than by two copies from Python after the loop (about 8 µs a pass in
    the damped-sine recipe, ad hoc). The product is written here, not as a jitted
    function of its own: each one is a compilation of its own on an empty cache. With
    ``zero_start`` (h_0 = 0, not given) the first step's product, h_0 U = 0, is skipped.
    With a ``recurrent_mask`` m (else None) the product is (h_{t-1} ⊙ m) U; with a
    ``step_mask`` (else None) the unread steps carry the state on."""
    steps = x_proj.shape[1]
    if recurrent_mask is not None:
        masked = np.empty_like(h0)                                  # (B, H) h_{t-1} ⊙ m
    for t in range(steps):
        z[:] = 0.0                                                  # (B, 4H)
        if t > 0 or not zero_start:
            if recurrent_mask is None:
                add_rows_times_matrix(h0 if t == 0 else hidden[:, t - 1], recurrent_kernel, z)
            else:
                for b in range(h0.shape[0]):
                    product_into(h0[b] if t == 0 else hidden[b, t - 1], recurrent_mask[b],
                                 masked[b])
                add_rows_times_matrix(masked, recurrent_kernel, z)
        forward_gates(z, x_proj, bias, t, c0, activations, gates, cells, activated_cells, hidden)
        if step_mask is not None:
            carry_state_where_unread(step_mask, t, h0, c0, cells, hidden)
    for b in range(h_last.shape[0]):
        copy_into(h0[b] if steps == 0 else hidden[b, steps - 1], h_last[b])
        copy_into(c0[b] if steps == 0 else cells[b, steps - 1], c_last[b])


@kernel_jit(fastmath={"contract"})
def backward_gates(d_hidden, dh_next, dc_next, t, gates, cells, activated_cells, c0, d_z,
                   step_mask, activations):
    """Step t of BPTT: fills d_z at t; dh_next and dc_next serve as scratch for dh and dc.

    On return dc_next holds dc_t ⊙ f_t; dh_next holds dh_t, to be overwritten by dz_t Uᵀ.
    A sequence that does not read step t (``step_mask``, else None) gets dz_t = 0, and
    keeps dh_t and the dc carried in, which pass through the step unchanged. The
    derivatives φ' and σ' are written with the activations' outputs (``recurrent_activations``).
    Unlike ``forward_gates``, one loop over the units for all the equations: it has no
    transcendental to vectorise, and was faster than a loop per equation at every shape
    measured (1.7x at the sine tutorial's H = 20, where loops of 20 barely vectorise,
    and 1.1–1.8x at (B, H) = (64, 256)), the same numbers in the same order.
    """
    batch, _, units = cells.shape
    _, cell, gate = activations                                     # markers of φ, σ
    for b in range(batch):
        if not reads_step(step_mask, b, t):
            dh, d_hidden_b, d_z_b = dh_next[b], d_hidden[b, t], d_z[b, t]
            for j in range(units):
                dh[j] += d_hidden_b[j]
            d_z_b[:] = 0.0
            continue
        c_prev = c0[b] if t == 0 else cells[b, t - 1]               # (H,)
        gates_b, activated_b, d_z_b = gates[b, t], activated_cells[b, t], d_z[b, t]
        i, f, g, o = _gate_views(gates_b, units)                    # (H,) each
        d_i, d_f, d_g, d_o = _gate_views(d_z_b, units)
        dh, dc, d_hidden_b = dh_next[b], dc_next[b], d_hidden[b, t]  # (H,)
        for j in range(units):
            dh_j = dh[j] + d_hidden_b[j]                            # dh = dh_next + d_hidden
            activated_c, i_j, f_j, g_j, o_j = activated_b[j], i[j], f[j], g[j], o[j]
            dc_j = dc[j] + dh_j * o_j * derivative(cell, activated_c)  # dc += dh o φ'(c)
            d_i[j] = dc_j * g_j * derivative(gate, i_j)             # dz[i] = dc g σ'(z[i])
            d_f[j] = dc_j * c_prev[j] * derivative(gate, f_j)       # dz[f] = dc c_prev σ'(z[f])
            d_g[j] = dc_j * i_j * derivative(cell, g_j)             # dz[g] = dc i φ'(z[g])
            d_o[j] = dh_j * activated_c * derivative(gate, o_j)     # dz[o] = dh φ(c) σ'(z[o])
            dh[j] = dh_j
            dc[j] = dc_j * f_j                                      # dc_next = dc f


@kernel_jit()
def backward_fused(d_hidden, dh_next, dc_next, gates, cells, activated_cells, c0,
                   recurrent_kernel, d_z, initial_state_gradient, recurrent_mask, step_mask,
                   activations):
    """The time loop backwards with dh_next = dz_t Uᵀ by plain loops, two sequences at a
    time (each row of U read once for both; the last alone when the batch is odd): the loop
    of ``add_few_rows_times_matrix_transposed``, written out on the rows d_z[b, t]. Given
    d_z[:, t], Numba types that view, and so each of its rows, as strided, and the dot
    products over them did not vectorise (the whole loop 4.3x and 2.1x slower at the
    addition and damped-sine shapes (10, 5, 12, 100) and (10, 50, 20, 20), ad hoc; from a
    contiguous copy, slower at H = 20 and at batch 1 and 2). Without
    ``initial_state_gradient`` the last product, dh_0 = dz_1 Uᵀ, is not formed. With a
    ``recurrent_mask`` m (else None), dh_next = (dz_t Uᵀ) ⊙ m; with a ``step_mask`` (else
    None), the sequences that do not read step t keep dh_t as dh_next (their dz_t is 0)."""
    batch = dh_next.shape[0]
    for t in range(cells.shape[1] - 1, -1, -1):
        backward_gates(d_hidden, dh_next, dc_next, t, gates, cells, activated_cells, c0, d_z,
                       step_mask, activations)
        if t == 0 and not initial_state_gradient:
            break
        if step_mask is None:
            dh_next[:] = 0.0                                        # (B, H)
        else:
            for b in range(batch):
                if step_mask[b, t]:
                    dh_next[b, :] = 0.0                             # unread: dh_t kept
        b = 0
        while b + 2 <= batch:
            add_two_vectors_times_matrix_transposed(d_z[b, t], d_z[b + 1, t], recurrent_kernel,
                                                    dh_next[b], dh_next[b + 1])
            b += 2
        if b < batch:
            add_vector_times_matrix_transposed(d_z[b, t], recurrent_kernel, dh_next[b])
        if recurrent_mask is not None:
            for b in range(batch):
                if reads_step(step_mask, b, t):
                    product_into(dh_next[b], recurrent_mask[b], dh_next[b])


@kernel_jit()
def backward_fused_one_sequence(d_hidden, dh_next, dc_next, gates, cells, activated_cells, c0,
                                recurrent_kernel, d_z, initial_state_gradient, recurrent_mask,
                                step_mask, activations):
    """``backward_fused`` for a batch of one, with dh_next = dz_t Uᵀ by the one-vector
    product: the same numbers, and the two-sequence product, which a batch of one never
    runs, is not compiled (it took about a second of the echo tutorials' start on an
    empty cache)."""
    for t in range(cells.shape[1] - 1, -1, -1):
        backward_gates(d_hidden, dh_next, dc_next, t, gates, cells, activated_cells, c0, d_z,
                       step_mask, activations)
        if t == 0 and not initial_state_gradient:
            break
        if not reads_step(step_mask, 0, t):
            continue                                                # unread: dh_t kept
        dh_next[:] = 0.0                                            # (1, H)
        add_vector_times_matrix_transposed(d_z[0, t], recurrent_kernel, dh_next[0])
        if recurrent_mask is not None:
            product_into(dh_next[0], recurrent_mask[0], dh_next[0])
