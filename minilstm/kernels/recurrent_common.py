"""What the recurrent kernels of one state share (``gru``, ``simple_rnn``): the checks and
the order of the steps at the entry of a forward pass, the start of a backward pass, the
states h_{t-1} that the recurrent kernel's gradient pairs with, and the choice of route for
the Numba twins' recurrent products."""
import numpy as np

from .lstm_routes import blas_pays
from .shapes import require_one_float_dtype, require_shape
from .vector_products import given_or_zeros, zeros_or_copy


def check_dtypes_and_rank(x, named_arrays):
    """Every array of ``named_arrays`` (``(name, array or None)`` pairs, None: not given) of
    one float dtype, and x ``(B, T, I)``; else an error naming the array."""
    given = [(name, array) for name, array in named_arrays if array is not None]
    require_one_float_dtype([name for name, _ in given], [array for _, array in given])
    if x.ndim != 3:
        raise ValueError(f"x must have shape (batch, steps, features); got {x.shape}")


def check_shapes(named_shapes):
    """Each given array of ``named_shapes`` (``(name, array or None, shape)``) of its shape;
    else a ValueError naming it."""
    for name, array, shape in named_shapes:
        if array is not None:
            require_shape(name, array, shape)


def in_processing_order(x, step_mask, go_backwards):
    """x ``(B, T, I)`` C-contiguous and the step mask as booleans ``(B, T)`` (or None),
    both with their steps reversed when the input is read backwards."""
    reads = None
    if step_mask is not None:
        reads = require_shape("step_mask", np.asarray(step_mask), x.shape[:2]) != 0
        reads = np.ascontiguousarray(reads[:, ::-1] if go_backwards else reads)  # (B, T)
    return np.ascontiguousarray(x[:, ::-1] if go_backwards else x), reads


def initial_state(h0, batch, units, dtype):
    """h0 C-contiguous, or zeros ``(B, H)`` when not given."""
    return given_or_zeros("h0", h0, (batch, units), dtype)


def contiguous(array):
    """``array`` C-contiguous, or None."""
    return None if array is None else np.ascontiguousarray(array)


def previous_states(cache):
    """h_{t-1} for every step, ``(B, T, H)``: h_0, then h_1 .. h_{T-1}."""
    return np.concatenate([cache.h0[:, None], cache.hidden[:, :-1]], axis=1)


def last_state(cache):
    """h_T ``(B, H)``, a new array (h_0 for sequences of no steps): the Numba twins'."""
    steps = cache.hidden.shape[1]
    return cache.hidden[:, -1].copy() if steps else cache.h0.copy()


def backward_start(d_hidden, d_h_last, cache, *widths):
    """What both twins' backward loops start from: dL/dh_t (zeros for None), dh_next (a new
    array the loop overwrites, zeros for None), and for each of ``widths`` an array
    ``(B, T, width)`` of gradients to be filled."""
    batch, steps, units = cache.hidden.shape
    dtype = cache.hidden.dtype
    return (given_or_zeros("d_hidden", d_hidden, (batch, steps, units), dtype),  # (B, T, H)
            zeros_or_copy("d_h_last", d_h_last, (batch, units), dtype),          # (B, H)
            *(np.empty((batch, steps, width), dtype=dtype) for width in widths))


def blas_route(blas, batch, units):
    """Whether a Numba twin forms its recurrent products through BLAS: ``blas`` as given
    (True: BLAS, False: hand loops), or when None as the shape chooses (the LSTM's limit,
    ``lstm_routes.blas_pays``)."""
    return blas_pays(batch, units) if blas is None else blas
