r"""LSTM forward pass and backpropagation through time, as two twins.

Notation (Keras layout and gate order i, f, c, o)::

    x        (B, T, I)    input sequences
    W        (I, 4H)      kernel            columns: [ i | f | c | o ]
    U        (H, 4H)      recurrent_kernel
    b        (4H,)        bias
    h_0, c_0 (B, H)       initial state (zeros when not given)

Forward, for t = 1..T::

    z_t  = x_t W + b + h_{t-1} U                       (B, 4H)   pre-activations
    i_t  = σ(z_t[i])    f_t = σ(z_t[f])    g_t = tanh(z_t[c])    o_t = σ(z_t[o])
    c_t  = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    h_t  = o_t ⊙ tanh(c_t)

with σ(z) = 1 / (1 + e^{-z}), evaluated as (1 + tanh(z/2)) / 2, the same number
without overflow for large |z|. ``x W + b`` for every timestep is one matrix
product before the time loop; only ``h_{t-1} U`` runs inside it.

Backward, given dL/dh_t for every t (``d_hidden``) and the gradients carried in
for the final state (``d_h_last``, ``d_c_last``), for t = T..1::

    dh_t   = d_hidden_t + dh_next                     dh_next = d_h_last at t = T
    dc_t   = dc_next + dh_t ⊙ o_t ⊙ (1 - tanh²(c_t))  dc_next = d_c_last at t = T
    dz[i]  = dc_t ⊙ g_t ⊙ i_t (1 - i_t)
    dz[f]  = dc_t ⊙ c_{t-1} ⊙ f_t (1 - f_t)
    dz[c]  = dc_t ⊙ i_t ⊙ (1 - g_t²)
    dz[o]  = dh_t ⊙ tanh(c_t) ⊙ o_t (1 - o_t)
    dh_next = dz_t Uᵀ         dc_next = dc_t ⊙ f_t

and after the loop, as products over all B·T rows at once (BLAS; in the Numba twin, for a
few rows or narrow products, jitted loops: ``_weight_gradients_loops``, ``one_core_pays``)::

    dW = Σ_t x_tᵀ dz_t     dU = Σ_t h_{t-1}ᵀ dz_t     db = Σ_t Σ_batch dz_t
    dx_t = dz_t Wᵀ         dh_0 = dh_next             dc_0 = dc_next

and, when only the sum of the input's gradients over the steps is asked for
(``SUMMED_OVER_STEPS``: all a ``RepeatVector`` before the layer needs), one product of B
rows instead of B·T::

    Σ_t dx_t = (Σ_t dz_t) Wᵀ

Without a given initial state h_0 = 0, and the Numba twin forms neither h_0 U = 0 nor,
on its few-row loops, the t = 1 terms of dU, h_0ᵀ dz_1 = 0 (the NumPy twin forms both, as
written above; the Numba twin's BLAS and row-block routes form those terms of dU too:
``_previous_hidden_rows``). A caller with no use for dh_0 and dc_0
(``initial_state_gradient=False``: no state was given, or nothing upstream trains it) gets
None for them, and neither twin forms the last dz_t Uᵀ (t = 1).

``go_backwards=True`` reads the input from the last step to the first; like
Keras, the returned sequence is then in that reversed (processing) order.

The twins: ``forward_reference`` / ``backward_reference`` are NumPy, vectorised
over the batch with a Python loop over time, written to be read next to the
equations above. ``forward_numba`` / ``backward_numba`` run the same time loop
jitted; in float32 they evaluate tanh and σ with the rational approximation of
``fast_math`` (error below 4e-7), in float64 exactly. For narrow layers over many rows
(``two_cores_pay``) the Numba twin runs each half of the batch on its own core, every
product of a pass by jitted loops (``_forward_half``, ``_backward_half``): the sequences
of a batch are independent, so only the weight gradients' two shares meet, added at the
end. On one core it reads one-hot input, and input that repeats its first step, without
multiplying it out in x W and dW (``input_rows``, ``_projection_of_rows``). ``forward`` /
``backward`` call the twin of the backend in use.
"""
import functools
from typing import NamedTuple, Optional

import numpy as np

from .backend import dispatch
from .fast_math import copy_into, one_minus, tanh
from .input_rows import (hot_rows_transposed_times, repeats_first_step, rows_times,
                         rows_transposed_times)
from .jitting import kernel_jit
from .reference_math import sigmoid as sigmoid_reference
from .second_core import in_halves
from .vector_products import (add_rows_times_matrix, add_rows_times_matrix_transposed,
                              add_two_vectors_times_matrix_transposed,
                              add_vector_times_matrix_transposed,
                              flat_rows_product, given_or_zeros, gradient_arrays,
                              loops_times_matrix_transposed, outer_products_sum,
                              outer_products_sum_by_row_blocks, rows_times_matrix,
                              rows_times_matrix_transposed, sum_of_rows, times_transposed)


class LSTMCache(NamedTuple):
    """What the forward pass keeps for the backward pass."""

    x: np.ndarray               # (B, T, I) input, in processing order
    h0: np.ndarray              # (B, H)
    c0: np.ndarray              # (B, H)
    gates: np.ndarray           # (B, T, 4H) activated i, f, g, o
    cells: np.ndarray           # (B, T, H) c_t
    tanh_cells: np.ndarray      # (B, T, H) tanh(c_t)
    hidden: np.ndarray          # (B, T, H) h_t
    kernel: np.ndarray          # (I, 4H)
    recurrent_kernel: np.ndarray  # (H, 4H)
    go_backwards: bool
    repeated: bool = False      # x_t = x_1 at every step (the Numba twin's check)
    hot: Optional[np.ndarray] = None  # the columns of x's distinct rows when one-hot (Numba)
    zero_start: bool = False    # h_0 = 0, not given: its products skipped (the Numba twin)


def _start(x, recurrent_kernel, h0, c0, go_backwards):
    """Reverse the input if asked; the initial states as C-contiguous arrays, zeros where
    they are not given."""
    batch, units = x.shape[0], recurrent_kernel.shape[0]
    if go_backwards:
        x = np.ascontiguousarray(x[:, ::-1])
    h0 = np.zeros((batch, units), dtype=x.dtype) if h0 is None else np.ascontiguousarray(h0)
    c0 = np.zeros((batch, units), dtype=x.dtype) if c0 is None else np.ascontiguousarray(c0)
    return x, h0, c0


