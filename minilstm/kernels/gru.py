r"""GRU forward pass and backpropagation through time, as two twins.

Keras's GRU (``reset_after=True``, its default since TensorFlow 2; layout and gate order
z, r, n: update, reset, candidate)::

    x        (B, T, I)    input sequences
    W        (I, 3H)      kernel            columns: [ z | r | n ]
    U        (H, 3H)      recurrent_kernel
    b        (2, 3H)      bias              b[0] = b_in on the input, b[1] = b_rec on h
    h_0      (B, H)       initial state (zeros when not given)

Forward, for t = 1..T::

    p_t  = x_t W + b_in                               (B, 3H)   before the time loop
    q_t  = h_{t-1} U + b_rec                          (B, 3H)
    z_t  = σ(p_t[z] + q_t[z])        r_t = σ(p_t[r] + q_t[r])
    n_t  = φ(p_t[n] + r_t ⊙ q_t[n])                   the reset gate after the product
    h_t  = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ n_t

with Keras's defaults φ = tanh (``activation``) and σ the sigmoid (``recurrent_activation``),
or others of ``recurrent_activations``, whose derivatives are written with their outputs
(φ' = 1 - n_t² for tanh, σ' = z_t (1 - z_t) for the sigmoid).

With dropout masks, as Keras 3's GRU draws them when ``recurrent_dropout`` is set (its
"implementation 1"): one mask a gate and a sequence, on the input d_g ``(B, 3, I)`` and on
the state m_g ``(B, 3, H)``, for every step::

    p_t[g] = (x_t ⊙ d_g) W_g + b_in[g]     q_t[g] = (h_{t-1} ⊙ m_g) U_g + b_rec[g]

while h_t mixes the unmasked h_{t-1}. (With ``dropout`` alone Keras draws one input mask for
all three gates, which the layer applies to x itself, as the LSTM's.) With a step mask
``s (B, T)`` (Keras's mask of a sequence's steps), a step a sequence does not read carries its
state on: h_t = h_{t-1} where s_t = 0.

Backward, given dL/dh_t for every t (``d_hidden``) and dL/dh_T carried in (``d_h_last``),
for t = T..1::

    dh_t     = d_hidden_t + dh_next                   dh_next = d_h_last at t = T
    da_n     = dh_t ⊙ (1 - z_t) ⊙ φ'(n_t)             n_t's pre-activation
    da_z     = dh_t ⊙ (h_{t-1} - n_t) ⊙ σ'(z_t)
    da_r     = da_n ⊙ q_t[n] ⊙ σ'(r_t)
    dp_t     = [da_z | da_r | da_n]                   dq_t = [da_z | da_r | da_n ⊙ r_t]
    dh_next  = dh_t ⊙ z_t + dq_t Uᵀ                   (Σ_g (dq_t[g] U_gᵀ) ⊙ m_g with masks)

and at a step not read the gradient passes through: dp_t = dq_t = 0, dh_next = dh_t. After
the loop, as products over all B·T rows (BLAS, in both twins: ``gru_common``)::

    dW = Σ_t x_tᵀ dp_t      dU = Σ_t h_{t-1}ᵀ dq_t     db = [Σ dp_t ; Σ dq_t]
    dx_t = dp_t Wᵀ          dh_0 = dh_next
    (with masks: dW_g = Σ_t (x_t ⊙ d_g)ᵀ dp_t[g], dU_g = Σ_t (h_{t-1} ⊙ m_g)ᵀ dq_t[g],
     dx_t = Σ_g (dp_t[g] W_gᵀ) ⊙ d_g)

``go_backwards=True`` reads the input from the last step to the first; like Keras, the
returned sequence is then in that reversed (processing) order.

The twins: ``forward_reference`` / ``backward_reference``, below, NumPy over the batch with
a Python loop over time, to be read next to the equations; ``forward_numba`` /
``backward_numba`` (``gru_numba``) run the time loop jitted, its products by hand-written
loops, σ and tanh in float32 by ``fast_math``'s rational form (error below 4e-7), in float64
exactly (``recurrent_activations``). ``forward`` / ``backward`` call the twin of the backend in use.
"""
import numpy as np

from .backend import dispatch
from .gru_common import (GRUCache, forward_start, gate_columns, parameter_gradients,
                         recurrent_gradient, recurrent_product)
from .gru_numba import backward_numba, forward_numba
from .recurrent_activations import reference
from .recurrent_common import backward_start
from .reference_math import where_read

__all__ = ["GRUCache", "backward", "backward_numba", "backward_reference", "cell_reference",
           "forward", "forward_numba", "forward_reference"]


