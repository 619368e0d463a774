r"""Bahdanau attention decoder (the echo tutorial's layer): forward and backward, two twins.

Notation. Encoder outputs h (B, T_in, D); units n; output size K; T_out steps::

    uh_j = h_j U_a + b_a                   (B, T_in, n)   once, before the loop
    s_0  = tanh(h_1 W_s)                   (B, n)         h_1: the FIRST encoder output
    y_0  = 0                               (B, K)
    for t = 1..T_out:
      E_tj = tanh(s_{t-1} W_a + uh_j)      (B, T_in, n)
      e_tj = E_tj · V_a                    (B, T_in)      energies
      a_t  = softmax_j(e_t)                (B, T_in)      attention weights
      c_t  = Σ_j a_tj h_j                  (B, D)         context
      r_t  = σ(y_{t-1} W_r + s_{t-1} U_r + c_t C_r + b_r)
      z_t  = σ(y_{t-1} W_z + s_{t-1} U_z + c_t C_z + b_z)
      p_t  = tanh(y_{t-1} W_p + (r_t ⊙ s_{t-1}) U_p + c_t C_p + b_p)
      s_t  = (1 - z_t) ⊙ s_{t-1} + z_t ⊙ p_t
      o_t  = y_{t-1} W_o + s_{t-1} U_o + c_t C_o + b_o        logits (s_{t-1}, not s_t)
      y_t  = softmax(o_t)                                     fed back as the next y_{t-1}

Backward, for t = T_out..1, with ds = dL/ds_t (zero at T_out) and dy = dL/dy_t (from the
loss plus the feedback into step t+1)::

    do   = y_t ⊙ (dy - Σ_k dy_k y_tk)  [+ dL/do_t given directly by a fused softmax loss]
    dz   = ds ⊙ (p - s_{t-1})            dp = ds ⊙ z           ds_{t-1} = ds ⊙ (1 - z)
    dP   = dp ⊙ (1 - p²)                 dZ = dz ⊙ z (1 - z)
    dr   = (dP U_pᵀ) ⊙ s_{t-1}           ds_{t-1} += (dP U_pᵀ) ⊙ r
    dR   = dr ⊙ r (1 - r)
    ds_{t-1} += do U_oᵀ + dZ U_zᵀ + dR U_rᵀ
    dy_{t-1}  = do W_oᵀ + dP W_pᵀ + dZ W_zᵀ + dR W_rᵀ
    dc   = do C_oᵀ + dP C_pᵀ + dZ C_zᵀ + dR C_rᵀ               (B, D)
    da_j = dc · h_j  [+ dL/da_t when the attention weights are an output]
    dh_j += a_tj dc
    de   = a ⊙ (da - Σ_j a_j da_j)
    dV_a += Σ_j de_j E_tj       dpre_j = de_j V_a ⊙ (1 - E_tj²)
    duh_j += dpre_j             dwa = Σ_j dpre_j            ds_{t-1} += dwa W_aᵀ

then, as products over all B·T_out rows (``_parameter_gradients``; the Numba twin, for a
few rows, ``_parameter_gradients_loops``: the same sums in one jitted call)::

    dW_g = Σ_t y_{t-1}ᵀ dG_t   dU_g = Σ_t s_{t-1}ᵀ dG_t (U_p: (r ⊙ s_{t-1})ᵀ dP_t)
    dC_g = Σ_t c_tᵀ dG_t       db_g = Σ dG_t          for G in R, Z, P, O (o: W_o, U_o, C_o, b_o)
    dW_a = Σ_t s_{t-1}ᵀ dwa_t  dU_a = Σ_j h_jᵀ duh_j  db_a = Σ duh     dh += duh U_aᵀ
    dS_0 = ds_0 ⊙ (1 - s_0²)   dW_s = h_1ᵀ dS_0       dh_1 += dS_0 W_sᵀ

The attention step (E_t, a_t, c_t, and from dc back to da, de, dV_a, duh and dwa) is
``additive_attention``'s, with memory h, projection uh and query s_{t-1} W_a.

The twins: ``forward_reference`` / ``backward_reference`` (NumPy, vectorised over the
batch, a Python loop over output steps) and ``forward_numba`` / ``backward_numba`` (the same
loop jitted, one sequence at a time; large batches run the NumPy twin's loop with jitted
step functions, ``batch_products_pay``). ``forward`` / ``backward`` call the twin of the
backend in use. Both twins live in this one file, past the usual length, so that the
equations above sit beside both implementations of them.
"""
import functools
from typing import Callable, NamedTuple

import numpy as np