def _input_projection(x, kernel, bias):
    """x W + b for every timestep at once: one (B·T, I) @ (I, 4H) product.

    The Numba twin leaves b out and adds it in its gate loop, saving a pass over the
    (B·T, 4H) result, and reads one-hot or repeated input by ``input_rows``
    (``_projection_of_rows``). ``flat_rows_product``'s ``blas_product`` rather than ``@``:
    NumPy's matmul skips BLAS with one feature (I = 1), where ``blas_product`` takes
    ``np.dot``.
    """
    projected = flat_rows_product(x, kernel)                        # (B, T, 4H)
    projected += bias
    return projected


def column_sums(rows, out=None):
    """Σ over the rows of a 2-D array, as one BLAS product with a vector of ones:
    5x faster than ``rows.sum(axis=0)`` on the (500, 80) gradients of the sine tutorial."""
    return np.matmul(_ones(rows.shape[0], rows.dtype), rows, out=out)


@functools.lru_cache(maxsize=32)
def _ones(length, dtype):
    """A read-only vector of ones, made once per length and dtype."""
    ones = np.ones(length, dtype=dtype)
    ones.flags.writeable = False
    return ones


def _parameter_gradients(d_z, cache, out=None, input_gradient=True):
    """dx, dW, dU and db from the pre-activation gradients of every step, as products over
    all B·T rows (``_weight_gradients``, ``_input_gradient``); the NumPy twin's."""
    d_kernel, d_recurrent_kernel, d_bias = _weight_gradients(_rows(d_z), cache, out)
    d_x = _input_gradient(d_z, cache, times_transposed, input_gradient)
    return d_x, d_kernel, d_recurrent_kernel, d_bias


def _rows(array):
    """(B, T, X) -> (B·T, X), a view."""
    return array.reshape(array.shape[0] * array.shape[1], array.shape[2])


def _weight_gradients(d_z_rows, cache, out=None, d_z_summed=None):
    """dW, dU and db as BLAS products over all B·T rows.

    ``out``: optional arrays ``(dW, dU, db)`` to write the weight gradients into (any may
    be None: a new array is returned for it). ``d_z_summed``: see ``_distinct_rows``.
    """
    out_kernel, out_recurrent, out_bias = out or (None, None, None)
    d_kernel = _kernel_gradient(d_z_rows, cache, out_kernel, d_z_summed)  # (I, 4H)
    previous = _previous_hidden_rows(cache)                             # (B·T, H)
    d_recurrent_kernel = np.matmul(previous.T, d_z_rows, out=out_recurrent)  # (H, 4H)
    d_bias = column_sums(d_z_rows, out_bias)                            # (4H,)
    return d_kernel, d_recurrent_kernel, d_bias


def _kernel_gradient(d_z_rows, cache, out=None, d_z_summed=None):
    """dW = Σ_t x_tᵀ dz_t as a BLAS product over x's distinct rows (``_distinct_rows``);
    from one-hot rows (``cache.hot``) as dz's rows summed into the rows of W they select.
    Only the Numba twin's cache records either form."""
    x_rows, x_d_z_rows = _distinct_rows(cache, d_z_rows, d_z_summed)     # (R, I), (R, 4H)
    return rows_transposed_times(x_rows, cache.hot, x_d_z_rows, out)     # (I, 4H)


def _distinct_rows(cache, d_z_rows, d_z_summed):
    """x's rows for dW = Σ x_rowᵀ dz_row, with the rows of dz each pairs with: all B·T of
    each, or, for an input that repeats its first step (``cache.repeated``, the Numba
    twin's), x_1's B rows with Σ_t dz_t, ``d_z_summed (B, 4H)`` (``input_rows``)."""
    if not cache.repeated:
        return np.ascontiguousarray(_rows(cache.x)), d_z_rows            # (B·T, I), (B·T, 4H)
    return np.ascontiguousarray(cache.x[:, 0]), d_z_summed               # (B, I), (B, 4H)


SUMMED_OVER_STEPS = "summed over steps"   # backward's input_gradient for Σ_t dx_t alone


def _input_gradient(d_z, cache, times_transposed, input_gradient, d_z_summed=None):
    """What ``input_gradient`` asks for, ``times_transposed(rows, W)`` multiplying: for True,
    dx_t = dz_t Wᵀ for every step (B, T, I), in the caller's order of steps when the input
    was read backwards; for ``SUMMED_OVER_STEPS``, Σ_t dx_t = (Σ_t dz_t) Wᵀ (B, I), with
    Σ_t dz_t ``d_z_summed`` when the caller has it; for False, None (neither product made)."""
    if _dx_summed(input_gradient):
        if d_z_summed is None:
            d_z_summed = d_z.sum(axis=1)                                 # (B, 4H)
        return times_transposed(d_z_summed, cache.kernel)                # (B, I)
    if not input_gradient:
        return None
    d_x = times_transposed(_rows(d_z), cache.kernel)                     # (B·T, I)
    return _in_callers_order(d_x.reshape(cache.x.shape), cache)          # (B, T, I)


def _dx_summed(input_gradient):
    """Whether backward's ``input_gradient`` asks for Σ_t dx_t alone (``SUMMED_OVER_STEPS``,
    the one string ``_backward_start`` lets through)."""
    return isinstance(input_gradient, str)


def _dx_per_step(input_gradient):
    """Whether backward's ``input_gradient`` asks for dx at every step: True, not
    ``SUMMED_OVER_STEPS`` (one product of B rows) or False (none)."""
    return not _dx_summed(input_gradient) and bool(input_gradient)


def _in_callers_order(d_x, cache):
    """dx as the caller gave x: its steps reversed again when the input was read backwards."""
    return np.ascontiguousarray(d_x[:, ::-1]) if cache.go_backwards else d_x


def _zeros_or_copy(array, shape, dtype):
    """A new array of ``dtype``: zeros when ``array`` is None, else a copy of it."""
    return np.zeros(shape, dtype=dtype) if array is None else array.astype(dtype, copy=True)


def _initial_state_gradients(dh_next, dc_next, initial_state_gradient):
    """(dh_0, dc_0) as the time loop left them, or (None, None) when not asked for."""
    return (dh_next, dc_next) if initial_state_gradient else (None, None)