def cell_reference(p, q, h_prev, activation="tanh", recurrent_activation="sigmoid"):
    """One step from p_t and q_t ``(B, 3H)``: the gates [z, r, n] ``(B, 3H)``, q_t[n] and h_t,
    with φ = ``activation`` and σ = ``recurrent_activation``."""
    phi, _ = reference(activation)
    sigma, _ = reference(recurrent_activation)
    z = sigma(gate_columns(p, 0) + gate_columns(q, 0))                       # (B, H)
    r = sigma(gate_columns(p, 1) + gate_columns(q, 1))                       # (B, H)
    n = phi(gate_columns(p, 2) + r * gate_columns(q, 2))                     # (B, H)
    h = z * h_prev + (1.0 - z) * n                                           # (B, H)
    return np.concatenate([z, r, n], axis=1), gate_columns(q, 2), h


def cell_backward_reference(dh, gates, candidate, h_prev, activation="tanh",
                            recurrent_activation="sigmoid"):
    """The step backwards from dh_t: dp_t and dq_t ``(B, 3H)``, and dh_t ⊙ z_t, the part of
    dL/dh_{t-1} that does not pass through U; φ' and σ' from the gates' outputs."""
    _, phi_slope = reference(activation)
    _, sigma_slope = reference(recurrent_activation)
    z, r, n = (gate_columns(gates, gate) for gate in range(3))              # (B, H) each
    da_n = dh * (1.0 - z) * phi_slope(n)                                     # (B, H)
    da_z = dh * (h_prev - n) * sigma_slope(z)                                # (B, H)
    da_r = da_n * candidate * sigma_slope(r)                                 # (B, H)
    d_p = np.concatenate([da_z, da_r, da_n], axis=1)                         # (B, 3H)
    d_q = np.concatenate([da_z, da_r, da_n * r], axis=1)                     # (B, 3H)
    return d_p, d_q, dh * z


def forward_reference(x, kernel, recurrent_kernel, bias, h0=None, go_backwards=False,
                      input_mask=None, recurrent_mask=None, step_mask=None, activation="tanh",
                      recurrent_activation="sigmoid"):
    """GRU over whole sequences, NumPy reference (see the module docstring).

    Returns ``hidden (B, T, H)``, ``h_T (B, H)`` and the cache for ``backward_reference``.
    ``input_mask (B, 3, I)`` and ``recurrent_mask (B, 3, H)``: the dropout masks d_g and
    m_g (None: none). ``step_mask (B, T)``: the steps each sequence reads (None: all), in
    the input's order. ``activation`` φ and ``recurrent_activation`` σ: names of
    ``recurrent_activations``.
    """
    cache, p = forward_start(x, kernel, recurrent_kernel, bias, h0, go_backwards, input_mask,
                             recurrent_mask, step_mask, activation,
                             recurrent_activation)                           # p (B, T, 3H)
    reads = cache.step_mask                                                  # (B, T) or None
    h = cache.h0                                                             # (B, H)
    for t in range(p.shape[1]):
        q = recurrent_product(h, cache.recurrent_kernel, cache.recurrent_mask) + bias[1]
        cache.gates[:, t], cache.candidates[:, t], h_new = cell_reference(
            p[:, t], q, h, cache.activation, cache.recurrent_activation)
        h = where_read(reads, t, h_new, h)                 # (B, H) unread: state carried on
        cache.hidden[:, t] = h
    return cache.hidden, h, cache


def backward_reference(d_hidden, d_h_last, cache, out=None, input_gradient=True,
                       initial_state_gradient=True):
    """BPTT, NumPy reference (see the module docstring); its arguments and what it returns
    are the simple RNN's (``simple_rnn.backward_reference``): ``d_x, d_kernel,
    d_recurrent_kernel, d_bias, d_h0``."""
    width = cache.gates.shape[2]                                             # 3H
    d_hidden, dh_next, d_p, d_q = backward_start(d_hidden, d_h_last, cache, width, width)
    reads = cache.step_mask                                                  # (B, T) or None
    for t in reversed(range(cache.hidden.shape[1])):
        h_prev = cache.h0 if t == 0 else cache.hidden[:, t - 1]              # (B, H)
        dh = d_hidden[:, t] + dh_next                                        # (B, H)
        d_p[:, t], d_q[:, t], dh_direct = cell_backward_reference(
            dh, cache.gates[:, t], cache.candidates[:, t], h_prev, cache.activation,
            cache.recurrent_activation)
        d_p[:, t] = where_read(reads, t, d_p[:, t], 0.0)   # (B, 3H) unread: none, and the
        d_q[:, t] = where_read(reads, t, d_q[:, t], 0.0)   # (B, 3H) gradient passes through
        dh_next = dh_direct + recurrent_gradient(d_q[:, t], cache.recurrent_kernel,
                                                 cache.recurrent_mask)       # (B, H)
        dh_next = where_read(reads, t, dh_next, dh)        # (B, H) gradient passes through
    d_x, d_kernel, d_recurrent_kernel, d_bias = parameter_gradients(d_p, d_q, cache, out,
                                                                    input_gradient)
    return d_x, d_kernel, d_recurrent_kernel, d_bias, (
        dh_next if initial_state_gradient else None)


forward = dispatch(forward_reference, forward_numba)
backward = dispatch(backward_reference, backward_numba)