from . import additive_attention
from .additive_attention import attend_backward_sequence, attend_sequence
from .backend import dispatch
from .fast_math import copy_into, one_minus, sigmoid, softmax_in_place, tanh, zero_for
from .jitting import kernel_jit
from .reference_math import sigmoid as sigmoid_reference
from .reference_math import softmax
from .shapes import require_one_float_dtype, require_shapes
from .vector_products import (add_rows_times_matrix_transposed, add_vector_times_matrix,
                              add_vector_times_matrix_transposed, blas_product, few_rows,
                              flat_rows_product, given_or_zeros, gradient_arrays,
                              outer_products_sum, rows_times_matrix_transposed, sum_of_rows,
                              times_transposed)

WEIGHT_NAMES = ("V_a", "W_a", "U_a", "b_a",
                "C_r", "U_r", "W_r", "b_r",
                "C_z", "U_z", "W_z", "b_z",
                "C_p", "U_p", "W_p", "b_p",
                "C_o", "U_o", "W_o", "b_o",
                "W_s")


class AttentionWeights(NamedTuple):
    V_a: np.ndarray   # (n,)
    W_a: np.ndarray   # (n, n)
    U_a: np.ndarray   # (D, n)
    b_a: np.ndarray   # (n,)
    C_r: np.ndarray   # (D, n)
    U_r: np.ndarray   # (n, n)
    W_r: np.ndarray   # (K, n)
    b_r: np.ndarray   # (n,)
    C_z: np.ndarray   # (D, n)
    U_z: np.ndarray   # (n, n)
    W_z: np.ndarray   # (K, n)
    b_z: np.ndarray   # (n,)
    C_p: np.ndarray   # (D, n)
    U_p: np.ndarray   # (n, n)
    W_p: np.ndarray   # (K, n)
    b_p: np.ndarray   # (n,)
    C_o: np.ndarray   # (D, K)
    U_o: np.ndarray   # (n, K)
    W_o: np.ndarray   # (K, K)
    b_o: np.ndarray   # (K,)
    W_s: np.ndarray   # (D, n)


class AttentionCache(NamedTuple):
    """What the forward pass keeps for the backward pass (batch first)."""

    h: np.ndarray           # (B, T_in, D) encoder outputs
    weights: AttentionWeights
    states: np.ndarray      # (B, T_out + 1, n)  s_0 .. s_T
    outputs: np.ndarray     # (B, T_out + 1, K)  y_0 = 0, y_1 .. y_T
    energies: np.ndarray    # (B, T_out, T_in, n)  E_tj = tanh(s_{t-1} W_a + uh_j)
    attention: np.ndarray   # (B, T_out, T_in)   a_t
    contexts: np.ndarray    # (B, T_out, D)      c_t
    gates: np.ndarray       # (B, T_out, 3, n)   r_t, z_t, p_t


@functools.lru_cache(maxsize=16)
def weight_shapes(features, units, classes):
    """The shape of every weight, in ``WEIGHT_NAMES``'s order, for encoder outputs of
    ``features`` D, ``units`` n and ``classes`` K (the comments of ``AttentionWeights``)."""
    gate = ((features, units), (units, units), (classes, units), (units,))   # C_g U_g W_g b_g
    return (((units,), (units, units), (features, units), (units,))          # V_a W_a U_a b_a
            + gate * 3                                                        # g = r, z, p
            + ((features, classes), (units, classes), (classes, classes), (classes,))  # o
            + ((features, units),))                                           # W_s


def _check_forward(h, weights, output_length):
    """h (B, T_in, D) and every weight against the shapes the loops index: n from W_a, K
    from W_o (``shapes``), all of one float dtype; an output length of at least one step."""
    require_one_float_dtype(("h", *WEIGHT_NAMES), (h, *weights))
    if h.ndim != 3:
        raise ValueError(f"h must have shape (batch, steps, features); got {h.shape}")
    if not isinstance(output_length, (int, np.integer)) or output_length < 1:
        raise ValueError(f"output_length must be an integer >= 1; got {output_length!r}")
    require_shapes(WEIGHT_NAMES, weights,
                   weight_shapes(h.shape[2], weights.W_a.shape[0], weights.W_o.shape[0]))


def _upstream(cache, d_outputs, d_logits, d_attention):
    """What both twins' backward loops read of the upstream gradients, checked against the
    forward pass's outputs: dL/dy, dL/do ``(B, T_out, K)`` and dL/da ``(B, T_out, T_in)``
    as C-contiguous arrays of h's dtype; zeros for each None."""
    batch, output_length, _ = cache.attention.shape
    classes, dtype = cache.weights.W_o.shape[0], cache.h.dtype
    return (given_or_zeros("d_outputs", d_outputs, (batch, output_length, classes), dtype),
            given_or_zeros("d_logits", d_logits, (batch, output_length, classes), dtype),
            given_or_zeros("d_attention", d_attention, cache.attention.shape, dtype))