def _backward_start(d_hidden, d_h_last, d_c_last, cache, input_gradient):
    """What both twins' time loops start from: dL/dh_t (zeros for None), dh_next and dc_next
    (new arrays the loop overwrites, zeros for None) and d_z, to be filled; an
    ``input_gradient`` that is a string other than ``SUMMED_OVER_STEPS`` is an error
    naming it, before any gradient is written."""
    if isinstance(input_gradient, str) and input_gradient != SUMMED_OVER_STEPS:
        raise ValueError(f"input_gradient must be True, False or {SUMMED_OVER_STEPS!r}; "
                         f"got {input_gradient!r}")
    batch, steps, units = cache.hidden.shape
    dtype = cache.hidden.dtype
    return (given_or_zeros(d_hidden, (batch, steps, units), dtype),       # (B, T, H)
            _zeros_or_copy(d_h_last, (batch, units), dtype),              # (B, H)
            _zeros_or_copy(d_c_last, (batch, units), dtype),              # (B, H)
            np.empty((batch, steps, 4 * units), dtype=dtype))             # (B, T, 4H)


# ---------------------------------------------------------------- NumPy twin

def cell_reference(z, c_prev):
    """One step of the cell from its pre-activations ``z (B, 4H)``: gates, c_t, h_t."""
    units = c_prev.shape[1]
    i = sigmoid_reference(z[:, :units])                          # (B, H)
    f = sigmoid_reference(z[:, units:2 * units])                 # (B, H)
    g = np.tanh(z[:, 2 * units:3 * units])                       # (B, H)
    o = sigmoid_reference(z[:, 3 * units:])                      # (B, H)
    c = f * c_prev + i * g                                       # (B, H)
    h = o * np.tanh(c)                                           # (B, H)
    return np.concatenate([i, f, g, o], axis=1), c, h


def cell_backward_reference(dh, dc_next, gates, c_prev, tanh_c):
    """The cell step backwards: dz_t ``(B, 4H)`` and dL/dc_{t-1}, from dh_t and dc carried in."""
    units = c_prev.shape[1]
    i, f = gates[:, :units], gates[:, units:2 * units]           # (B, H)
    g, o = gates[:, 2 * units:3 * units], gates[:, 3 * units:]   # (B, H)
    dc = dc_next + dh * o * (1.0 - tanh_c * tanh_c)              # (B, H)
    d_z = np.concatenate([dc * g * i * (1.0 - i),
                          dc * c_prev * f * (1.0 - f),
                          dc * i * (1.0 - g * g),
                          dh * tanh_c * o * (1.0 - o)], axis=1)  # (B, 4H)
    return d_z, dc * f


def forward_reference(x, kernel, recurrent_kernel, bias, h0=None, c0=None,
                      go_backwards=False):
    """LSTM over whole sequences, NumPy reference (see the module docstring).

    Returns ``hidden (B, T, H)``, ``h_T (B, H)``, ``c_T (B, H)`` and the cache
    for ``backward_reference``.
    """
    x, h0, c0 = _start(x, recurrent_kernel, h0, c0, go_backwards)
    batch, steps, _ = x.shape
    units = recurrent_kernel.shape[0]
    x_proj = _input_projection(x, kernel, bias)                  # (B, T, 4H)
    gates = np.empty((batch, steps, 4 * units), dtype=x.dtype)   # (B, T, 4H)
    cells = np.empty((batch, steps, units), dtype=x.dtype)       # (B, T, H)
    hidden = np.empty((batch, steps, units), dtype=x.dtype)      # (B, T, H)
    h, c = h0, c0                                                # (B, H)
    for t in range(steps):
        z = x_proj[:, t] + h @ recurrent_kernel                  # (B, 4H)
        gates[:, t], c, h = cell_reference(z, c)
        cells[:, t] = c
        hidden[:, t] = h
    cache = LSTMCache(x, h0, c0, gates, cells, np.tanh(cells), hidden,
                      kernel, recurrent_kernel, go_backwards)
    return hidden, h, c, cache


def backward_reference(d_hidden, d_h_last, d_c_last, cache, out=None, input_gradient=True,
                       initial_state_gradient=True):
    """BPTT, NumPy reference (see the module docstring).

    ``d_hidden (B, T, H)`` is dL/dh_t for every step in processing order;
    ``d_h_last`` and ``d_c_last`` ``(B, H)`` are carried in for the final state.
    Any of the three may be ``None`` for zeros. Returns
    ``d_x, d_kernel, d_recurrent_kernel, d_bias, d_h0, d_c0``; ``out`` optionally
    gives the arrays to write ``d_kernel, d_recurrent_kernel, d_bias`` into (None
    for any of them: a new array); with ``input_gradient=False`` ``d_x`` is None,
    not computed (the input is data, with nothing upstream to train), and with
    ``input_gradient=SUMMED_OVER_STEPS`` it is Σ_t dx_t, ``(B, I)``. With
    ``initial_state_gradient=False``, ``d_h0`` and ``d_c0`` are None (for an initial state
    that was not given, or one nothing upstream trains), and dz_1 Uᵀ is not formed.
    """
    d_hidden, dh_next, dc_next, d_z = _backward_start(d_hidden, d_h_last, d_c_last, cache,
                                                      input_gradient)
    for t in reversed(range(cache.hidden.shape[1])):
        c_prev = cache.c0 if t == 0 else cache.cells[:, t - 1]        # (B, H)
        d_z[:, t], dc_next = cell_backward_reference(
            d_hidden[:, t] + dh_next, dc_next, cache.gates[:, t], c_prev, cache.tanh_cells[:, t])
        if t > 0 or initial_state_gradient:
            dh_next = d_z[:, t] @ cache.recurrent_kernel.T            # (B, H)
    d_x, d_kernel, d_recurrent_kernel, d_bias = _parameter_gradients(d_z, cache, out,
                                                                     input_gradient)
    return (d_x, d_kernel, d_recurrent_kernel, d_bias) + _initial_state_gradients(
        dh_next, dc_next, initial_state_gradient)


# ---------------------------------------------------------------- Numba twin
#
# The jitted gate steps below are shared by two ways of running the time loop.
# They differ only in who computes the recurrent products h_{t-1} U and dz_t Uᵀ:
# hand-written loops inside one jitted call (small shapes, where a BLAS call per
# step costs more than it saves), or BLAS through NumPy from a Python loop over
# time (large shapes, where the products dominate). ``blas=None`` picks by shape.

@kernel_jit()
def _gate_views(row, units):
    """The four gate blocks i, f, g, o of a (4H,) row, as views.

    Loops over a view from index 0 vectorise; the same loop over
    ``range(2 * units, 3 * units)`` of the whole row did not (2.5x slower).
    """
    return row[:units], row[units:2 * units], row[2 * units:3 * units], row[3 * units:]


