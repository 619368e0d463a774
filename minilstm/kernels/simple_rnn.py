r"""The simple recurrent network (Elman's, Keras's ``SimpleRNN``) and its backpropagation
through time, as two twins: the shortest BPTT there is, a first read before the LSTM's.

Notation (Keras layout)::

    x        (B, T, I)    input sequences
    W        (I, H)       kernel
    U        (H, H)       recurrent_kernel
    b        (H,)         bias
    h_0      (B, H)       initial state (zeros when not given)

Forward, for t = 1..T::

    p_t  = x_t W + b                                  (B, H)   before the time loop
    h_t  = φ(p_t + h_{t-1} U)

φ is Keras's ``activation``: tanh by default, or another of ``recurrent_activations``
(``'relu'``, ``'linear'``...), whose derivative is written with its output: φ' = 1 - h_t²
for tanh, [h_t > 0] for relu.

With a recurrent mask ``m (B, H)`` (recurrent dropout, as Keras 3's SimpleRNN draws it: one
mask a sequence for every step) the recurrence reads h_{t-1} ⊙ m; with a step mask ``s (B,
T)`` (Keras's mask of a sequence's steps) a step a sequence does not read carries its state
on: h_t = h_{t-1} where s_t = 0.

Backward, given dL/dh_t for every t (``d_hidden``) and dL/dh_T carried in (``d_h_last``),
for t = T..1::

    dh_t     = d_hidden_t + dh_next                   dh_next = d_h_last at t = T
    da_t     = dh_t ⊙ φ'(h_t)                         the pre-activation's gradient
    dh_next  = da_t Uᵀ                                ((da_t Uᵀ) ⊙ m with a mask)

and at a step not read the gradient passes through: da_t = 0, dh_next = dh_t. After the
loop, as products over all B·T rows (BLAS, in both twins)::

    dW = Σ_t x_tᵀ da_t      dU = Σ_t h_{t-1}ᵀ da_t  (Σ_t (h_{t-1} ⊙ m)ᵀ da_t)
    db = Σ_t Σ_batch da_t   dx_t = da_t Wᵀ          dh_0 = dh_next

``go_backwards=True`` reads the input from the last step to the first; like Keras, the
returned sequence is then in that reversed (processing) order.

The twins: ``forward_reference`` / ``backward_reference``, below, NumPy over the batch with a
Python loop over time; ``forward_numba`` / ``backward_numba`` (``simple_rnn_numba``) run the
time loop jitted (φ by ``recurrent_activations``' scalar forms: tanh in float32 by
``fast_math``'s rational form, in float64 exactly), its
recurrent products by hand loops or, for large shapes, BLAS. ``forward`` / ``backward`` call
the twin of the backend in use.
"""
from .backend import dispatch
from .recurrent_activations import reference
from .recurrent_common import backward_start
from .reference_math import where_read
from .simple_rnn_common import SimpleRNNCache, forward_start, parameter_gradients
from .simple_rnn_numba import backward_numba, forward_numba

__all__ = ["SimpleRNNCache", "backward", "backward_numba", "backward_reference", "forward",
           "forward_numba", "forward_reference"]


def forward_reference(x, kernel, recurrent_kernel, bias, h0=None, go_backwards=False,
                      recurrent_mask=None, step_mask=None, activation="tanh"):
    """The simple RNN over whole sequences, NumPy reference (see the module docstring).

    Returns ``hidden (B, T, H)``, ``h_T (B, H)`` and the cache for ``backward_reference``.
    ``recurrent_mask (B, H)``: m on h_{t-1} (None: none); ``step_mask (B, T)``: the steps
    each sequence reads (None: all), in the input's order; ``activation``: φ's name.
    """
    cache, p = forward_start(x, kernel, recurrent_kernel, bias, h0, go_backwards,
                             recurrent_mask, step_mask, activation)          # p (B, T, H)
    mask, reads = cache.recurrent_mask, cache.step_mask                      # or None
    phi, _ = reference(cache.activation)
    h = cache.h0                                                             # (B, H)
    for t in range(p.shape[1]):
        recurrent_input = h if mask is None else h * mask                    # (B, H)
        h_new = phi(p[:, t] + recurrent_input @ cache.recurrent_kernel)      # (B, H)
        h = where_read(reads, t, h_new, h)                 # (B, H) unread: state carried on
        cache.hidden[:, t] = h
    return cache.hidden, h, cache


def backward_reference(d_hidden, d_h_last, cache, out=None, input_gradient=True,
                       initial_state_gradient=True):
    """BPTT, NumPy reference (see the module docstring).

    ``d_hidden (B, T, H)``: dL/dh_t for every step in processing order; ``d_h_last (B, H)``:
    carried in for the final state; either may be None for zeros. Returns ``d_x, d_kernel,
    d_recurrent_kernel, d_bias, d_h0``; ``out``: optional arrays to write ``d_kernel,
    d_recurrent_kernel, d_bias`` into; ``d_x`` is None without ``input_gradient`` and
    ``d_h0`` None without ``initial_state_gradient``.
    """
    d_hidden, dh_next, d_a = backward_start(d_hidden, d_h_last, cache,
                                            cache.hidden.shape[2])
    reads = cache.step_mask                                                  # (B, T) or None
    _, phi_slope = reference(cache.activation)
    for t in reversed(range(cache.hidden.shape[1])):
        dh = d_hidden[:, t] + dh_next                                        # (B, H)
        h = cache.hidden[:, t]                                               # (B, H)
        d_a[:, t] = where_read(reads, t, dh * phi_slope(h), 0.0)   # (B, H) unread: none, and
        dh_next = d_a[:, t] @ cache.recurrent_kernel.T                       # (B, H)
        if cache.recurrent_mask is not None:
            dh_next *= cache.recurrent_mask                                  # (B, H)
        dh_next = where_read(reads, t, dh_next, dh)        # (B, H) the gradient passes through
    return parameter_gradients(d_a, cache, out, input_gradient) + (
        dh_next if initial_state_gradient else None,)


forward = dispatch(forward_reference, forward_numba)
backward = dispatch(backward_reference, backward_numba)
