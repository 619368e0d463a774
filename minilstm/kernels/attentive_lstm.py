r"""LSTM decoder with additive (Bahdanau) attention over a memory, forward and backward.

The memory M (B, T_in, D) is the encoder's output sequence. At each step the decoder
scores every memory row against its previous state, reads the weighted context and
feeds it into the cell together with its input x_t (B, K)::

    P_j  = M_j W1                                   (B, T_in, A)   once, before the loop
    E_tj = tanh(P_j + h_{t-1} W2)                   (B, T_in, A)
    a_t  = softmax_j(E_tj · v)                      (B, T_in)      attention weights
    c_t  = Σ_j a_tj M_j                             (B, D)         context
    z_t  = x_t W_x + c_t W_c + h_{t-1} U + b        (B, 4n)        LSTM cell (kernels.lstm)
    h_t, cell_t = LSTM cell(z_t, cell_{t-1})

and returns h_t and c_t for every step (an output layer reads both). Backward, for
t = T..1, with dh carried from step t+1 plus dL/dh_t, and dL/dc_t given::

    dz_t, dcell_{t-1} = LSTM cell backward(dh, dcell)
    dc   = dL/dc_t + dz_t W_cᵀ                      (B, D)
    da_j = dc · M_j          dM_j += a_tj dc
    de   = a ⊙ (da - Σ_j a_j da_j)
    dv  += Σ_j de_j E_tj     dpre_j = de_j v ⊙ (1 - E_tj²)    dP_j += dpre_j
    dq   = Σ_j dpre_j        dh_{t-1} = dz_t Uᵀ + dq W2ᵀ

then over all B·T rows: dW_x = Σ x_tᵀ dz_t, dW_c = Σ c_tᵀ dz_t, dU = Σ h_{t-1}ᵀ dz_t,
db = Σ dz_t, dW2 = Σ h_{t-1}ᵀ dq_t, dW1 = Σ M_jᵀ dP_j, dM += dP W1ᵀ, dx_t = dz_t W_xᵀ.

The attention step, forward and backward, is ``additive_attention``'s (with P, the
query h_{t-1} W2 and v). Twins: ``forward_reference`` / ``backward_reference`` (NumPy) and
``forward_numba`` / ``backward_numba`` (the attention step and the LSTM gate step jitted,
the products through BLAS; this decoder runs at translation batch sizes, where BLAS pays;
one-hot input, as teacher forcing feeds it, gathers rows of W_x for x W_x and sums dz's
rows into dW_x, ``input_rows``).
The jitted attention step may reassociate its sums (the energies E_tj · v, the dot
products dc · M_j), so that those loops vectorise; results then agree with the NumPy twin
to rounding, not bit for bit.
"""
import functools
from typing import NamedTuple, Optional

import numpy as np

from . import additive_attention, lstm
from .backend import dispatch
from .input_rows import rows_times, rows_transposed_times
from .lstm_time_loops import backward_gates, forward_gates, gate_activations
from .shapes import require_one_float_dtype, require_shape, require_shapes
from .vector_products import blas_product, flat_rows_product, given_or_zeros, zeros_or_copy


class AttentiveLSTMWeights(NamedTuple):
    kernel: np.ndarray            # W_x (K, 4n)
    context_kernel: np.ndarray    # W_c (D, 4n)
    recurrent_kernel: np.ndarray  # U   (n, 4n)
    bias: np.ndarray              # b   (4n,)
    W1: np.ndarray                # (D, A)
    W2: np.ndarray                # (n, A)
    v: np.ndarray                 # (A,)


class AttentiveLSTMCache(NamedTuple):
    x: np.ndarray                 # (B, T, K)
    memory: np.ndarray            # (B, T_in, D)
    weights: AttentiveLSTMWeights
    h0: np.ndarray                # (B, n)
    c0: np.ndarray                # (B, n)
    energies: np.ndarray          # (B, T, T_in, A)  E_tj
    attention: np.ndarray         # (B, T, T_in)     a_t
    contexts: np.ndarray          # (B, T, D)        c_t
    gates: np.ndarray             # (B, T, 4n)
    cells: np.ndarray             # (B, T, n)
    tanh_cells: np.ndarray        # (B, T, n)
    hidden: np.ndarray            # (B, T, n)
    hot: Optional[np.ndarray] = None  # (B·T,) the columns of x's rows when one-hot (Numba)