@functools.lru_cache(maxsize=32)
def gate_slopes(units, dtype):
    """a (4H,): ½ on the σ gates i, f, o and 1 on g, for ``_forward_gates``; made once
    per size and dtype, read-only."""
    slopes = np.full(4 * units, 0.5, dtype=dtype)
    slopes[2 * units:3 * units] = 1.0
    slopes.flags.writeable = False
    return slopes


@kernel_jit(fastmath={"contract"})
def _forward_gates(z, x_proj, bias, t, c0, slopes, gates, cells, tanh_cells, hidden):
    """Step t given z = h_{t-1} U (B, 4H) and x_proj = x W (B, T, 4H): from the
    pre-activations z + x_proj[:, t] + b, fills gates, cells, tanh_cells, hidden at t.

    All four gates in one loop over 4H: σ(x) = ½ + ½ tanh(x/2) and tanh(x) = 0 + 1 tanh(1 x),
    so with a = ``slopes`` (½ on i, f, o; 1 on g) every gate is (1 - a) + a tanh(a z).
    At H = 20 that ran 1.6x faster than a loop per gate, and no slower at H = 256.
    The cell follows in two short loops, c_t, then tanh(c_t) and h_t: loops that touch
    few arrays vectorise, while one loop over all of them ran at scalar speed (LLVM gives
    up its run-time overlap checks past a handful of arrays), and a third loop for h_t
    alone cost 5–20% more. Fused multiply-adds (``contract``; tanh's polynomials are most of
    the work) made the whole LSTM kernel 1.05–1.09x faster at the sine tutorial's
    (10, 50, 1, 20), where this step weighs most (``benchmarks/bench_revisions.py``).
    """
    batch, units4 = z.shape
    units = units4 // 4
    for b in range(batch):
        c_prev = c0[b] if t == 0 else cells[b, t - 1]               # (H,)
        z_b, x_b, gates_b = z[b], x_proj[b, t], gates[b, t]         # (4H,)
        for j in range(units4):
            a = slopes[j]
            gates_b[j] = one_minus(a) + a * tanh(a * (z_b[j] + x_b[j] + bias[j]))
        i, f, g, o = _gate_views(gates_b, units)                    # (H,) each
        c_b, tanh_b, h_b = cells[b, t], tanh_cells[b, t], hidden[b, t]   # (H,)
        for j in range(units):                                      # c = f c_prev + i g
            c_b[j] = f[j] * c_prev[j] + i[j] * g[j]
        for j in range(units):                                      # h = o tanh(c)
            tanh_c = tanh(c_b[j])
            tanh_b[j] = tanh_c
            h_b[j] = o[j] * tanh_c


@kernel_jit()
def _forward_fused(x_proj, bias, recurrent_kernel, h0, c0, slopes, z, gates, cells,
                   tanh_cells, hidden, h_last, c_last, zero_start):
    """The time loop with z = h_{t-1} U by plain loops, all sequences at once (U read once
    per step, not once per sequence), then the last state copied into ``h_last`` and
    ``c_last`` (B, H) (h_0 and c_0 for no steps): here, while they are in this core's
    caches, rather than by two copies from Python after the loop (about 8 µs a pass in
    the damped-sine recipe, ad hoc). The product is written here, not as a jitted
    function of its own: each one is a compilation of its own on an empty cache. With
    ``zero_start`` (h_0 = 0, not given) the first step's product, h_0 U = 0, is skipped."""
    steps = x_proj.shape[1]
    for t in range(steps):
        z[:] = 0.0                                                  # (B, 4H)
        if t > 0 or not zero_start:
            add_rows_times_matrix(h0 if t == 0 else hidden[:, t - 1], recurrent_kernel, z)
        _forward_gates(z, x_proj, bias, t, c0, slopes, gates, cells, tanh_cells, hidden)
    for b in range(h_last.shape[0]):
        copy_into(h0[b] if steps == 0 else hidden[b, steps - 1], h_last[b])
        copy_into(c0[b] if steps == 0 else cells[b, steps - 1], c_last[b])


@kernel_jit(fastmath={"contract"})
def _backward_gates(d_hidden, dh_next, dc_next, t, gates, cells, tanh_cells, c0, d_z):
    """Step t of BPTT: fills d_z at t; dh_next and dc_next serve as scratch for dh and dc.

    On return dc_next holds dc_t ⊙ f_t; dh_next holds dh_t, to be overwritten by dz_t Uᵀ.
    Unlike ``_forward_gates``, one loop over the units for all the equations: it has no
    transcendental to vectorise, and was faster than a loop per equation at every shape
    measured (1.7x at the sine tutorial's H = 20, where loops of 20 barely vectorise,
    and 1.1–1.8x at (B, H) = (64, 256)), the same numbers in the same order.
    """
    batch, _, units = cells.shape
    for b in range(batch):
        c_prev = c0[b] if t == 0 else cells[b, t - 1]               # (H,)
        gates_b, tanh_b, d_z_b = gates[b, t], tanh_cells[b, t], d_z[b, t]
        i, f, g, o = _gate_views(gates_b, units)                    # (H,) each
        d_i, d_f, d_g, d_o = _gate_views(d_z_b, units)
        dh, dc, d_hidden_b = dh_next[b], dc_next[b], d_hidden[b, t]  # (H,)
        for j in range(units):
            dh_j = dh[j] + d_hidden_b[j]                            # dh = dh_next + d_hidden
            tanh_c, i_j, f_j, g_j, o_j = tanh_b[j], i[j], f[j], g[j], o[j]
            dc_j = dc[j] + dh_j * o_j * one_minus(tanh_c * tanh_c)  # dc += dh o (1 - tanh²c)
            d_i[j] = dc_j * g_j * i_j * one_minus(i_j)              # dz[i] = dc g i (1 - i)
            d_f[j] = dc_j * c_prev[j] * f_j * one_minus(f_j)        # dz[f] = dc c_prev f (1 - f)
            d_g[j] = dc_j * i_j * one_minus(g_j * g_j)              # dz[g] = dc i (1 - g²)
            d_o[j] = dh_j * tanh_c * o_j * one_minus(o_j)           # dz[o] = dh tanh(c) o (1 - o)
            dh[j] = dh_j
            dc[j] = dc_j * f_j                                      # dc_next = dc f


