r"""Input rows of two special forms, which an LSTM's x W and dW need not multiply out.

**One-hot rows.** A row that is zero but for a single 1 at column k selects row k of the
matrix it multiplies, and adds into row k alone of a weight gradient. For rows (R, I)
each one-hot (rows[r] = e_{k_r}) or all zero (k_r = -1 here)::

    rows @ matrix     (R, J):  row r is matrix[k_r]                 (zeros where k_r = -1)
    rowsᵀ @ right     (I, J):  row k is Σ_{r: k_r = k} right[r]      (zeros where no k_r = k)

The NumPy twins are those two products as written (``rows @ matrix``, ``rows.T @ right``);
the functions here reach the same numbers without the R·I·J multiply-adds by the zeros:
a copy of R rows and a sum of R rows, against the products' R·I. ``hot_columns(rows)``
gives the k_r, or None as soon as a row is anything else. The Keras tutorials feed their
characters and integers one-hot encoded.

**A sequence that repeats its first step** (``repeats_first_step``), as ``RepeatVector``
makes the input of an encoder–decoder's decoder: with x_t = x_1 for every t::

    x_t W = x_1 W                  Σ_t x_tᵀ dz_t = x_1ᵀ (Σ_t dz_t)

one row of each sequence multiplied instead of T.

``lstm.forward_numba`` checks its input for both (``lstm_numba._projection_of_rows``), and
``attentive_lstm.forward_numba`` for one-hot rows (``rows_times``); each check stops at
the first value that rules its form out.
"""
import numpy as np

from .jitting import kernel_jit


def hot_columns(rows):
    """k_r for every row of ``rows (R, I)`` when each is one-hot or zero, as int64 ``(R,)``
    with -1 for a zero row; None when any row is not. The scan stops at the first value
    other than 0 or 1: the first element for most data that is not one-hot, where the
    call costs about 1.5 µs (on this project's machine)."""
    hot = np.empty(rows.shape[0], dtype=np.int64)                       # (R,)
    return hot if _find_hot_columns(np.ascontiguousarray(rows), hot) else None


def rows_times(rows, matrix, times):
    """rows @ matrix, and the columns of ``rows`` when one-hot (``hot_columns``, else None):
    for those, the matrix's rows gathered (``hot_rows_times_matrix``); for others the
    product ``times(rows, matrix)``."""
    hot = hot_columns(rows)
    if hot is None:
        return times(rows, matrix), None                                # (R, J)
    product = np.empty((rows.shape[0], matrix.shape[1]),
                       dtype=np.promote_types(rows.dtype, matrix.dtype))  # (R, J)
    hot_rows_times_matrix(hot, np.ascontiguousarray(matrix), product)
    return product, hot


def rows_transposed_times(rows, hot, right, out=None):
    """rowsᵀ @ right (into ``out`` when given): a BLAS product, or, where ``hot`` holds the
    columns of one-hot rows (``rows_times``), ``hot_rows_transposed_times``."""
    if hot is None:
        return np.matmul(rows.T, right, out=out)                        # (I, J)
    if out is None:
        out = np.empty((rows.shape[1], right.shape[1]), dtype=right.dtype)  # (I, J)
    hot_rows_transposed_times(hot, right, out)
    return out


@kernel_jit()
def _find_hot_columns(rows, hot):
    """Fills ``hot`` with the k_r of the module docstring; False at the first row that is
    neither one-hot nor zero (NaN, any other value, a second 1)."""
    for r in range(rows.shape[0]):
        column = -1
        for k in range(rows.shape[1]):
            value = rows[r, k]
            if value != 0:
                if value != 1 or column >= 0:
                    return False
                column = k
        hot[r] = column
    return True


@kernel_jit()
def hot_rows_times_matrix(hot, matrix, out):
    """out (R, J) = rows @ matrix for the one-hot rows whose columns are ``hot (R,)``:
    out[r] = matrix[hot[r]], or zeros where hot[r] = -1; overwrites ``out``."""
    for r in range(hot.shape[0]):
        out_r, k = out[r], hot[r]                                       # (J,)
        if k < 0:
            for j in range(out_r.shape[0]):
                out_r[j] = 0.0
        else:
            matrix_k = matrix[k]                                        # (J,)
            for j in range(out_r.shape[0]):
                out_r[j] = matrix_k[j]


@kernel_jit()
def hot_rows_transposed_times(hot, right, out):
    """out (I, J) = rowsᵀ @ right for the one-hot rows whose columns are ``hot (R,)``: the
    rows of ``right (R, J)`` summed, in order, into the rows of ``out`` they select;
    overwrites ``out``."""
    out[:] = 0.0
    for r in range(hot.shape[0]):
        k = hot[r]
        if k >= 0:
            out_k, right_r = out[k], right[r]                           # (J,)
            for j in range(out_k.shape[0]):
                out_k[j] += right_r[j]


@kernel_jit()
def repeats_first_step(x):
    """Whether x_t = x_1 for every step of every sequence of ``x (B, T, I)`` (False for a
    single step: nothing to save); stops at the first value that differs."""
    if x.shape[1] < 2:
        return False
    for b in range(x.shape[0]):
        for t in range(1, x.shape[1]):
            for k in range(x.shape[2]):
                if x[b, t, k] != x[b, 0, k]:
                    return False
    return True