def _allocate(h, weights, output_length):
    """Zeroed forward arrays for a batch: the layout both twins fill."""
    batch, steps_in, features = h.shape
    units, classes = weights.W_a.shape[0], weights.W_o.shape[0]
    dtype = h.dtype
    return (np.zeros((batch, output_length + 1, units), dtype),                # states
            np.zeros((batch, output_length + 1, classes), dtype),              # outputs
            np.empty((batch, output_length, steps_in, units), dtype),          # energies
            np.empty((batch, output_length, steps_in), dtype),                 # attention
            np.empty((batch, output_length, features), dtype),                 # contexts
            np.empty((batch, output_length, 3, units), dtype),                 # gates
            np.empty((batch, output_length, classes), dtype))                  # logits


# ---------------------------------------------------------------- NumPy twin

class StepFunctions(NamedTuple):
    """The functions the NumPy twin's step loops call for the attention step (E_t, a_t, c_t
    and back, ``additive_attention``) and the gates' σ and tanh: NumPy's in the reference
    (``NUMPY_STEP_FUNCTIONS``); jitted ones where the Numba twin hands it a large batch
    (``JITTED_STEP_FUNCTIONS``)."""

    attend: Callable
    attend_backward: Callable
    sigmoid: Callable
    tanh: Callable


NUMPY_STEP_FUNCTIONS = StepFunctions(additive_attention.attend_reference,
                                     additive_attention.attend_backward_reference,
                                     sigmoid_reference, np.tanh)


def forward_reference(h, weights, output_length, step_functions=NUMPY_STEP_FUNCTIONS):
    """Decode ``output_length`` steps from encoder outputs ``h (B, T_in, D)``.

    Returns ``outputs (B, T_out, K)`` (probabilities), ``attention (B, T_out, T_in)``,
    ``logits (B, T_out, K)`` and the cache for ``backward_reference``. The attention step
    (with memory h, its projection uh and the query s_{t-1} W_a), σ and tanh are
    ``step_functions``'s (``StepFunctions``).
    """
    _check_forward(h, weights, output_length)
    return _forward_steps(h, weights, output_length, step_functions)


def _forward_steps(h, weights, output_length, step_functions):
    """``forward_reference``'s time loop, on arguments already checked."""
    w, f = weights, step_functions
    states, outputs, energies, attention, contexts, gates, logits = _allocate(
        h, w, output_length)
    uh = flat_rows_product(h, w.U_a, np.matmul) + w.b_a     # (B, T_in, n)
    s = np.tanh(h[:, 0] @ w.W_s)                            # (B, n): s_0
    y = outputs[:, 0]                                       # (B, K) zeros
    states[:, 0] = s
    for t in range(output_length):
        f.attend(h, uh, s @ w.W_a, w.V_a, t, energies, attention, contexts)  # E_t, a_t, c_t
        c = contexts[:, t]                                  # (B, D)
        r = f.sigmoid(y @ w.W_r + s @ w.U_r + c @ w.C_r + w.b_r)          # (B, n)
        z = f.sigmoid(y @ w.W_z + s @ w.U_z + c @ w.C_z + w.b_z)          # (B, n)
        p = f.tanh(y @ w.W_p + (r * s) @ w.U_p + c @ w.C_p + w.b_p)       # (B, n)
        logits[:, t] = y @ w.W_o + s @ w.U_o + c @ w.C_o + w.b_o         # (B, K)
        y = softmax(logits[:, t])                          # (B, K)
        s = (1.0 - z) * s + z * p                           # (B, n)
        gates[:, t, 0], gates[:, t, 1], gates[:, t, 2] = r, z, p
        states[:, t + 1], outputs[:, t + 1] = s, y
    cache = AttentionCache(h, w, states, outputs, energies, attention, contexts, gates)
    return outputs[:, 1:], attention, logits, cache


