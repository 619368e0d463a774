"""What both LSTM twins share (``lstm``): the cache the forward pass keeps for the backward
pass, the start of each pass, and the products over all B·T rows after the backward time
loop as BLAS forms them: dW, dU, db and the input's gradient, in the NumPy twin always and
in the Numba twin for large shapes (``lstm_routes``)."""
import functools
from typing import NamedTuple, Optional

import numpy as np

from .input_rows import rows_transposed_times
from .recurrent_activations import checked
from .shapes import require_one_float_dtype, require_shape
from .vector_products import given_or_zeros, gradient_arrays, zeros_or_copy


class LSTMCache(NamedTuple):
    """What the forward pass keeps for the backward pass."""

    x: np.ndarray               # (B, T, I) input, in processing order
    h0: np.ndarray              # (B, H)
    c0: np.ndarray              # (B, H)
    gates: np.ndarray           # (B, T, 4H) activated i, f, g, o
    cells: np.ndarray           # (B, T, H) c_t
    activated_cells: np.ndarray  # (B, T, H) φ(c_t), tanh(c_t) by default
    hidden: np.ndarray          # (B, T, H) h_t
    kernel: np.ndarray          # (I, 4H)
    recurrent_kernel: np.ndarray  # (H, 4H)
    go_backwards: bool
    repeated: bool = False      # x_t = x_1 at every step (the Numba twin's check)
    hot: Optional[np.ndarray] = None  # the columns of x's distinct rows when one-hot (Numba)
    zero_start: bool = False    # h_0 = 0, not given: its products skipped (the Numba twin)
    recurrent_mask: Optional[np.ndarray] = None  # (B, H) m on h_{t-1} in the recurrence
    step_mask: Optional[np.ndarray] = None  # (B, T) bool: steps read, in processing order
    activation: str = "tanh"            # φ, on g_t and c_t (``recurrent_activations``)
    recurrent_activation: str = "sigmoid"   # σ, on the gates i, f, o


def input_and_initial_state(x, kernel, recurrent_kernel, bias, h0, c0, go_backwards,
                            recurrent_mask=None, step_mask=None):
    """The arguments checked against the shapes the time loops index (``shapes``); the
    input reversed if asked; the initial states as C-contiguous arrays, zeros where they
    are not given; the recurrent mask (recurrent dropout's) as a C-contiguous array, or None;
    the step mask as a C-contiguous array of booleans, in the order the steps are read
    (reversed with the input), or None."""
    _check_forward(x, kernel, recurrent_kernel, bias, h0, c0, recurrent_mask)
    batch, units = x.shape[0], recurrent_kernel.shape[0]
    x, step_mask = in_processing_order(x, step_mask, go_backwards)
    h0 = np.zeros((batch, units), dtype=x.dtype) if h0 is None else np.ascontiguousarray(h0)
    c0 = np.zeros((batch, units), dtype=x.dtype) if c0 is None else np.ascontiguousarray(c0)
    if recurrent_mask is not None:
        recurrent_mask = np.ascontiguousarray(recurrent_mask)
    return x, h0, c0, recurrent_mask, step_mask


def checked_activations(activation, recurrent_activation):
    """The names of φ and σ (``recurrent_activations``), or a ValueError naming the one
    not taken."""
    return checked("activation", activation), checked("recurrent_activation",
                                                      recurrent_activation)


def in_processing_order(x, step_mask, go_backwards):
    """x and the step mask (as C-contiguous booleans ``(B, T)``, or None) in the order the
    time loop reads the steps: reversed, x into a new C-contiguous array, when the input is
    read backwards (every recurrent kernel's: the LSTM's, the GRU's, the simple RNN's)."""
    if step_mask is not None:
        step_mask = require_shape("step_mask", np.asarray(step_mask), x.shape[:2]) != 0
        step_mask = np.ascontiguousarray(step_mask[:, ::-1] if go_backwards else step_mask)
    if go_backwards:
        x = np.ascontiguousarray(x[:, ::-1])
    return x, step_mask