@functools.lru_cache(maxsize=16)
def weight_shapes(inputs, features, units, attention_units):
    """The shape of every weight, in ``AttentiveLSTMWeights``'s order, for inputs of
    ``inputs`` K features, a memory of ``features`` D, ``units`` n and ``attention_units`` A."""
    return ((inputs, 4 * units), (features, 4 * units), (units, 4 * units), (4 * units,),
            (features, attention_units), (units, attention_units), (attention_units,))


def _check_forward(x, memory, weights, h0, c0):
    """x (B, T, K), memory (B, T_in, D), the weights (n from U, A from v) and the initial
    state (B, n) against the shapes the loops index (``shapes``), all of one float dtype."""
    require_one_float_dtype(("x", "memory", *AttentiveLSTMWeights._fields, "h0", "c0"),
                            (x, memory, *weights, h0, c0))
    for name, array in (("x", x), ("memory", memory)):
        if array.ndim != 3:
            raise ValueError(f"{name} must have shape (batch, steps, features); got "
                             f"{array.shape}")
    if memory.shape[0] != x.shape[0]:
        raise ValueError(f"memory must have x's batch of {x.shape[0]}; got shape "
                         f"{memory.shape}")
    units, attention_units = weights.recurrent_kernel.shape[0], weights.v.shape[0]
    require_shapes(AttentiveLSTMWeights._fields, weights,
                   weight_shapes(x.shape[2], memory.shape[2], units, attention_units))
    for name, state in (("h0", h0), ("c0", c0)):
        require_shape(name, state, (x.shape[0], units))


def _upstream(cache, d_hidden, d_contexts, d_h_last, d_c_last):
    """What both twins' backward loops start from, checked against the forward pass's
    outputs: dL/dh_t and dL/dc_t ``(B, T, n)``, ``(B, T, D)``, as C-contiguous arrays, and
    new arrays for dh and dc carried in ``(B, n)``; zeros for each None."""
    dtype = cache.memory.dtype
    batch, _, units = cache.hidden.shape
    return (given_or_zeros("d_hidden", d_hidden, cache.hidden.shape, dtype),
            given_or_zeros("d_contexts", d_contexts, cache.contexts.shape, dtype),
            zeros_or_copy("d_h_last", d_h_last, (batch, units), dtype),
            zeros_or_copy("d_c_last", d_c_last, (batch, units), dtype))


def _allocate(x, memory, w):
    batch, steps, _ = x.shape
    steps_in, features = memory.shape[1], memory.shape[2]
    units, attention_units = w.recurrent_kernel.shape[0], w.v.shape[0]
    dtype = x.dtype
    return (np.empty((batch, steps, steps_in, attention_units), dtype),
            np.empty((batch, steps, steps_in), dtype),
            np.empty((batch, steps, features), dtype),
            np.empty((batch, steps, 4 * units), dtype),
            np.empty((batch, steps, units), dtype),
            np.empty((batch, steps, units), dtype),
            np.empty((batch, steps, units), dtype))


# ---------------------------------------------------------------- NumPy twin