def backward_reference(cache, d_outputs=None, d_logits=None, d_attention=None, out=None,
                       step_functions=NUMPY_STEP_FUNCTIONS):
    """BPTT through the decoder (see the module docstring).

    ``d_outputs`` is dL/dy ``(B, T_out, K)``; ``d_logits`` is dL/do given directly by a
    fused softmax loss; ``d_attention`` is dL/da when the weights are an output. Any may
    be ``None``. Returns ``d_h (B, T_in, D)`` and the weight gradients as
    ``AttentionWeights``, written into the arrays of ``out`` where given (see
    ``_parameter_gradients``). The attention step backwards is ``step_functions``'s.
    """
    d_outputs, d_logits, d_attention = _upstream(cache, d_outputs, d_logits, d_attention)
    w, h = cache.weights, cache.h
    batch, output_length, steps_in = cache.attention.shape
    units, classes = w.W_a.shape[0], w.W_o.shape[0]
    dtype = h.dtype
    d_h = np.zeros_like(h)                                  # (B, T_in, D)
    d_uh = np.zeros((batch, steps_in, units), dtype)        # (B, T_in, n)
    d_V_a = np.zeros(units, dtype)                          # (n,)
    d_gates = _gate_gradient_arrays(batch, output_length, units, dtype)   # dR, dZ, dP
    d_o_all = np.empty((batch, output_length, classes), dtype)    # do
    d_wa_all = np.empty((batch, output_length, units), dtype)     # dwa
    ds = np.zeros((batch, units), dtype)                    # dL/ds_t
    dy = np.zeros((batch, classes), dtype)                  # dL/dy_t from feedback
    for t in reversed(range(output_length)):
        s_prev, y_t = cache.states[:, t], cache.outputs[:, t + 1]        # (B, n), (B, K)
        r, z, p = cache.gates[:, t, 0], cache.gates[:, t, 1], cache.gates[:, t, 2]
        dy = dy + d_outputs[:, t]
        d_o = y_t * (dy - (dy * y_t).sum(axis=-1, keepdims=True)) + d_logits[:, t]  # (B, K)
        dP = ds * z * (1.0 - p * p)                         # (B, n)
        dZ = ds * (p - s_prev) * z * (1.0 - z)              # (B, n)
        d_rs = dP @ w.U_p.T                                 # (B, n)
        dR = d_rs * s_prev * r * (1.0 - r)                  # (B, n)
        ds_prev = (ds * (1.0 - z) + d_rs * r + d_o @ w.U_o.T
                   + dZ @ w.U_z.T + dR @ w.U_r.T)           # (B, n)
        dy = d_o @ w.W_o.T + dP @ w.W_p.T + dZ @ w.W_z.T + dR @ w.W_r.T   # (B, K)
        dc = d_o @ w.C_o.T + dP @ w.C_p.T + dZ @ w.C_z.T + dR @ w.C_r.T   # (B, D)
        step_functions.attend_backward(h, w.V_a, t, cache.energies, cache.attention, dc,
                                       d_attention, d_h, d_uh, d_V_a, d_wa_all)   # dwa_t
        ds = ds_prev + d_wa_all[:, t] @ w.W_a.T             # (B, n)
        d_gates[0][:, t], d_gates[1][:, t], d_gates[2][:, t] = dR, dZ, dP
        d_o_all[:, t] = d_o
    s0 = cache.states[:, 0]                                 # (B, n)
    d_pre_s0 = ds * (1.0 - s0 * s0)                         # dS_0 (B, n)
    return _parameter_gradients(cache, d_h, d_uh, d_V_a, d_gates, d_o_all, d_wa_all, d_pre_s0,
                                out)


def _gate_gradient_arrays(batch, output_length, units, dtype):
    """dR, dZ, dP for every step: three (B, T_out, n) arrays, each C-contiguous, so that
    their (B·T_out, n) rows are views."""
    return tuple(np.empty((batch, output_length, units), dtype) for _ in range(3))


def _parameter_gradients(cache, d_h, d_uh, d_V_a, d_gates, d_o, d_wa, d_pre_s0, out=None,
                         times_transposed=times_transposed):
    """Weight gradients as products over all B·T_out rows; finishes d_h.

    ``d_gates``: dR, dZ, dP, each (B, T_out, n); ``d_pre_s0``: dS_0 = ds_0 ⊙ (1 - s_0²).

    One product per weight, each written straight into its ``out`` array when given
    (``out``: optional ``AttentionWeights`` of arrays to write the gradients into; any
    entry may be None, and a new array is returned for it). One product for all twelve
    W, U, C blocks followed by copies into ``out`` measured slower in training, where the
    copies' 700 KB (echo tutorial) come on top of the products. ``times_transposed(rows,
    M)`` takes the products that send gradients back through U_a and W_s (the Numba
    twin's is ``vector_products.rows_times_matrix_transposed``).
    """
    w, h = cache.weights, cache.h
    out = out or AttentionWeights(*(None,) * len(WEIGHT_NAMES))
    batch, output_length, units = d_gates[0].shape
    rows = batch * output_length
    steps_in, features = h.shape[1], h.shape[2]
    classes = d_o.shape[2]
    s_prev = cache.states[:, :-1].reshape(rows, units)                  # (B·T_out, n)
    r_s_prev = cache.gates[:, :, 0].reshape(rows, units) * s_prev      # r ⊙ s_{t-1}
    gate_inputs = {"W": cache.outputs[:, :-1].reshape(rows, classes),   # y_{t-1} (rows, K)
                   "U": s_prev,                                         # (rows, n)
                   "C": cache.contexts.reshape(rows, features)}         # c_t (rows, D)
    gate_gradients = {gate: d_gate.reshape(rows, units)                 # (rows, n) each
                      for gate, d_gate in zip("rzp", d_gates)}
    gate_gradients["o"] = d_o.reshape(rows, classes)                    # (rows, K)
    grads = {"V_a": _into(out.V_a, d_V_a),
             "W_a": np.matmul(s_prev.T, d_wa.reshape(rows, units), out=out.W_a)}  # (n, n)
    for gate, d_gate in gate_gradients.items():
        for kind, gate_input in gate_inputs.items():
            name = f"{kind}_{gate}"
            if name == "U_p":
                gate_input = r_s_prev                                   # U_p reads it
            grads[name] = np.matmul(gate_input.T, d_gate, out=getattr(out, name))
        # np.add.reduce is np.sum without its Python wrapper (a few µs a call)
        grads[f"b_{gate}"] = np.add.reduce(d_gate, axis=0, out=getattr(out, f"b_{gate}"))
    d_uh_rows = d_uh.reshape(batch * steps_in, units)
    grads["U_a"] = np.matmul(h.reshape(batch * steps_in, features).T, d_uh_rows,
                             out=out.U_a)                               # (D, n)
    grads["b_a"] = np.add.reduce(d_uh_rows, axis=0, out=out.b_a)        # (n,)
    d_h = d_h + times_transposed(d_uh_rows, w.U_a).reshape(h.shape)     # (B, T_in, D)
    grads["W_s"] = blas_product(h[:, 0].T, d_pre_s0, out=out.W_s)      # (D, n)
    d_h[:, 0] += times_transposed(d_pre_s0, w.W_s)                      # (B, D)
    return d_h, AttentionWeights(**grads)