@kernel_jit()
def _backward_fused(d_hidden, dh_next, dc_next, gates, cells, tanh_cells, c0,
                    recurrent_kernel, d_z, initial_state_gradient):
    """The time loop backwards with dh_next = dz_t Uᵀ by plain loops, two sequences at a
    time (each row of U read once for both; the last alone when the batch is odd): the loop
    of ``add_few_rows_times_matrix_transposed``, written out on the rows d_z[b, t]. Given
    d_z[:, t], Numba types that view, and so each of its rows, as strided, and the dot
    products over them did not vectorise (the whole loop 4.3x and 2.1x slower at the
    addition and damped-sine shapes (10, 5, 12, 100) and (10, 50, 20, 20), ad hoc; from a
    contiguous copy, slower at H = 20 and at batch 1 and 2). Without
    ``initial_state_gradient`` the last product, dh_0 = dz_1 Uᵀ, is not formed."""
    batch = dh_next.shape[0]
    for t in range(cells.shape[1] - 1, -1, -1):
        _backward_gates(d_hidden, dh_next, dc_next, t, gates, cells, tanh_cells, c0, d_z)
        if t == 0 and not initial_state_gradient:
            break
        dh_next[:] = 0.0                                            # (B, H)
        b = 0
        while b + 2 <= batch:
            add_two_vectors_times_matrix_transposed(d_z[b, t], d_z[b + 1, t], recurrent_kernel,
                                                    dh_next[b], dh_next[b + 1])
            b += 2
        if b < batch:
            add_vector_times_matrix_transposed(d_z[b, t], recurrent_kernel, dh_next[b])


@kernel_jit()
def _backward_fused_one_sequence(d_hidden, dh_next, dc_next, gates, cells, tanh_cells, c0,
                                 recurrent_kernel, d_z, initial_state_gradient):
    """``_backward_fused`` for a batch of one, with dh_next = dz_t Uᵀ by the one-vector
    product: the same numbers, and the two-sequence product, which a batch of one never
    runs, is not compiled (it took about a second of the echo tutorials' start on an
    empty cache)."""
    for t in range(cells.shape[1] - 1, -1, -1):
        _backward_gates(d_hidden, dh_next, dc_next, t, gates, cells, tanh_cells, c0, d_z)
        if t == 0 and not initial_state_gradient:
            break
        dh_next[:] = 0.0                                            # (1, H)
        add_vector_times_matrix_transposed(d_z[0, t], recurrent_kernel, dh_next[0])


@kernel_jit()
def _recurrent_rows(h0, hidden, d_z_rows, zero_start):
    """The jitted loops' pairs of dU = Σ_t h_{t-1}ᵀ dz_t (``_previous_hidden_rows``),
    gathered inside them rather than by NumPy calls before: h_{t-1} as rows (P, H) and the
    rows of dz they pair with (P, 4H), from every step (``d_z_rows`` itself), or from the
    second on with ``zero_start``."""
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
            copy_into(h0[b] if t == 0 else hidden[b, t - 1], previous[row])
            if first:
                copy_into(d_z_rows[b * steps + t], d_z_pairs[row])
    return previous, d_z_pairs


@kernel_jit()
def _weight_gradients_loops(x_rows, x_d_z_rows, hot, h0, hidden, d_z_rows, zero_start,
                            d_kernel, d_recurrent_kernel, d_bias):
    """``_weight_gradients`` for a few rows, in one jitted call: dW = Σ x_rowᵀ dz_row over
    x's distinct rows and their rows of dz (``_distinct_rows``), dU = Σ h_{t-1}ᵀ dz_t
    (``_recurrent_rows``), db = Σ dz_t, each written into its array. ``hot``: the columns
    of x's rows when they are one-hot (``input_rows``), by which dW then sums dz's rows;
    empty otherwise."""
    if hot.shape[0]:
        hot_rows_transposed_times(hot, x_d_z_rows, d_kernel)
    else:
        outer_products_sum(x_rows, x_d_z_rows, d_kernel)
    outer_products_sum(*_recurrent_rows(h0, hidden, d_z_rows, zero_start), d_recurrent_kernel)
    sum_of_rows(d_z_rows, d_bias)


@kernel_jit()
def _weight_gradients_row_blocks(x_rows, x_d_z_rows, hot, h0, hidden, d_z_rows, d_kernel,
                                 d_recurrent_kernel, d_bias):
    """``_weight_gradients_loops`` for more rows than a few, into small gradients
    (``one_core_pays``), by ``outer_products_sum_by_row_blocks``. dU takes every step's
    pairs, h_0's too when it is zero: these are narrow layers over many rows, where gathering
    the other rows of d_z cost more than the 1/T of the products it saved (the damped-sine
    recipe, whose halves come here, ran 0.962x as fast with them left out:
    ``benchmarks/bench_revisions.py --processes``, README)."""
    if hot.shape[0]:
        hot_rows_transposed_times(hot, x_d_z_rows, d_kernel)
    else:
        outer_products_sum_by_row_blocks(x_rows, x_d_z_rows, d_kernel)
    outer_products_sum_by_row_blocks(*_recurrent_rows(h0, hidden, d_z_rows, False),
                                     d_recurrent_kernel)
    sum_of_rows(d_z_rows, d_bias)


@kernel_jit()
def _half_of_batch(half, batch):
    """The sequences [start, stop) of half 0 or 1 of a batch: the first takes the odd one."""
    size = (batch + 1) // 2
    start = half * size
    return start, min(batch, start + size)


@kernel_jit(nogil=True)
def _forward_half(half, x, kernel, bias, recurrent_kernel, h0, c0, slopes, x_proj, gates,
                  cells, tanh_cells, hidden, h_last, c_last, zero_start):
    """``forward_numba``'s work for one half of the batch (``two_cores_pay``): its rows of
    x W, by ``add_rows_times_matrix``, then its time loop (``_forward_fused``), with a z of
    its own (the two halves' rows of one z would share a cache line, written at every step
    by both cores)."""
    start, stop = _half_of_batch(half, x.shape[0])
    rows = (stop - start) * x.shape[1]
    projected = x_proj[start:stop].reshape((rows, x_proj.shape[2]))    # (rows, 4H)
    projected[:] = 0.0
    add_rows_times_matrix(x[start:stop].reshape((rows, x.shape[2])), kernel, projected)
    z = np.empty((stop - start, x_proj.shape[2]), x_proj.dtype)       # (half, 4H)
    _forward_fused(x_proj[start:stop], bias, recurrent_kernel, h0[start:stop], c0[start:stop],
                   slopes, z, gates[start:stop], cells[start:stop], tanh_cells[start:stop],
                   hidden[start:stop], h_last[start:stop], c_last[start:stop], zero_start)