def forward_reference(x, memory, weights, h0, c0):
    """Decode over inputs ``x (B, T, K)`` attending to ``memory (B, T_in, D)``.

    Returns ``hidden (B, T, n)``, ``contexts (B, T, D)``, ``attention (B, T, T_in)``,
    the final ``h``, ``c`` and the cache for ``backward_reference``.
    """
    _check_forward(x, memory, weights, h0, c0)
    w = weights
    energies, attention, contexts, gates, cells, _, hidden = _allocate(x, memory, w)
    x_proj = flat_rows_product(x, w.kernel) + w.bias             # (B, T, 4n)
    memory_proj = flat_rows_product(memory, w.W1)                # (B, T_in, A)
    h, c = h0, c0                                                # (B, n)
    for t in range(x.shape[1]):
        additive_attention.attend_reference(memory, memory_proj, h @ w.W2, w.v, t, energies,
                                            attention, contexts)   # E_t, a_t, c_t
        z = x_proj[:, t] + contexts[:, t] @ w.context_kernel + h @ w.recurrent_kernel  # (B, 4n)
        gates[:, t], c, h = lstm.cell_reference(z, c)
        cells[:, t], hidden[:, t] = c, h
    cache = AttentiveLSTMCache(x, memory, w, h0, c0, energies, attention, contexts, gates,
                               cells, np.tanh(cells), hidden)
    return hidden, contexts, attention, h, c, cache


def backward_reference(cache, d_hidden, d_contexts, d_h_last=None, d_c_last=None,
                       input_gradient=True):
    """BPTT through attention and cell (see the module docstring).

    Returns ``d_x, d_memory``, the weight gradients (``AttentiveLSTMWeights``) and
    ``d_h0, d_c0``. Any of ``d_hidden``, ``d_contexts``, ``d_h_last``, ``d_c_last`` may be
    ``None`` for zeros. With
    ``input_gradient=False`` ``d_x`` is None, its (B·T, 4n) @ (4n, K) product not made
    (the decoder's input is data: teacher forcing's previous targets).
    """
    d_hidden, d_contexts, dh_next, dc_next = _upstream(cache, d_hidden, d_contexts, d_h_last,
                                                       d_c_last)
    w, memory = cache.weights, cache.memory
    batch, steps, units = cache.hidden.shape
    d_memory = np.zeros_like(memory)                             # (B, T_in, D)
    d_memory_proj = np.zeros(memory.shape[:2] + w.v.shape, memory.dtype)   # (B, T_in, A)
    d_v = np.zeros_like(w.v)                                     # (A,)
    d_z = np.empty_like(cache.gates)                             # (B, T, 4n)
    d_query = np.empty((batch, steps) + w.v.shape, memory.dtype)  # (B, T, A)
    no_d_attention = np.zeros_like(cache.attention)              # (B, T, T_in)
    for t in reversed(range(steps)):
        c_prev = cache.c0 if t == 0 else cache.cells[:, t - 1]
        d_z[:, t], dc_next = lstm.cell_backward_reference(
            d_hidden[:, t] + dh_next, dc_next, cache.gates[:, t], c_prev, cache.tanh_cells[:, t])
        d_context = d_contexts[:, t] + d_z[:, t] @ w.context_kernel.T    # (B, D)
        additive_attention.attend_backward_reference(
            memory, w.v, t, cache.energies, cache.attention, d_context, no_d_attention,
            d_memory, d_memory_proj, d_v, d_query)
        dh_next = d_z[:, t] @ w.recurrent_kernel.T + d_query[:, t] @ w.W2.T  # (B, n)
    return _parameter_gradients(cache, d_z, d_query, d_memory, d_memory_proj, d_v,
                                dh_next, dc_next, input_gradient)


def _parameter_gradients(cache, d_z, d_query, d_memory, d_memory_proj, d_v, d_h0, d_c0,
                         input_gradient):
    """The weight gradients as products over all rows; finishes d_memory; dx when asked
    for."""
    w, x, memory = cache.weights, cache.x, cache.memory
    batch, steps, units = cache.hidden.shape
    rows = batch * steps
    d_z_rows = d_z.reshape(rows, 4 * units)                      # (B·T, 4n)
    h_prev = np.concatenate([cache.h0[:, None], cache.hidden[:, :-1]], axis=1).reshape(rows, units)
    grads = AttentiveLSTMWeights(
        kernel=rows_transposed_times(x.reshape(rows, -1), cache.hot, d_z_rows),
        context_kernel=cache.contexts.reshape(rows, -1).T @ d_z_rows,
        recurrent_kernel=h_prev.T @ d_z_rows,
        bias=d_z_rows.sum(axis=0),
        W1=memory.reshape(-1, memory.shape[2]).T @ d_memory_proj.reshape(-1, w.v.shape[0]),
        W2=h_prev.T @ d_query.reshape(rows, -1),
        v=d_v)
    d_x = flat_rows_product(d_z, w.kernel.T) if input_gradient else None  # (B, T, K)
    d_memory = d_memory + flat_rows_product(d_memory_proj, w.W1.T)  # (B, T_in, D)
    return d_x, d_memory, grads, d_h0, d_c0