def _into(target, value):
    """``value`` written into ``target``, or ``value`` itself where no target is given."""
    if target is None:
        return value
    np.copyto(target, value)
    return target


# ---------------------------------------------------------------- Numba twin
#
# One sequence at a time (sequences are independent), all steps in one jitted call
# that reads the weights from the AttentionWeights tuple directly; its vector–matrix
# products are ``vector_products``'s, a gate's at a time through ``_gate_input`` and
# ``_gate_input_backward``: loops over tuples of (gate, weights) made the two step loops
# about 0.9 s longer to compile on an empty cache, for the same speed.

@kernel_jit()
def _gate_input(bias, y, W, s, U, c, C, out):
    """out (n,) = b + y W + s U + c C: a gate's pre-activation from the previous output y,
    the previous state s and the context c."""
    copy_into(bias, out)
    add_vector_times_matrix(y, W, out)
    add_vector_times_matrix(s, U, out)
    add_vector_times_matrix(c, C, out)


@kernel_jit()
def _gate_input_backward(d_gate, W, C, dy, dc):
    """dy += dG Wᵀ and dc += dG Cᵀ: a gate's gradient sent back to the previous output
    and to the context."""
    add_vector_times_matrix_transposed(d_gate, W, dy)
    add_vector_times_matrix_transposed(d_gate, C, dc)


@kernel_jit(fastmath={"reassoc"})
def _forward_loop(h, w, states, outputs, energies, attention, contexts, gates, logits):
    """The forward pass per sequence, s_0 and uh first: fills the arrays of ``_allocate``
    (``states`` zeroed). uh and s_0 here rather than before the call, where at the echo
    tutorial's batch of one their products over the batch, a NumPy addition and NumPy's
    tanh took 10.8 µs of a 99.4 µs pass; here the pass takes 95.1 µs (on an AMD EPYC of
    family 25, ad hoc), and the echo attention model's first step no longer compiles
    ``rows_times_matrix``'s loop (its cold start level within the noise)."""
    batch, output_length, steps_in, units = energies.shape
    uh = np.empty((steps_in, units), h.dtype)                           # (T_in, n)
    wa = np.empty(units, h.dtype)
    pre_r = np.empty(units, h.dtype)
    pre_z = np.empty(units, h.dtype)
    pre_p = np.empty(units, h.dtype)
    r_s = np.empty(units, h.dtype)
    for b in range(batch):
        for j in range(steps_in):                                       # uh_j = h_j U_a + b_a
            copy_into(w.b_a, uh[j])
            add_vector_times_matrix(h[b, j], w.U_a, uh[j])
        s0 = states[b, 0]                                               # s_0 = tanh(h_1 W_s)
        add_vector_times_matrix(h[b, 0], w.W_s, s0)
        for m in range(units):
            s0[m] = tanh(s0[m])
        for t in range(output_length):
            s, y = states[b, t], outputs[b, t]                          # (n,), (K,)
            wa[:] = 0.0
            add_vector_times_matrix(s, w.W_a, wa)                      # s W_a
            c = contexts[b, t]                                          # (D,)
            attend_sequence(h[b], uh, wa, w.V_a, energies[b, t], attention[b, t], c)
            o = logits[b, t]                                            # (K,)
            _gate_input(w.b_r, y, w.W_r, s, w.U_r, c, w.C_r, pre_r)
            _gate_input(w.b_z, y, w.W_z, s, w.U_z, c, w.C_z, pre_z)
            _gate_input(w.b_o, y, w.W_o, s, w.U_o, c, w.C_o, o)
            # p's recurrent term is (r ⊙ s) U_p, known only once r is: b + y W + c C now
            copy_into(w.b_p, pre_p)
            add_vector_times_matrix(y, w.W_p, pre_p)
            add_vector_times_matrix(c, w.C_p, pre_p)
            for m in range(units):
                r = sigmoid(pre_r[m])
                gates[b, t, 0, m] = r
                gates[b, t, 1, m] = sigmoid(pre_z[m])
                r_s[m] = r * s[m]
            add_vector_times_matrix(r_s, w.U_p, pre_p)
            for m in range(units):
                p = tanh(pre_p[m])
                z = gates[b, t, 1, m]
                gates[b, t, 2, m] = p
                states[b, t + 1, m] = one_minus(z) * s[m] + z * p
            y_next = outputs[b, t + 1]
            copy_into(o, y_next)
            softmax_in_place(y_next)


