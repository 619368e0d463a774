"""The kernel steps the benchmarks time: one forward + backward pass of the LSTM kernel,
the GRU's and the simple RNN's, and the attention decoder on random data, at the tutorials'
shapes.

``lstm_step``, ``one_state_step`` and ``attention_step`` take the twin to time (its forward
and backward functions) and return a callable that runs one pass; ``attention_step`` also
takes the weights tuple of the kernel module it times (``AttentionWeights``).

Each pass writes its weight gradients into the same arrays (``backward(out=...)``), as a
layer's backward pass writes them into the layer's gradient arrays in a training step.
Fresh gradient arrays at every pass timed the allocator as well: once the process had
run another shape first, glibc handed the attention decoder's 21 new arrays back to the
system after each pass and faulted them in again at the next (about 150 page faults a
pass at (1, 5, 150, 150, 50)), and that pass took twice as long as in a process that had
not (on an AMD EPYC of family 25, 2026-11-24, ad hoc).
"""
import numpy as np

from minilstm.kernels import attention

LSTM_SHAPES = [(1, 5, 50, 150), (1, 50, 1, 20), (10, 50, 1, 20), (10, 5, 12, 100),
               (64, 20, 30, 256)]
# (B, T, D, n, K): batch, input steps = output steps, encoder features, units, classes
ATTENTION_SHAPES = [(1, 5, 150, 150, 50), (10, 5, 150, 150, 50), (64, 20, 256, 256, 64)]


def lstm_arrays(batch, steps, features, units, dtype, rng):
    """Random ``x, kernel, recurrent_kernel, bias, d_hidden`` for one LSTM pass."""
    x = rng.standard_normal((batch, steps, features)).astype(dtype)
    kernel = (0.1 * rng.standard_normal((features, 4 * units))).astype(dtype)
    recurrent = (0.1 * rng.standard_normal((units, 4 * units))).astype(dtype)
    bias = np.zeros(4 * units, dtype=dtype)
    d_hidden = rng.standard_normal((batch, steps, units)).astype(dtype)
    return x, kernel, recurrent, bias, d_hidden


def lstm_step(forward, backward, batch, steps, features, units, dtype, rng, recurrent_mask=None,
              **path):
    """One forward + backward pass; ``recurrent_mask`` (B, H), when given, to forward alone
    (an older revision's kernel, ``bench_revisions``, takes none), ``path`` (the Numba twin's
    route arguments) to both."""
    x, kernel, recurrent, bias, d_hidden = lstm_arrays(batch, steps, features, units, dtype,
                                                       rng)
    gradients = tuple(np.empty_like(weight) for weight in (kernel, recurrent, bias))
    masked = {} if recurrent_mask is None else {"recurrent_mask": recurrent_mask}

    def step():
        *_, cache = forward(x, kernel, recurrent, bias, **masked, **path)
        backward(d_hidden, None, None, cache, out=gradients, **path)
    return step


def one_state_step(forward, backward, batch, steps, features, units, dtype, rng, gates=3):
    """One forward + backward pass of a twin of a recurrent kernel of one state, the GRU's
    (``kernels/gru.py``, ``gates=3``, its two biases) or the simple RNN's
    (``kernels/simple_rnn.py``, ``gates=1``), its weights as the LSTM's are drawn, that
    many gates wide."""
    x, kernel, recurrent, _, d_hidden = lstm_arrays(batch, steps, features, units, dtype, rng)
    kernel = kernel[:, :gates * units].copy()
    recurrent = recurrent[:, :gates * units].copy()
    bias = np.zeros((2, 3 * units) if gates == 3 else (units,), dtype=dtype)
    gradients = tuple(np.empty_like(weight) for weight in (kernel, recurrent, bias))

    def step():
        *_, cache = forward(x, kernel, recurrent, bias)
        backward(d_hidden, None, cache, out=gradients)
    return step


def attention_step(forward, backward, batch, steps, features, units, classes, dtype, rng,
                   weights_type=attention.AttentionWeights):
    h = rng.standard_normal((batch, steps, features)).astype(dtype)
    shapes = {"V_a": (units,), "W_a": (units, units), "U_a": (features, units),
              "b_a": (units,), "C_o": (features, classes), "U_o": (units, classes),
              "W_o": (classes, classes), "b_o": (classes,), "W_s": (features, units)}
    for gate in "rzp":
        shapes.update({f"C_{gate}": (features, units), f"U_{gate}": (units, units),
                       f"W_{gate}": (classes, units), f"b_{gate}": (units,)})
    weights = weights_type(**{
        name: (0.1 * rng.standard_normal(shape)).astype(dtype) for name, shape in shapes.items()})
    d_outputs = rng.standard_normal((batch, steps, classes)).astype(dtype)
    gradients = weights_type(*map(np.empty_like, weights))

    def step():
        *_, cache = forward(h, weights, steps)
        backward(cache, d_outputs=d_outputs, out=gradients)
    return step