# ---------------------------------------------------------------- Numba twin

def forward_numba(x, memory, weights, h0, c0):
    """Same contract as ``forward_reference``."""
    x, memory = np.ascontiguousarray(x), np.ascontiguousarray(memory)
    h0, c0 = np.ascontiguousarray(h0), np.ascontiguousarray(c0)
    _check_forward(x, memory, weights, h0, c0)
    w = weights
    energies, attention, contexts, gates, cells, tanh_cells, hidden = _allocate(x, memory, w)
    projected, hot = rows_times(x.reshape(-1, x.shape[2]), w.kernel, blas_product)  # (B·T, 4n)
    x_proj = projected.reshape(x.shape[:2] + (w.kernel.shape[1],))  # (B, T, 4n), b: in gates
    memory_proj = flat_rows_product(memory, w.W1)                # (B, T_in, A)
    z = np.empty((x.shape[0], gates.shape[2]), x.dtype)          # (B, 4n)
    activations = gate_activations(hidden.shape[2], x.dtype)     # tanh and σ
    for t in range(x.shape[1]):
        h_prev = h0 if t == 0 else hidden[:, t - 1]
        additive_attention.attend(memory, memory_proj, h_prev @ w.W2, w.v, t, energies,
                                  attention, contexts)
        np.matmul(contexts[:, t], w.context_kernel, out=z)
        z += h_prev @ w.recurrent_kernel
        forward_gates(z, x_proj, w.bias, t, c0, activations, gates, cells, tanh_cells, hidden)
    cache = AttentiveLSTMCache(x, memory, w, h0, c0, energies, attention, contexts, gates,
                               cells, tanh_cells, hidden, hot)
    return hidden, contexts, attention, hidden[:, -1].copy(), cells[:, -1].copy(), cache


def backward_numba(cache, d_hidden, d_contexts, d_h_last=None, d_c_last=None,
                   input_gradient=True):
    """Same contract as ``backward_reference``."""
    d_hidden, d_contexts, dh_next, dc_next = _upstream(cache, d_hidden, d_contexts, d_h_last,
                                                       d_c_last)
    w, memory = cache.weights, cache.memory
    batch, steps, units = cache.hidden.shape
    dtype = memory.dtype
    d_memory = np.zeros_like(memory)
    d_memory_proj = np.zeros(memory.shape[:2] + w.v.shape, dtype)
    d_v = np.zeros_like(w.v)
    d_z = np.empty_like(cache.gates)
    d_query = np.empty((batch, steps) + w.v.shape, dtype)
    no_d_attention = np.zeros_like(cache.attention)
    activations = gate_activations(units, dtype)                 # tanh and σ
    for t in reversed(range(steps)):
        backward_gates(d_hidden, dh_next, dc_next, t, cache.gates, cache.cells,
                       cache.tanh_cells, cache.c0, d_z, None, activations)
        d_context = np.ascontiguousarray(d_contexts[:, t] + d_z[:, t] @ w.context_kernel.T)
        additive_attention.attend_backward(memory, w.v, t, cache.energies, cache.attention,
                                           d_context, no_d_attention, d_memory, d_memory_proj,
                                           d_v, d_query)
        dh_next = d_z[:, t] @ w.recurrent_kernel.T + d_query[:, t] @ w.W2.T
    return _parameter_gradients(cache, d_z, d_query, d_memory, d_memory_proj, d_v,
                                dh_next, dc_next, input_gradient)


forward = dispatch(forward_reference, forward_numba)
backward = dispatch(backward_reference, backward_numba)
