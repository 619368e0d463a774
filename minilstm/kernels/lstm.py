r"""LSTM forward pass and backpropagation through time, as two twins.

Notation (Keras layout and gate order i, f, c, o)::

    x        (B, T, I)    input sequences
    W        (I, 4H)      kernel            columns: [ i | f | c | o ]
    U        (H, 4H)      recurrent_kernel
    b        (4H,)        bias
    h_0, c_0 (B, H)       initial state (zeros when not given)

Forward, for t = 1..T::

    z_t  = x_t W + b + h_{t-1} U                       (B, 4H)   pre-activations
    i_t  = σ(z_t[i])    f_t = σ(z_t[f])    g_t = φ(z_t[c])    o_t = σ(z_t[o])
    c_t  = f_t ⊙ c_{t-1} + i_t ⊙ g_t
    h_t  = o_t ⊙ φ(c_t)

with Keras's defaults φ = tanh (``activation``) and σ(z) = 1 / (1 + e^{-z})
(``recurrent_activation``), evaluated as (1 + tanh(z/2)) / 2, the same number without
overflow for large |z|; the other activations the kernel takes, and their derivatives
(written with their outputs), are in ``recurrent_activations``.

With a recurrent mask ``m (B, H)`` (recurrent dropout, as Keras 3's LSTM applies it: one
mask a sequence for every step and all four gates, its kept entries 1 / (1 - rate), the
others 0) the recurrence reads h_{t-1} ⊙ m::

    z_t  = x_t W + b + (h_{t-1} ⊙ m) U

With a step mask ``s (B, T)`` (Keras's mask of the sequence's steps: 0 at padding) a step
that a sequence does not read carries its state on, as Keras's recurrent layers do::

    c_t = c_{t-1},  h_t = h_{t-1}                      where s_t = 0

``x W + b`` for every timestep is one matrix product before the time loop; only
``h_{t-1} U`` runs inside it.

Backward, given dL/dh_t for every t (``d_hidden``) and the gradients carried in
for the final state (``d_h_last``, ``d_c_last``), for t = T..1::

    dh_t   = d_hidden_t + dh_next                     dh_next = d_h_last at t = T
    dc_t   = dc_next + dh_t ⊙ o_t ⊙ φ'(c_t)           dc_next = d_c_last at t = T
    dz[i]  = dc_t ⊙ g_t ⊙ σ'(z_t[i])                  σ'(z_t[i]) = i_t (1 - i_t) for σ
    dz[f]  = dc_t ⊙ c_{t-1} ⊙ σ'(z_t[f])
    dz[c]  = dc_t ⊙ i_t ⊙ φ'(z_t[c])                  φ'(z_t[c]) = 1 - g_t² for tanh
    dz[o]  = dh_t ⊙ φ(c_t) ⊙ σ'(z_t[o])
    dh_next = dz_t Uᵀ         dc_next = dc_t ⊙ f_t         ((dz_t Uᵀ) ⊙ m with a mask)

and at a step not read (s_t = 0) the gradients pass through it: dz_t = 0,
dh_next = dh_t, dc_next = dc_next as it came in.

and after the loop, as products over all B·T rows at once (BLAS; in the Numba twin, for a
few rows or narrow products, jitted loops: ``lstm_gradient_loops``, ``lstm_routes``)::

    dW = Σ_t x_tᵀ dz_t     dU = Σ_t h_{t-1}ᵀ dz_t     db = Σ_t Σ_batch dz_t
                           (Σ_t (h_{t-1} ⊙ m)ᵀ dz_t with a mask)
    dx_t = dz_t Wᵀ         dh_0 = dh_next             dc_0 = dc_next

and, when only the sum of the input's gradients over the steps is asked for
(``SUMMED_OVER_STEPS``: all a ``RepeatVector`` before the layer needs), one product of B
rows instead of B·T::

    Σ_t dx_t = (Σ_t dz_t) Wᵀ

Without a given initial state h_0 = 0, and the Numba twin forms neither h_0 U = 0 nor,
on its few-row loops, the t = 1 terms of dU, h_0ᵀ dz_1 = 0 (the NumPy twin forms both, as
written above; the Numba twin's BLAS and row-block routes form those terms of dU too:
``lstm_common``). A caller with no use for dh_0 and dc_0
(``initial_state_gradient=False``: no state was given, or nothing upstream trains it) gets
None for them, and neither twin forms the last dz_t Uᵀ (t = 1).

``go_backwards=True`` reads the input from the last step to the first; like
Keras, the returned sequence is then in that reversed (processing) order.

The twins: ``forward_reference`` / ``backward_reference``, below, are NumPy, vectorised
over the batch with a Python loop over time, written to be read next to the
equations above. ``forward_numba`` / ``backward_numba`` (``lstm_numba``) run the same time
loop jitted; in float32 they evaluate tanh and σ with the rational approximation of
``fast_math`` (error below 4e-7), in float64 exactly. ``forward`` / ``backward`` call the
twin of the backend in use. The Numba twin's parts, each in a file of its own:

- ``lstm_numba``: its forward and backward passes, which pick a route for each pass;
- ``lstm_routes``: those choices, from the shape (loops or BLAS, one core or two);
- ``lstm_time_loops``: the jitted gate steps and time loops;
- ``lstm_gradient_loops``: the jitted products after the backward time loop (dW, dU, db);
- ``lstm_halves``: the two-core route, each half of the batch on its own core, every
  product of a pass by jitted loops (the sequences of a batch are independent, so only
  the weight gradients' two shares meet, added at the end);
- ``lstm_common``: what both twins share (the cache, the BLAS products after the loop).

On one core the Numba twin reads one-hot input, and input that repeats its first step,
without multiplying it out in x W and dW (``input_rows``). Every route takes a recurrent
mask and a step mask (``lstm_time_loops``).
"""
import numpy as np