def _check_forward(x, kernel, recurrent_kernel, bias, h0, c0, recurrent_mask):
    """x (B, T, I), W (I, 4H), U (H, 4H), b (4H,) and the given states and mask (B, H), H
    from U; all of one float dtype."""
    require_one_float_dtype(("x", "kernel", "recurrent_kernel", "bias", "h0", "c0",
                             "recurrent_mask"),
                            (x, kernel, recurrent_kernel, bias,     # x for an array not given
                             x if h0 is None else h0, x if c0 is None else c0,
                             x if recurrent_mask is None else recurrent_mask))
    if x.ndim != 3:
        raise ValueError(f"x must have shape (batch, steps, features); got {x.shape}")
    batch, _, features = x.shape
    units = recurrent_kernel.shape[0] if recurrent_kernel.ndim else 0
    require_shape("recurrent_kernel", recurrent_kernel, (units, 4 * units))
    require_shape("kernel", kernel, (features, 4 * units))
    require_shape("bias", bias, (4 * units,))
    for name, array in (("h0", h0), ("c0", c0), ("recurrent_mask", recurrent_mask)):
        if array is not None:
            require_shape(name, array, (batch, units))


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


def as_rows(array):
    """(B, T, X) -> (B·T, X), a view."""
    return array.reshape(array.shape[0] * array.shape[1], array.shape[2])


def weight_gradients(d_z_rows, cache, out=None, d_z_summed=None):
    """dW, dU and db as BLAS products over all B·T rows.

    ``out``: optional arrays ``(dW, dU, db)`` to write the weight gradients into (any may
    be None: a new array is returned for it). ``d_z_summed``: see ``distinct_rows``.
    """
    out_kernel, out_recurrent, out_bias = gradient_arrays(
        out, (cache.kernel.shape, cache.recurrent_kernel.shape, cache.kernel.shape[1:]),
        ("dW", "dU", "db"), d_z_rows.dtype)
    d_kernel = _kernel_gradient(d_z_rows, cache, out_kernel, d_z_summed)  # (I, 4H)
    previous = previous_hidden_rows(cache)                              # (B·T, H)
    d_recurrent_kernel = np.matmul(previous.T, d_z_rows, out=out_recurrent)  # (H, 4H)
    d_bias = column_sums(d_z_rows, out_bias)                            # (4H,)
    return d_kernel, d_recurrent_kernel, d_bias


def _kernel_gradient(d_z_rows, cache, out=None, d_z_summed=None):
    """dW = Σ_t x_tᵀ dz_t as a BLAS product over x's distinct rows (``distinct_rows``);
    from one-hot rows (``cache.hot``) as dz's rows summed into the rows of W they select.
    Only the Numba twin's cache records either form."""
    x_rows, x_d_z_rows = distinct_rows(cache, d_z_rows, d_z_summed)     # (R, I), (R, 4H)
    return rows_transposed_times(x_rows, cache.hot, x_d_z_rows, out)     # (I, 4H)


def distinct_rows(cache, d_z_rows, d_z_summed):
    """x's rows for dW = Σ x_rowᵀ dz_row, with the rows of dz each pairs with: all B·T of
    each, or, for an input that repeats its first step (``cache.repeated``, the Numba
    twin's), x_1's B rows with Σ_t dz_t, ``d_z_summed (B, 4H)`` (``input_rows``)."""
    if not cache.repeated:
        return np.ascontiguousarray(as_rows(cache.x)), d_z_rows         # (B·T, I), (B·T, 4H)
    return np.ascontiguousarray(cache.x[:, 0]), d_z_summed               # (B, I), (B, 4H)


def previous_states(cache):
    """h_{t-1} for every step, ``(B, T, H)``: h_0, then h_1 .. h_{T-1}, a new array; no
    steps for sequences of none (h_0 is no step's h_{t-1}). Every recurrent kernel's cache
    has ``h0`` and ``hidden``."""
    steps = cache.hidden.shape[1]
    return np.concatenate([cache.h0[:, None, :], cache.hidden[:, :-1]], axis=1)[:, :steps]