@kernel_jit(fastmath={"reassoc"})
def _backward_loop(h, w, states, outputs, energies, attention, gates,
                   d_outputs, d_logits, d_attention, d_h, d_uh, d_V_a, d_r_all, d_z_all,
                   d_p_all, d_o_all, d_wa_all, d_pre_s0):
    """BPTT per sequence; the d_* arrays of the module docstring, filled in place."""
    batch, output_length, steps_in, units = energies.shape
    classes = outputs.shape[2]
    ds = np.empty(units, h.dtype)
    ds_prev = np.empty(units, h.dtype)
    d_rs = np.empty(units, h.dtype)
    dy = np.empty(classes, h.dtype)
    dy_prev = np.empty(classes, h.dtype)
    dc = np.empty(h.shape[2], h.dtype)
    da = np.empty(steps_in, h.dtype)
    for b in range(batch):
        ds[:] = 0.0
        dy[:] = 0.0
        for t in range(output_length - 1, -1, -1):
            s_prev, y_t = states[b, t], outputs[b, t + 1]
            d_r, d_z, d_p = d_r_all[b, t], d_z_all[b, t], d_p_all[b, t]
            d_o = d_o_all[b, t]
            weighted = zero_for(d_h)
            for k in range(classes):
                dy[k] += d_outputs[b, t, k]
                weighted += dy[k] * y_t[k]
            for k in range(classes):
                d_o[k] = y_t[k] * (dy[k] - weighted) + d_logits[b, t, k]
            for m in range(units):
                z, p = gates[b, t, 1, m], gates[b, t, 2, m]
                d_p[m] = ds[m] * z * one_minus(p * p)
                d_z[m] = ds[m] * (p - s_prev[m]) * z * one_minus(z)
                ds_prev[m] = ds[m] * one_minus(z)
            d_rs[:] = 0.0
            add_vector_times_matrix_transposed(d_p, w.U_p, d_rs)
            for m in range(units):
                r = gates[b, t, 0, m]
                d_r[m] = d_rs[m] * s_prev[m] * r * one_minus(r)
                ds_prev[m] += d_rs[m] * r
            dy_prev[:] = 0.0
            dc[:] = 0.0
            _gate_input_backward(d_r, w.W_r, w.C_r, dy_prev, dc)
            _gate_input_backward(d_z, w.W_z, w.C_z, dy_prev, dc)
            _gate_input_backward(d_p, w.W_p, w.C_p, dy_prev, dc)
            _gate_input_backward(d_o, w.W_o, w.C_o, dy_prev, dc)
            add_vector_times_matrix_transposed(d_r, w.U_r, ds_prev)
            add_vector_times_matrix_transposed(d_z, w.U_z, ds_prev)
            add_vector_times_matrix_transposed(d_o, w.U_o, ds_prev)
            d_wa = d_wa_all[b, t]
            attend_backward_sequence(h[b], w.V_a, energies[b, t], attention[b, t], dc,
                                     d_attention[b, t], da, d_h[b], d_uh[b], d_V_a, d_wa)
            add_vector_times_matrix_transposed(d_wa, w.W_a, ds_prev)
            copy_into(ds_prev, ds)
            copy_into(dy_prev, dy)
        s0 = states[b, 0]
        for m in range(units):                                      # dS_0 = ds_0 (1 - s_0²)
            d_pre_s0[b, m] = ds[m] * one_minus(s0[m] * s0[m])