from .backend import dispatch
from .lstm_common import (SUMMED_OVER_STEPS, LSTMCache, as_rows, asked_input_gradient,
                          backward_start, checked_activations, initial_state_gradients,
                          input_and_initial_state, weight_gradients)
from .lstm_numba import backward_numba, forward_numba
from .recurrent_activations import reference
from .reference_math import where_read
from .vector_products import flat_rows_product, times_transposed

__all__ = ["SUMMED_OVER_STEPS", "LSTMCache", "backward", "backward_numba", "backward_reference",
           "cell_backward_reference", "cell_reference", "forward", "forward_numba",
           "forward_reference"]


def _input_projection(x, kernel, bias):
    """x W + b for every timestep at once: one (B·T, I) @ (I, 4H) product.

    The Numba twin leaves b out and adds it in its gate loop, saving a pass over the
    (B·T, 4H) result, and reads one-hot or repeated input by ``input_rows``
    (``lstm_numba``). ``flat_rows_product``'s ``blas_product`` rather than ``@``:
    NumPy's matmul skips BLAS with one feature (I = 1), where ``blas_product`` takes
    ``np.dot``.
    """
    projected = flat_rows_product(x, kernel)                        # (B, T, 4H)
    projected += bias
    return projected


def _parameter_gradients(d_z, cache, out=None, input_gradient=True):
    """dx, dW, dU and db from the pre-activation gradients of every step, as products over
    all B·T rows (``weight_gradients``, ``asked_input_gradient``); the NumPy twin's."""
    d_kernel, d_recurrent_kernel, d_bias = weight_gradients(as_rows(d_z), cache, out)
    d_x = asked_input_gradient(d_z, cache, times_transposed, input_gradient)
    return d_x, d_kernel, d_recurrent_kernel, d_bias


def cell_reference(z, c_prev, activation="tanh", recurrent_activation="sigmoid"):
    """One step of the cell from its pre-activations ``z (B, 4H)``: gates, c_t, h_t, with
    φ = ``activation`` and σ = ``recurrent_activation``."""
    units = c_prev.shape[1]
    phi, _ = reference(activation)
    sigma, _ = reference(recurrent_activation)
    i = sigma(z[:, :units])                                      # (B, H)
    f = sigma(z[:, units:2 * units])                             # (B, H)
    g = phi(z[:, 2 * units:3 * units])                           # (B, H)
    o = sigma(z[:, 3 * units:])                                  # (B, H)
    c = f * c_prev + i * g                                       # (B, H)
    h = o * phi(c)                                               # (B, H)
    return np.concatenate([i, f, g, o], axis=1), c, h