@kernel_jit(nogil=True)
def _backward_half(half, d_hidden, dh_next, dc_next, gates, cells, tanh_cells, h0, c0,
                   hidden, recurrent_kernel, d_z, x, kernel, d_x, d_kernel, d_recurrent_kernel,
                   d_bias, initial_state_gradient):
    """``backward_numba``'s work for one half of the batch (``two_cores_pay``): its time loop
    (``_backward_fused``), its rows of dx = dz Wᵀ when ``d_x`` has rows (a (0, T, I) array
    when dx is not asked for), and its share of dW, dU and db: the first half's written into
    ``d_kernel``, ``d_recurrent_kernel`` and ``d_bias``, the second's into new arrays,
    returned (the caller adds them, ``_add_second_share``). Its rows of h_{t-1} are gathered
    here, on the core whose forward half wrote them. What a half writes again and again,
    dh_next and dc_next at every step and its shares of the gradients at every block of rows,
    lives in arrays of its own (as z in ``_forward_half``): rows of one array next to the
    other half's may share a cache line, which the two cores would then pass back and forth
    (passes 1.05–1.2x slower at the damped-sine tutorial's shapes, ad hoc)."""
    start, stop = _half_of_batch(half, d_z.shape[0])
    dh = dh_next[start:stop].copy()                                    # (half, H)
    dc = dc_next[start:stop].copy()                                    # (half, H)
    _backward_fused(d_hidden[start:stop], dh, dc, gates[start:stop], cells[start:stop],
                    tanh_cells[start:stop], c0[start:stop], recurrent_kernel, d_z[start:stop],
                    initial_state_gradient)
    for b in range(stop - start):
        copy_into(dh[b], dh_next[start + b])
        copy_into(dc[b], dc_next[start + b])
    rows = (stop - start) * hidden.shape[1]
    d_z_rows = d_z[start:stop].reshape((rows, d_z.shape[2]))           # (rows, 4H)
    if half == 1:
        d_kernel = np.empty_like(d_kernel)                             # (I, 4H)
        d_recurrent_kernel = np.empty_like(d_recurrent_kernel)         # (H, 4H)
        d_bias = np.empty_like(d_bias)                                 # (4H,)
    _weight_gradients_row_blocks(x[start:stop].reshape((rows, x.shape[2])), d_z_rows, _NOT_HOT,
                                 h0[start:stop], hidden[start:stop], d_z_rows, d_kernel,
                                 d_recurrent_kernel, d_bias)
    if d_x.shape[0]:
        d_x_rows = d_x[start:stop].reshape((rows, d_x.shape[2]))       # (rows, I)
        d_x_rows[:] = 0.0
        add_rows_times_matrix_transposed(d_z_rows, kernel, d_x_rows)
    return d_kernel, d_recurrent_kernel, d_bias


@kernel_jit()
def _add_second_share(d_kernel, d_recurrent_kernel, d_bias, share_kernel, share_recurrent,
                      share_bias):
    """dW, dU and db += the second half's shares (``_backward_half``), in one call: as three
    NumPy additions, the first statements after the halves, they took about 12 µs a backward
    pass in the damped-sine recipe (ad hoc)."""
    _add_matrix(share_kernel, d_kernel)
    _add_matrix(share_recurrent, d_recurrent_kernel)
    for j in range(d_bias.shape[0]):
        d_bias[j] += share_bias[j]


@kernel_jit()
def _sum_over_steps(d_z):
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


@kernel_jit()
def _add_matrix(share, out):
    """out (K, J) += share (K, J)."""
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] += share[i, j]


def _previous_hidden_rows(cache):
    """h_{t-1} for every step as rows (B·T, H), h_0 first in each sequence: the rows that
    dU = Σ_t h_{t-1}ᵀ dz_t pairs with d_z's, for the BLAS product. For h_0 = 0 not given
    (``cache.zero_start``) the first step's pairs are zero; the few-row loops leave them out
    (``_recurrent_rows``), this product keeps them: leaving them out meant copying d_z's
    other rows into a new array, 5 MB at (64, 20, 30, 256), which cost about what the zero
    pairs' 1/20 of the product did, and more where its pages were faulted in afresh at each
    call (the pass 1.00x and 1.02x as fast with the pairs kept, ``benchmarks/
    bench_revisions.py --rounds 40``, on an AMD EPYC of family 25)."""
    previous = np.concatenate([cache.h0[:, None, :], cache.hidden[:, :-1]], axis=1)
    return _rows(previous)                                              # (B·T, H)


def _weight_gradient_rows(cache):
    """The most rows a weight gradient's product takes (``few_gradient_rows``): dW's, x's
    distinct rows (B when x repeats its first step, else B·T; none when they are one-hot,
    whose dW is a sum of rows), or dU's, B·T, or B·(T-1) when the first step's terms are zero
    (``cache.zero_start``). Not dx's: the weight gradients' route, and so their rounding,
    does not depend on whether dx is asked for, which the loops form for any rows."""
    batch, steps, _ = cache.hidden.shape
    kernel_rows = 0 if cache.hot is not None else batch if cache.repeated else batch * steps
    recurrent_rows = batch * (steps - 1 if cache.zero_start and steps else steps)
    return max(kernel_rows, recurrent_rows)


def few_gradient_rows(rows):
    """Whether the weight gradients' products over ``rows`` rows (``_weight_gradient_rows``)
    run by the few-row loops (``_weight_gradients_loops``, ``outer_products_sum``): up to
    ``GRADIENT_LOOP_MAX_ROWS``, past ``few_rows``'s limit for the products A M. The rows are
    the inner dimension of their BLAS product Lᵀ R, so BLAS gains on the loops only as the
    rows grow; and in a recipe a BLAS call also wakes BLAS's second thread, which must then
    fetch d_z from the first core's caches (``one_core_pays``). On an AMD EPYC of family 25
    (Zen 4), alone, the loops took 1.2x BLAS's time at the addition encoder's dU, (40, 100)ᵀ
    @ (40, 400) (36 against 30 µs), and 1.5x at 64 rows (ad hoc); in the addition recipe,
    that encoder's weight gradients by the loops made whole runs 1.035x and 1.279x as fast
    (``benchmarks/bench_revisions.py --processes``, README), the second in a spell when
    every run calling BLAS there took about 1.25 s rather than 1.0."""
    return rows <= GRADIENT_LOOP_MAX_ROWS


GRADIENT_LOOP_MAX_ROWS = 40