@kernel_jit()
def _parameter_gradients_loops(s_prev, r_s_prev, y_prev, c, d_r, d_z, d_p, d_o, d_wa, h_rows,
                               d_uh, h_first, d_pre_s0, d_V_a, U_a, W_s, d_h, out):
    """``_parameter_gradients`` for a few rows, in one jitted call: the same sums over the
    rows (every operand a C-contiguous (rows, width) array), each weight gradient by
    ``vector_products.outer_products_sum`` into its array of ``out`` (every entry given, in
    its weight's shape); ``d_h (B, T_in, D)`` is finished in place.

    One call per product, written out: a loop over a tuple of them took about half a second
    longer to compile on an empty cache, and packing the rows in here rather than in
    ``_parameter_gradients_by_loops`` about a second and a half (ad-hoc timings)."""
    outer_products_sum(s_prev, d_wa, out.W_a)          # dW_a = Σ s_{t-1}ᵀ dwa_t
    outer_products_sum(h_rows, d_uh, out.U_a)           # dU_a = Σ h_jᵀ duh_j
    outer_products_sum(h_first, d_pre_s0, out.W_s)      # dW_s = h_1ᵀ dS_0
    outer_products_sum(y_prev, d_r, out.W_r)            # dW_g = Σ y_{t-1}ᵀ dG_t
    outer_products_sum(y_prev, d_z, out.W_z)
    outer_products_sum(y_prev, d_p, out.W_p)
    outer_products_sum(y_prev, d_o, out.W_o)
    outer_products_sum(s_prev, d_r, out.U_r)            # dU_g = Σ s_{t-1}ᵀ dG_t
    outer_products_sum(s_prev, d_z, out.U_z)
    outer_products_sum(r_s_prev, d_p, out.U_p)          # U_p's:  (r ⊙ s_{t-1})ᵀ dP_t
    outer_products_sum(s_prev, d_o, out.U_o)
    outer_products_sum(c, d_r, out.C_r)                 # dC_g = Σ c_tᵀ dG_t
    outer_products_sum(c, d_z, out.C_z)
    outer_products_sum(c, d_p, out.C_p)
    outer_products_sum(c, d_o, out.C_o)
    sum_of_rows(d_r, out.b_r)                           # db_g = Σ dG_t
    sum_of_rows(d_z, out.b_z)
    sum_of_rows(d_p, out.b_p)
    sum_of_rows(d_o, out.b_o)
    sum_of_rows(d_uh, out.b_a)                          # db_a = Σ duh
    copy_into(d_V_a, out.V_a)
    add_rows_times_matrix_transposed(d_uh, U_a, d_h.reshape(h_rows.shape))
    for b in range(d_h.shape[0]):
        add_vector_times_matrix_transposed(d_pre_s0[b], W_s, d_h[b, 0])


def _parameter_gradients_by_loops(cache, d_h, d_uh, d_V_a, d_gates, d_o, d_wa, d_pre_s0,
                                  out=None):
    """The rows of every product, packed C-contiguous, and ``_parameter_gradients_loops``
    run on them into ``out``'s arrays (``vector_products.gradient_arrays``); returns what
    ``_parameter_gradients`` does."""
    h, w = cache.h, cache.weights
    shapes = weight_shapes(h.shape[2], w.W_a.shape[0], w.W_o.shape[0])     # as forward checked
    targets = AttentionWeights._make(gradient_arrays(out, shapes, WEIGHT_NAMES, h.dtype))
    batch, output_length, units = d_gates[0].shape
    rows = batch * output_length

    def packed(array):                                                  # (B, T, X) -> rows
        return np.ascontiguousarray(array).reshape(rows, array.shape[-1])

    s_prev = cache.states[:, :-1]                                       # (B, T_out, n)
    d_r, d_z, d_p = (d_gate.reshape(rows, units) for d_gate in d_gates)
    _parameter_gradients_loops(
        packed(s_prev), packed(cache.gates[:, :, 0] * s_prev), packed(cache.outputs[:, :-1]),
        packed(cache.contexts), d_r, d_z, d_p, packed(d_o), packed(d_wa),
        h.reshape(batch * h.shape[1], h.shape[2]), d_uh.reshape(batch * h.shape[1], units),
        np.ascontiguousarray(h[:, 0]), d_pre_s0, d_V_a, w.U_a, w.W_s, d_h, targets)
    return d_h, targets


def _contiguous(weights):
    return AttentionWeights._make(map(np.ascontiguousarray, weights))


def batch_products_pay(batch, units):
    """Whether the batch-vectorised NumPy twin, whose products go through BLAS, beats
    the jitted loops, which walk one sequence at a time: measured on this project's
    machine (forward + backward, T = 5), the loops win 1.15x at (B, n) = (10, 150) and
    1.3x at (4, 256), tie at (64, 64) and (32, 100), and lose 1.2x at (16, 150). The
    Numba twin hands such batches over, with its jitted step functions
    (``JITTED_STEP_FUNCTIONS``)."""
    return batch * units * units >= 300_000


