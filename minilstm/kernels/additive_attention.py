r"""Additive (Bahdanau) attention, one decoder step over a memory: forward and backward,
two twins. The step both attention kernels take (``attention``'s decoder, whose memory is
the encoder outputs h and whose query is s_{t-1} W_a; ``attentive_lstm``'s, h_{t-1} W2).

Notation. Memory M (B, T_in, D); its projection P (B, T_in, A), taken once per sequence
by the caller; the step's query q (B, A); the scoring vector v (A,)::

    E_j = tanh(P_j + q)                 (B, T_in, A)
    a   = softmax_j(E_j · v)            (B, T_in)      attention weights
    c   = Σ_j a_j M_j                   (B, D)         context

Backward, from dL/dc and dL/da (the latter given directly when the weights are an output
of the layer; zeros otherwise)::

    da_j   = dc · M_j + dL/da_j         dM_j += a_j dc
    de     = a ⊙ (da - Σ_j a_j da_j)
    dv    += Σ_j de_j E_j
    dpre_j = de_j v ⊙ (1 - E_j²)        dP_j += dpre_j          dq = Σ_j dpre_j

Both twins take the step index t and the caller's per-step arrays, energies
(B, T_out, T_in, A), attention (B, T_out, T_in), contexts (B, T_out, D) and, backwards,
dL/da (B, T_out, T_in) and dq (B, T_out, A), and read or write step t of them; dM, dP
and dv accumulate in place.

The Numba twin (``attend``, ``attend_backward``) takes one sequence at a time
(``attend_sequence``, ``attend_backward_sequence``, which the attention decoder's own
jitted step loops call too), every array C-contiguous, in one pass over each sequence's
(T_in, A) block. The NumPy twin makes (B, T_in, A) temporaries instead (1.3 MB each at
(64, 20, 256)), and NumPy's float32 tanh costs about 6 ns an element on this project's
machine. The per-sequence functions are inlined by Numba into their callers
(``inline="always"``): called as functions of their own, once per sequence, the backward
step took about 1.1x as long at the translation model's (64, 20, 256, 32) (ad-hoc
timings). An inlined function's loops are compiled with its caller's ``fastmath`` flags,
so every caller reassociates; the jitted sums (the energies E_j · v, the dot products
dc · M_j) are then taken in another order, and the twins agree to rounding, not bit for
bit.
"""
import numpy as np

from .fast_math import one_minus, softmax_in_place, tanh, zero_for
from .jitting import kernel_jit
from .reference_math import softmax
from .vector_products import add_vector_times_matrix

# ---------------------------------------------------------------- NumPy twin


def attend_reference(memory, projected, query, v, t, energies, attention, contexts):
    """Step t for the batch: fills ``energies[:, t]``, ``attention[:, t]``, ``contexts[:, t]``."""
    E = np.tanh(projected + query[:, None, :])                   # (B, T_in, A)
    a = softmax(E @ v)                                           # (B, T_in)
    energies[:, t], attention[:, t] = E, a
    contexts[:, t] = np.einsum("bj,bjd->bd", a, memory)          # (B, D)


def attend_backward_reference(memory, v, t, energies, attention, d_context, d_attention,
                              d_memory, d_projected, d_v, d_query):
    """Step t backwards from ``d_context (B, D)`` and ``d_attention[:, t]``: accumulates
    into ``d_memory``, ``d_projected``, ``d_v``; writes ``d_query[:, t]``."""
    a, E = attention[:, t], energies[:, t]                       # (B, T_in), (B, T_in, A)
    da = np.einsum("bd,bjd->bj", d_context, memory) + d_attention[:, t]   # (B, T_in)
    d_memory += a[:, :, None] * d_context[:, None, :]            # (B, T_in, D)
    de = a * (da - (a * da).sum(axis=-1, keepdims=True))         # (B, T_in)
    d_v += np.einsum("bj,bja->a", de, E)                         # (A,)
    d_pre = de[:, :, None] * v * (1.0 - E * E)                   # (B, T_in, A)
    d_projected += d_pre
    d_query[:, t] = d_pre.sum(axis=1)                            # (B, A)


# ---------------------------------------------------------------- Numba twin

@kernel_jit(fastmath={"reassoc"}, inline="always")
def attend_sequence(memory, projected, query, v, energies, attention, context):
    """One sequence's step: from ``memory (T_in, D)``, ``projected (T_in, A)`` and
    ``query (A,)``, fills ``energies (T_in, A)``, ``attention (T_in,)``, ``context (D,)``."""
    steps_in, units = projected.shape
    for j in range(steps_in):
        energy = zero_for(energies)
        for k in range(units):
            E = tanh(projected[j, k] + query[k])
            energies[j, k] = E
            energy += E * v[k]
        attention[j] = energy
    softmax_in_place(attention)
    context[:] = 0.0
    add_vector_times_matrix(attention, memory, context)         # Σ_j a_j M_j


@kernel_jit(fastmath={"reassoc"}, inline="always")
def attend_backward_sequence(memory, v, energies, attention, d_context, d_attention, da,
                             d_memory, d_projected, d_v, d_query):
    """One sequence's step backwards (``da (T_in,)`` is scratch): accumulates into
    ``d_memory (T_in, D)``, ``d_projected (T_in, A)``, ``d_v (A,)``; overwrites
    ``d_query (A,)``."""
    steps_in, units = d_projected.shape
    weighted = zero_for(d_memory)
    for j in range(steps_in):
        total = d_attention[j]
        a_j, row, d_row = attention[j], memory[j], d_memory[j]   # (D,) rows
        for d in range(d_context.shape[0]):
            total += d_context[d] * row[d]                       # da_j = dc · M_j
            d_row[d] += a_j * d_context[d]                       # dM_j += a_j dc
        da[j] = total
        weighted += a_j * total
    for k in range(units):
        d_query[k] = 0.0
    for j in range(steps_in):
        de = attention[j] * (da[j] - weighted)
        for k in range(units):
            E = energies[j, k]
            d_v[k] += de * E
            d_pre = de * v[k] * one_minus(E * E)
            d_projected[j, k] += d_pre
            d_query[k] += d_pre


@kernel_jit(fastmath={"reassoc"})
def attend(memory, projected, query, v, t, energies, attention, contexts):
    """``attend_reference``'s contract, a sequence at a time."""
    for b in range(memory.shape[0]):
        attend_sequence(memory[b], projected[b], query[b], v, energies[b, t], attention[b, t],
                        contexts[b, t])


@kernel_jit(fastmath={"reassoc"})
def attend_backward(memory, v, t, energies, attention, d_context, d_attention, d_memory,
                    d_projected, d_v, d_query):
    """``attend_backward_reference``'s contract, a sequence at a time."""
    da = np.empty(attention.shape[2], memory.dtype)               # (T_in,) scratch
    for b in range(memory.shape[0]):
        attend_backward_sequence(memory[b], v, energies[b, t], attention[b, t], d_context[b],
                                 d_attention[b, t], da, d_memory[b], d_projected[b], d_v,
                                 d_query[b, t])