def _weight_gradients_by_loops(d_z_rows, cache, out=None, d_z_summed=None, row_blocks=False):
    """``_weight_gradients``'s contract, by jitted loops: ``_weight_gradients_loops``, which
    leaves out dU's zero pairs of a zero initial state (``cache.zero_start``), or with
    ``row_blocks`` ``_weight_gradients_row_blocks``, which keeps them."""
    arrays = gradient_arrays(
        out, (cache.kernel.shape, cache.recurrent_kernel.shape, d_z_rows.shape[1:]),
        ("dW", "dU", "db"), d_z_rows.dtype)
    rows = _distinct_rows(cache, d_z_rows, d_z_summed) + (
        _NOT_HOT if cache.hot is None else cache.hot, cache.h0, cache.hidden, d_z_rows)
    if row_blocks:
        _weight_gradients_row_blocks(*rows, *arrays)
    else:
        _weight_gradients_loops(*rows, cache.zero_start, *arrays)
    return tuple(arrays)


_NOT_HOT = np.empty(0, dtype=np.int64)  # the loops' ``hot`` for rows of x that are not one-hot


def blas_pays(batch, units):
    """Whether BLAS beats the hand loops for one step's (B, H) @ (H, 4H) product.

    Measured on this project's 2-core machine (forward + backward, T = 5): the loops
    win while B·H² (the multiply-adds of one step's product, over 4) stays below about
    1.5e5, where a BLAS call's overhead is not repaid: 1.15x faster at (B, H) =
    (10, 100), a tie at (10, 128), 1.4x slower at (16, 100) and (20, 100).
    ``benchmarks/bench_lstm.py --paths`` times both paths at the tutorials' shapes.
    """
    return batch * units * units >= BLAS_MIN_WORK


BLAS_MIN_WORK = 150_000


def one_core_pays(inputs, units, input_gradient):
    """Whether the products over all B·T rows of d_z after the time loop (dW, dU and, when
    asked, dx) run faster by jitted loops on this core than through BLAS, for more rows
    than ``few_gradient_rows`` takes.

    BLAS splits them over both cores, and the second core must then fetch d_z from the
    caches of the first, whose time loop has just written it: reading what the other core
    wrote costs up to about five times reading one's own on this project's machine
    (``benchmarks/bench_machine.py``). The loops (``_weight_gradients_row_blocks``,
    ``loops_times_matrix_transposed``) never pay that hand-off, a cost per element of d_z,
    but multiply at about half BLAS's two-thread rate, a cost per multiply-add. So they win
    while each element of d_z takes part in few multiply-adds (``products_width``): at
    most ``ONE_CORE_MAX_WIDTH``. ``benchmarks/bench_gradient_routes.py`` times both routes
    on both sides of that limit.
    """
    return products_width(inputs, units, input_gradient) <= ONE_CORE_MAX_WIDTH


def products_width(inputs, units, input_gradient):
    """The multiply-adds each element of d_z takes part in after the time loop: I in dW,
    H in dU, and I more in dx when it is asked for at every step."""
    return inputs * (2 if input_gradient else 1) + units


ONE_CORE_MAX_WIDTH = 60


def two_cores_pay(batch, steps, inputs, units):
    """Whether a pass runs faster as two halves of the batch at once, one on each core
    (``second_core.in_halves``), each half doing all its work by jitted loops: x W and the
    time loop forwards; the time loop, dW, dU, db and dx backwards.

    Where the time loops run by hand (``blas_pays`` false) and their products after the
    loop on one core (``one_core_pays``, with dx counted), a pass issues no BLAS call, so
    the second core is free, and each half's arrays stay in the caches of the core that
    wrote them, forwards and backwards alike. Handing a half over costs about 20 µs, so
    only from ``TWO_CORES_MIN_ROWS`` rows (B·T) up. Measured on this project's machine
    (``benchmarks/bench_two_cores.py``, forward + backward): 1.31x at both of the damped-
    sine tutorial's (10, 50, 1, 20) and (10, 50, 20, 20), 1.02x and 1.23x at batch 6 and 8
    of 50 steps (300 and 400 rows), 0.85x at 200 rows ((4, 50) and (10, 20)). The other
    tutorial shapes have wider products and stay on one core: the addition recipe took about
    1.2x as long with its LSTMs halved, products and all.
    """
    return (batch >= 2 and batch * steps >= TWO_CORES_MIN_ROWS and not blas_pays(batch, units)
            and one_core_pays(inputs, units, input_gradient=True))


TWO_CORES_MIN_ROWS = 300


def _time_loop_route(blas, two_cores, batch, steps, inputs, units):
    """``(blas, two_cores)`` for a pass: each as forced (True or False) or, for None, by
    shape (``blas_pays``; ``two_cores_pay`` where the loops run)."""
    blas = blas_pays(batch, units) if blas is None else blas
    if two_cores is None:
        two_cores = not blas and two_cores_pay(batch, steps, inputs, units)
    return blas, two_cores


def _projection_of_rows(x, kernel):
    """The Numba twin's x W (without b) on this core, with what it found of x's form
    (``input_rows``): whether x repeats its first step, and the columns of its distinct
    rows (x_1's when it repeats, else all B·T) when they are one-hot (None otherwise).
    Only the distinct rows are projected: W's rows gathered for one-hot rows, the same
    numbers as the product, which the other rows take (``rows_times_matrix``)."""
    batch, steps, _ = x.shape
    repeated = repeats_first_step(x)
    rows = np.ascontiguousarray(x[:, 0] if repeated else _rows(x))   # (R, I): R = B or B·T
    projected, hot = rows_times(rows, kernel, rows_times_matrix)      # (R, 4H)
    if repeated:
        every_step = np.empty((batch, steps, kernel.shape[1]), projected.dtype)  # (B, T, 4H)
        every_step[...] = projected[:, None]
        return every_step, repeated, hot
    return projected.reshape(batch, steps, kernel.shape[1]), repeated, hot  # (B, T, 4H)