def tanh_by_loops(x):
    """np.tanh(x) by ``fast_math.tanh`` in a jitted loop (rational in float32, libm in
    float64). NumPy's float32 tanh took 2.0 ms on this project's machine for the
    (64, 20, 256) energies of one step of the decoder at (64, 20, 256, 256, 64), about 6 ns
    an element; this loop 0.38 ms."""
    return _elementwise_by_loops(_tanh_into, x)


def sigmoid_by_loops(x):
    """σ(x) by ``fast_math.sigmoid`` in a jitted loop, as ``tanh_by_loops``: 25 against
    111 µs for NumPy's σ (``reference_math.sigmoid``) on a (64, 256) gate on this project's
    machine."""
    return _elementwise_by_loops(_sigmoid_into, x)


def _elementwise_by_loops(into, x):
    """``into(values, out)`` over the flattened values of ``x``; returns out, shaped as x."""
    values = np.ascontiguousarray(x)
    out = np.empty_like(values)
    into(values.reshape(-1), out.reshape(-1))
    return out


@kernel_jit()
def _tanh_into(values, out):
    """out_i = tanh(values_i) over two 1-D arrays."""
    for i in range(values.shape[0]):
        out[i] = tanh(values[i])


@kernel_jit()
def _sigmoid_into(values, out):
    """out_i = σ(values_i) over two 1-D arrays."""
    for i in range(values.shape[0]):
        out[i] = sigmoid(values[i])


JITTED_STEP_FUNCTIONS = StepFunctions(additive_attention.attend,
                                      additive_attention.attend_backward,
                                      sigmoid_by_loops, tanh_by_loops)


def forward_numba(h, weights, output_length):
    """Same contract as ``forward_reference``; the step loop is jitted (or, for
    large batches, the NumPy twin's loop runs, with ``JITTED_STEP_FUNCTIONS``:
    ``batch_products_pay``)."""
    h = np.ascontiguousarray(h)
    _check_forward(h, weights, output_length)
    w = _contiguous(weights)
    if batch_products_pay(h.shape[0], w.W_a.shape[0]):
        return _forward_steps(h, w, output_length, JITTED_STEP_FUNCTIONS)
    states, outputs, energies, attention, contexts, gates, logits = _allocate(
        h, w, output_length)
    _forward_loop(h, w, states, outputs, energies, attention, contexts, gates, logits)
    cache = AttentionCache(h, w, states, outputs, energies, attention, contexts, gates)
    return outputs[:, 1:], attention, logits, cache


def backward_numba(cache, d_outputs=None, d_logits=None, d_attention=None, out=None):
    """Same contract as ``backward_reference``; the step loop is jitted (or not, as in
    ``forward_numba``)."""
    if batch_products_pay(cache.h.shape[0], cache.weights.W_a.shape[0]):
        return backward_reference(cache, d_outputs, d_logits, d_attention, out,
                                  JITTED_STEP_FUNCTIONS)
    w, h = cache.weights, cache.h            # made contiguous by forward_numba
    batch, output_length, steps_in = cache.attention.shape
    units, classes = w.W_a.shape[0], w.W_o.shape[0]
    dtype = h.dtype

    d_outputs, d_logits, d_attention = _upstream(cache, d_outputs, d_logits, d_attention)
    d_h = np.zeros(h.shape, dtype)                                  # (B, T_in, D)
    d_uh = np.zeros((batch, steps_in, units), dtype)                # (B, T_in, n)
    d_V_a = np.zeros(units, dtype)                                  # (n,)
    d_gates = _gate_gradient_arrays(batch, output_length, units, dtype)   # dR, dZ, dP
    d_o = np.empty((batch, output_length, classes), dtype)          # do
    d_wa = np.empty((batch, output_length, units), dtype)           # dwa
    d_pre_s0 = np.empty((batch, units), dtype)                      # dS_0
    _backward_loop(h, w, cache.states, cache.outputs, cache.energies, cache.attention,
                   cache.gates, d_outputs, d_logits, d_attention, d_h, d_uh, d_V_a, *d_gates,
                   d_o, d_wa, d_pre_s0)
    if few_rows(batch * output_length) and few_rows(batch * steps_in):
        return _parameter_gradients_by_loops(cache, d_h, d_uh, d_V_a, d_gates, d_o, d_wa, d_pre_s0,
                                             out)
    return _parameter_gradients(cache, d_h, d_uh, d_V_a, d_gates, d_o, d_wa, d_pre_s0, out,
                                rows_times_matrix_transposed)


forward = dispatch(forward_reference, forward_numba)
backward = dispatch(backward_reference, backward_numba)