def cell_backward_reference(dh, dc_next, gates, c_prev, activated_c, activation="tanh",
                            recurrent_activation="sigmoid"):
    """The cell step backwards: dz_t ``(B, 4H)`` and dL/dc_{t-1}, from dh_t and dc carried
    in; φ' and σ' from the activations' outputs (``recurrent_activations``)."""
    units = c_prev.shape[1]
    _, phi_slope = reference(activation)
    _, sigma_slope = reference(recurrent_activation)
    i, f = gates[:, :units], gates[:, units:2 * units]           # (B, H)
    g, o = gates[:, 2 * units:3 * units], gates[:, 3 * units:]   # (B, H)
    dc = dc_next + dh * o * phi_slope(activated_c)               # (B, H)
    d_z = np.concatenate([dc * g * sigma_slope(i),
                          dc * c_prev * sigma_slope(f),
                          dc * i * phi_slope(g),
                          dh * activated_c * sigma_slope(o)], axis=1)  # (B, 4H)
    return d_z, dc * f


def forward_reference(x, kernel, recurrent_kernel, bias, h0=None, c0=None,
                      go_backwards=False, recurrent_mask=None, step_mask=None,
                      activation="tanh", recurrent_activation="sigmoid"):
    """LSTM over whole sequences, NumPy reference (see the module docstring).

    Returns ``hidden (B, T, H)``, ``h_T (B, H)``, ``c_T (B, H)`` and the cache
    for ``backward_reference``. ``recurrent_mask (B, H)``: m on h_{t-1} in the
    recurrence (None: none). ``step_mask (B, T)``: the steps each sequence reads (true or
    nonzero; None: all), in the input's order; the others carry the state on.
    ``activation`` φ and ``recurrent_activation`` σ: names of ``recurrent_activations``.
    """
    x, h0, c0, mask, reads = input_and_initial_state(x, kernel, recurrent_kernel, bias, h0, c0,
                                                     go_backwards, recurrent_mask, step_mask)
    activation, recurrent_activation = checked_activations(activation, recurrent_activation)
    batch, steps, _ = x.shape
    units = recurrent_kernel.shape[0]
    x_proj = _input_projection(x, kernel, bias)                  # (B, T, 4H)
    gates = np.empty((batch, steps, 4 * units), dtype=x.dtype)   # (B, T, 4H)
    cells = np.empty((batch, steps, units), dtype=x.dtype)       # (B, T, H)
    hidden = np.empty((batch, steps, units), dtype=x.dtype)      # (B, T, H)
    h, c = h0, c0                                                # (B, H)
    for t in range(steps):
        recurrent_input = h if mask is None else h * mask        # (B, H)
        z = x_proj[:, t] + recurrent_input @ recurrent_kernel    # (B, 4H)
        gates[:, t], c_new, h_new = cell_reference(z, c, activation,
                                                   recurrent_activation)
        c = where_read(reads, t, c_new, c)                       # (B, H) unread: state
        h = where_read(reads, t, h_new, h)                       # (B, H) carried on
        cells[:, t] = c
        hidden[:, t] = h
    phi, _ = reference(activation)
    cache = LSTMCache(x, h0, c0, gates, cells, phi(cells), hidden,
                      kernel, recurrent_kernel, go_backwards, recurrent_mask=mask,
                      step_mask=reads, activation=activation,
                      recurrent_activation=recurrent_activation)
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
    d_hidden, dh_next, dc_next, d_z = backward_start(d_hidden, d_h_last, d_c_last, cache,
                                                     input_gradient)
    reads = cache.step_mask                                             # (B, T) or None
    for t in reversed(range(cache.hidden.shape[1])):
        c_prev = cache.c0 if t == 0 else cache.cells[:, t - 1]        # (B, H)
        dh = d_hidden[:, t] + dh_next                                   # (B, H)
        d_z[:, t], dc_prev = cell_backward_reference(
            dh, dc_next, cache.gates[:, t], c_prev, cache.activated_cells[:, t],
            cache.activation, cache.recurrent_activation)
        d_z[:, t] = where_read(reads, t, d_z[:, t], 0.0)         # (B, 4H) unread: none, and
        dc_next = where_read(reads, t, dc_prev, dc_next)        # (B, H) the gradients pass
        if t > 0 or initial_state_gradient:                     # through
            dh_next = d_z[:, t] @ cache.recurrent_kernel.T            # (B, H)
            if cache.recurrent_mask is not None:
                dh_next *= cache.recurrent_mask                         # (B, H)
            dh_next = where_read(reads, t, dh_next, dh)               # (B, H)
    d_x, d_kernel, d_recurrent_kernel, d_bias = _parameter_gradients(d_z, cache, out,
                                                                     input_gradient)
    return (d_x, d_kernel, d_recurrent_kernel, d_bias) + initial_state_gradients(
        dh_next, dc_next, initial_state_gradient)


forward = dispatch(forward_reference, forward_numba)
backward = dispatch(backward_reference, backward_numba)