def forward_numba(x, kernel, recurrent_kernel, bias, h0=None, c0=None,
                  go_backwards=False, blas=None, two_cores=None):
    """Same contract as ``forward_reference``; the time loop is jitted.

    ``blas`` forces the recurrent product through BLAS (True) or hand loops
    (False); ``None`` chooses by shape (``blas_pays``). ``two_cores=True`` runs the two
    halves of the batch on the two cores, by hand loops whatever ``blas`` says, and False
    on this core; ``None`` chooses by shape (``two_cores_pay``) where the loops run.
    """
    zero_start = h0 is None                                      # h_0 U = 0: not formed
    x, h0, c0 = _start(x, recurrent_kernel, h0, c0, go_backwards)
    batch, steps, inputs = x.shape
    units = recurrent_kernel.shape[0]
    recurrent_kernel = np.ascontiguousarray(recurrent_kernel)
    bias = np.ascontiguousarray(bias)                            # (4H,)
    gates = np.empty((batch, steps, 4 * units), dtype=x.dtype)   # (B, T, 4H)
    cells = np.empty((batch, steps, units), dtype=x.dtype)       # (B, T, H)
    tanh_cells = np.empty((batch, steps, units), dtype=x.dtype)  # (B, T, H)
    hidden = np.empty((batch, steps, units), dtype=x.dtype)      # (B, T, H)
    h_last = np.empty((batch, units), dtype=x.dtype)             # (B, H)
    c_last = np.empty((batch, units), dtype=x.dtype)             # (B, H)
    slopes = gate_slopes(units, x.dtype)                         # (4H,)
    blas, two_cores = _time_loop_route(blas, two_cores, batch, steps, inputs, units)
    if two_cores:
        x, repeated, hot = np.ascontiguousarray(x), False, None
        x_proj = np.empty((batch, steps, 4 * units), dtype=x.dtype)  # (B, T, 4H), without b
        in_halves(_forward_half, (x, np.ascontiguousarray(kernel), bias, recurrent_kernel, h0,
                                  c0, slopes, x_proj, gates, cells, tanh_cells, hidden,
                                  h_last, c_last, zero_start))
    else:
        x_proj, repeated, hot = _projection_of_rows(x, kernel)       # (B, T, 4H), without b
        z = np.empty((batch, 4 * units), dtype=x.dtype)              # (B, 4H)
        if blas:
            for t in range(steps):
                if t == 0 and zero_start:
                    z[...] = 0.0
                else:
                    np.matmul(h0 if t == 0 else hidden[:, t - 1], recurrent_kernel, out=z)
                _forward_gates(z, x_proj, bias, t, c0, slopes, gates, cells, tanh_cells, hidden)
            h_last[...] = hidden[:, -1] if steps else h0
            c_last[...] = cells[:, -1] if steps else c0
        else:
            _forward_fused(x_proj, bias, recurrent_kernel, h0, c0, slopes, z, gates, cells,
                           tanh_cells, hidden, h_last, c_last, zero_start)
    cache = LSTMCache(x, h0, c0, gates, cells, tanh_cells, hidden,
                      kernel, recurrent_kernel, go_backwards, repeated, hot, zero_start)
    return hidden, h_last, c_last, cache


def _backward_in_halves(d_hidden, dh_next, dc_next, d_z, cache, out, input_gradient,
                        initial_state_gradient):
    """``backward_numba``'s two-core route: ``_backward_half`` on each half of the batch at
    once, then the two shares of each weight gradient added. Returns dx (None when not
    asked for), dW, dU and db; dh_next and dc_next are filled in place."""
    batch, steps, units = cache.hidden.shape
    inputs = cache.kernel.shape[0]
    arrays = gradient_arrays(
        out, (cache.kernel.shape, cache.recurrent_kernel.shape, (4 * units,)),
        ("dW", "dU", "db"), d_z.dtype)
    per_step = _dx_per_step(input_gradient)
    d_x = np.empty((batch if per_step else 0, steps, inputs), d_z.dtype)  # (B, T, I)
    _, second_share = in_halves(_backward_half, (
        d_hidden, dh_next, dc_next, cache.gates, cache.cells, cache.tanh_cells, cache.h0,
        cache.c0, cache.hidden, cache.recurrent_kernel, d_z, np.ascontiguousarray(cache.x),
        np.ascontiguousarray(cache.kernel), d_x, *arrays, initial_state_gradient))
    _add_second_share(*arrays, *second_share)
    weights = tuple(arrays)
    if per_step:
        return (_in_callers_order(d_x, cache),) + weights
    return (_input_gradient(d_z, cache, loops_times_matrix_transposed, input_gradient),
            ) + weights


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
    d_hidden, dh_next, dc_next, d_z = _backward_start(d_hidden, d_h_last, d_c_last, cache,
                                                      input_gradient)
    blas, two_cores = _time_loop_route(blas, two_cores, batch, steps, inputs, units)
    if two_cores:
        return _backward_in_halves(d_hidden, dh_next, dc_next, d_z, cache, out, input_gradient,
                                   initial_state_gradient) + _initial_state_gradients(
            dh_next, dc_next, initial_state_gradient)
    recurrent_kernel = cache.recurrent_kernel                           # (H, 4H), contiguous
    if blas:
        dh_transposed = np.empty((units, batch), d_z.dtype)            # (H, B)
        for t in reversed(range(steps)):
            _backward_gates(d_hidden, dh_next, dc_next, t, cache.gates, cache.cells,
                            cache.tanh_cells, cache.c0, d_z)
            if t > 0 or initial_state_gradient:
                np.matmul(recurrent_kernel, d_z[:, t].T, out=dh_transposed)
                dh_next[...] = dh_transposed.T
    else:
        fused = _backward_fused_one_sequence if batch == 1 else _backward_fused
        fused(d_hidden, dh_next, dc_next, cache.gates, cache.cells, cache.tanh_cells, cache.c0,
              recurrent_kernel, d_z, initial_state_gradient)
    d_z_rows = _rows(d_z)                                               # (B·T, 4H)
    summed = cache.repeated or _dx_summed(input_gradient)               # Σ_t dz_t used
    d_z_summed = _sum_over_steps(d_z) if summed else None               # (B, 4H)
    if few_gradient_rows(_weight_gradient_rows(cache)):
        weights = _weight_gradients_by_loops(d_z_rows, cache, out, d_z_summed)
        times = loops_times_matrix_transposed
    elif one_core_pays(inputs, units, _dx_per_step(input_gradient)) if one_core is None \
            else one_core:
        weights = _weight_gradients_by_loops(d_z_rows, cache, out, d_z_summed, row_blocks=True)
        times = loops_times_matrix_transposed
    else:
        weights = _weight_gradients(d_z_rows, cache, out, d_z_summed)
        times = rows_times_matrix_transposed    # BLAS for dx at every step; Σ_t dx_t may be few
    d_kernel, d_recurrent_kernel, d_bias = weights
    d_x = _input_gradient(d_z, cache, times, input_gradient, d_z_summed)
    return (d_x, d_kernel, d_recurrent_kernel, d_bias) + _initial_state_gradients(
        dh_next, dc_next, initial_state_gradient)


forward = dispatch(forward_reference, forward_numba)
backward = dispatch(backward_reference, backward_numba)