def previous_hidden_rows(cache):
    """h_{t-1} for every step as rows (B·T, H), h_0 first in each sequence: the rows that
    dU = Σ_t h_{t-1}ᵀ dz_t pairs with d_z's, for the BLAS product; with a recurrent mask m
    ``(B, H)`` (the LSTM's, the simple RNN's), h_{t-1} ⊙ m, what the recurrence multiplied U
    by. For h_0 = 0 not given
    (``cache.zero_start``) the first step's pairs are zero; the few-row loops leave them out
    (``lstm_gradient_loops``), this product keeps them: leaving them out meant copying d_z's
    other rows into a new array, 5 MB at (64, 20, 30, 256), which cost about what the zero
    pairs' 1/20 of the product did, and more where its pages were faulted in afresh at each
    call (the pass 1.00x and 1.02x as fast with the pairs kept, ``benchmarks/
    bench_revisions.py --rounds 40``, on an AMD EPYC of family 25)."""
    previous = previous_states(cache)                                   # (B, T, H)
    if cache.recurrent_mask is not None:                                # h_{t-1} ⊙ m
        previous *= cache.recurrent_mask[:, None, :]                    # (B, T, H)
    return as_rows(previous)                                            # (B·T, H)


SUMMED_OVER_STEPS = "summed over steps"   # backward's input_gradient for Σ_t dx_t alone


def asked_input_gradient(d_z, cache, times_transposed, input_gradient, d_z_summed=None):
    """What ``input_gradient`` asks for, ``times_transposed(rows, W)`` multiplying: for True,
    dx_t = dz_t Wᵀ for every step (B, T, I), in the caller's order of steps when the input
    was read backwards; for ``SUMMED_OVER_STEPS``, Σ_t dx_t = (Σ_t dz_t) Wᵀ (B, I), with
    Σ_t dz_t ``d_z_summed`` when the caller has it; for False, None (neither product made)."""
    if dx_summed(input_gradient):
        if d_z_summed is None:
            d_z_summed = d_z.sum(axis=1)                                 # (B, 4H)
        return times_transposed(d_z_summed, cache.kernel)                # (B, I)
    if not input_gradient:
        return None
    d_x = times_transposed(as_rows(d_z), cache.kernel)                  # (B·T, I)
    return in_callers_order(d_x.reshape(cache.x.shape), cache)          # (B, T, I)


def dx_summed(input_gradient):
    """Whether backward's ``input_gradient`` asks for Σ_t dx_t alone (``SUMMED_OVER_STEPS``,
    the one string ``backward_start`` lets through)."""
    return isinstance(input_gradient, str)


def dx_per_step(input_gradient):
    """Whether backward's ``input_gradient`` asks for dx at every step: True, not
    ``SUMMED_OVER_STEPS`` (one product of B rows) or False (none)."""
    return not dx_summed(input_gradient) and bool(input_gradient)


def in_callers_order(d_x, cache):
    """dx as the caller gave x: its steps reversed again when the input was read backwards."""
    return np.ascontiguousarray(d_x[:, ::-1]) if cache.go_backwards else d_x


def initial_state_gradients(dh_next, dc_next, initial_state_gradient):
    """(dh_0, dc_0) as the time loop left them, or (None, None) when not asked for."""
    return (dh_next, dc_next) if initial_state_gradient else (None, None)


def backward_start(d_hidden, d_h_last, d_c_last, cache, input_gradient):
    """What both twins' time loops start from: dL/dh_t (zeros for None), dh_next and dc_next
    (new arrays the loop overwrites, zeros for None) and d_z, to be filled; an
    ``input_gradient`` that is a string other than ``SUMMED_OVER_STEPS`` is an error
    naming it, before any gradient is written."""
    if isinstance(input_gradient, str) and input_gradient != SUMMED_OVER_STEPS:
        raise ValueError(f"input_gradient must be True, False or {SUMMED_OVER_STEPS!r}; "
                         f"got {input_gradient!r}")
    batch, steps, units = cache.hidden.shape
    dtype = cache.hidden.dtype
    return (given_or_zeros("d_hidden", d_hidden, (batch, steps, units), dtype),  # (B, T, H)
            zeros_or_copy("d_h_last", d_h_last, (batch, units), dtype),          # (B, H)
            zeros_or_copy("d_c_last", d_c_last, (batch, units), dtype),          # (B, H)
            np.empty((batch, steps, 4 * units), dtype=dtype))             # (B, T, 4H)
