"""What the recurrent kernels of one state share (``gru``, ``simple_rnn``): the start of a
backward pass, the last state, and the choice of route for the Numba twins' recurrent
products. (The checks at their entry are ``shapes``', the order of the steps
``lstm_common.in_processing_order``, the states h_{t-1} that the recurrent kernel's
gradient pairs with ``lstm_common.previous_states``.)"""
import numpy as np

from .lstm_routes import blas_pays
from .vector_products import given_or_zeros, zeros_or_copy


def contiguous(array):
    """``array`` C-contiguous, or None."""
    return None if array is None else np.ascontiguousarray(array)


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
