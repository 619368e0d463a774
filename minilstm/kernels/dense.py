r"""The Dense layer's affine map and its backward pass: two twins each.

Over the rows of ``x`` (every leading index is a row: R rows of I features), with the
gradient dz of the loss with respect to z coming back::

    forward     z = x W + b                     x (R, I), W (I, U), b (U,)
    backward    dW = xᵀ dz     db = Σ_r dz_r     dx = dz Wᵀ

The NumPy twin makes each product one BLAS call over all the rows (``flat_rows_product``).
The Numba twin does the same for large products; for small ones (``loops_pay``: the
tutorials' output layers at a batch of 1 or 10 samples) each pass is one jitted call of
plain loops. There the arithmetic is a few thousand multiply-adds, and what took the time
was the NumPy calls around it (an allocation, a product, an addition, a reduction, each a
Python call into NumPy), run each training step right after the LSTM time loops had pushed
the interpreter's own code and data out of the caches: inside the damped-sine recipe the
layer's forward and backward took about 20 and 30 µs a step, about three times their time
in a loop of their own (ad-hoc timings on this project's machine).
"""
import numpy as np

from .backend import dispatch
from .fast_math import zero_for
from .jitting import kernel_jit
from .vector_products import flat_rows_product, gradient_arrays

LOOP_MAX_ROWS = 32
LOOP_MAX_MULTIPLY_ADDS = 50_000


def loops_pay(rows, inputs, units):
    """Whether the Numba twin's jitted loops run a pass over ``rows`` rows of ``inputs``
    features into ``units`` rather than BLAS: for up to ``LOOP_MAX_ROWS`` rows and
    ``LOOP_MAX_MULTIPLY_ADDS`` multiply-adds. Measured on this project's machine, forward +
    backward, each in a loop of its own, the loops against the NumPy twin: 0.24x at
    (1, 256, 93) (a translation model's output layer decoding one sequence), 0.40x at
    (32, 20, 5), 0.48x at (20, 50, 12) (the addition tutorial's), 0.72x at (5, 150, 50),
    1.07x at (10, 150, 50) (75,000 multiply-adds), 1.15x at (200, 20, 5) (a cost per row),
    1.5–3.8x from (100, 50, 12) up (ad hoc). Inside a training step they gain more: there
    the NumPy calls run with cold caches."""
    return rows <= LOOP_MAX_ROWS and rows * inputs * units <= LOOP_MAX_MULTIPLY_ADDS


def _check_shapes(x, kernel, bias=None, d_z=None):
    """x (..., I) against W (I, U), b against (U,) and dz against (..., U): a clear error,
    never the loops reading past an array."""
    if kernel.ndim != 2:
        raise ValueError(f"kernel must have shape (inputs, units); got {kernel.shape}")
    if x.ndim < 1 or x.shape[-1] != kernel.shape[0]:
        raise ValueError(f"x must have W's {kernel.shape[0]} input features on its last "
                         f"axis; got shape {x.shape}")
    if bias is not None and bias.shape != kernel.shape[1:]:
        raise ValueError(f"bias must have shape {kernel.shape[1:]}; got {bias.shape}")
    if d_z is not None and d_z.shape != x.shape[:-1] + kernel.shape[1:]:
        raise ValueError(f"d_z must have shape {x.shape[:-1] + kernel.shape[1:]}; "
                         f"got {d_z.shape}")


def _gradient_shapes(kernel):
    """The shapes of dW and db: W's and (U,)."""
    return [kernel.shape, kernel.shape[1:]]


# ---------------------------------------------------------------- NumPy twin

def forward_reference(x, kernel, bias=None):
    """z (..., U) = x (..., I) @ W (I, U) + b (U,); no b when ``bias`` is None."""
    _check_shapes(x, kernel, bias)
    z = flat_rows_product(x, kernel)                                     # (..., U)
    if bias is not None:
        z += bias
    return z


def backward_reference(x, d_z, kernel, out=None, input_gradient=True):
    """``(dx, dW, db)`` from x (..., I) and dz (..., U); dx is None without
    ``input_gradient``. ``out``: a pair of arrays ``(dW, db)`` to write the gradients into
    (either may be None: a new array)."""
    _check_shapes(x, kernel, d_z=d_z)
    d_kernel_out, d_bias_out = gradient_arrays(out, _gradient_shapes(kernel), ("dW", "db"),
                                               np.result_type(x, d_z))
    rows_x = x.reshape(-1, x.shape[-1])                                  # (R, I)
    rows_dz = d_z.reshape(-1, d_z.shape[-1])                             # (R, U)
    d_kernel = np.matmul(rows_x.T, rows_dz, out=d_kernel_out)            # (I, U)
    d_bias = np.add.reduce(rows_dz, axis=0, out=d_bias_out)              # (U,)
    d_x = flat_rows_product(d_z, kernel.T) if input_gradient else None   # (..., I)
    return d_x, d_kernel, d_bias


# ---------------------------------------------------------------- Numba twin
#
# At a few rows the loops cost less than any NumPy call, and a Python statement run right
# after the LSTM time loops costs about three times its time in a loop of its own: inside
# the damped-sine recipe a check of the arrays' shapes, contiguity and dtypes in Python took
# longer than the jitted pass. So the wrappers below only route; the jitted functions check
# the shapes themselves and report a mismatch, which the wrapper then names
# (``_check_shapes``). The loops are plain sums, not ``vector_products``'s: these compile
# in about a quarter and half a second on an empty cache, where a forward pass through
# ``add_rows_times_matrix`` (for argument types no LSTM had compiled it for) took four.

@kernel_jit()
def _forward_rows(x, kernel, bias, z):
    """z_r = b + Σ_k x_rk W_k over the rows of x (R, I) into z (R, U), SIMD over the U
    columns. Returns False, writing nothing, where the shapes do not fit."""
    inputs, units = kernel.shape
    if x.shape[1] != inputs or bias.shape[0] != units:
        return False
    for r in range(z.shape[0]):
        z_r = z[r]                                                       # (U,)
        for j in range(units):
            z_r[j] = bias[j]
        for k in range(inputs):
            x_rk, kernel_k = x[r, k], kernel[k]
            for j in range(units):
                z_r[j] += x_rk * kernel_k[j]
    return True


@kernel_jit(fastmath={"reassoc"})
def _backward_rows(x, d_z, kernel, d_kernel, d_bias, d_x):
    """db = Σ_r dz_r and dW_k = Σ_r x_rk dz_r over the rows of x (R, I) and dz (R, U),
    overwriting ``d_kernel`` and ``d_bias``; dx_rk = dz_r · W_k into the rows of ``d_x``
    when it has any (none: no input gradient). The dot products are summed in any order
    (``reassoc``), so that they run in SIMD: 2.0x faster at the echo tutorial's output
    layer, (2, 50) by (150, 50), on this project's machine (ad hoc). Returns False,
    writing nothing, where the shapes do not fit."""
    rows = x.shape[0]
    inputs, units = kernel.shape
    if x.shape[1] != inputs or d_z.shape[0] != rows or d_z.shape[1] != units \
            or d_kernel.shape[0] != inputs or d_kernel.shape[1] != units \
            or d_bias.shape[0] != units:
        return False
    d_kernel[:] = 0.0
    d_bias[:] = 0.0
    for r in range(rows):
        d_z_r = d_z[r]                                                   # (U,)
        for j in range(units):
            d_bias[j] += d_z_r[j]
        for k in range(inputs):
            x_rk, d_kernel_k = x[r, k], d_kernel[k]
            for j in range(units):
                d_kernel_k[j] += x_rk * d_z_r[j]
    for r in range(d_x.shape[0]):
        d_z_r = d_z[r]                                                   # (U,)
        for k in range(inputs):
            kernel_k = kernel[k]                                         # (U,)
            total = zero_for(d_x)
            for j in range(units):
                total += d_z_r[j] * kernel_k[j]
            d_x[r, k] = total
    return True


def _as_rows(array):
    """A 2-D array as it is, any other as its rows (R, K) of the last axis."""
    return array if array.ndim == 2 else array.reshape(-1, array.shape[-1])


def forward_numba(x, kernel, bias=None):
    """Same contract as ``forward_reference``: one jitted call where ``loops_pay``, for x
    of W's dtype and a 1-D bias (zeros for None); the NumPy twin otherwise."""
    rows = _as_rows(x)                                                   # (R, I)
    if x.dtype != kernel.dtype or (bias is not None and bias.ndim != 1) or kernel.ndim != 2 \
            or not loops_pay(rows.shape[0], *kernel.shape):
        return forward_reference(x, kernel, bias)
    z = np.empty((rows.shape[0], kernel.shape[1]), x.dtype)              # (R, U)
    given_bias = np.zeros(kernel.shape[1], x.dtype) if bias is None else bias     # (U,)
    if not _forward_rows(rows, kernel, given_bias, z):
        _check_shapes(x, kernel, bias)
    return z if x.ndim == 2 else z.reshape(x.shape[:-1] + kernel.shape[1:])  # (..., U)


def backward_numba(x, d_z, kernel, out=None, input_gradient=True):
    """Same contract as ``backward_reference``: one jitted call where ``loops_pay``, for x
    and dz of W's dtype; the NumPy twin otherwise."""
    rows_x = _as_rows(x)                                                 # (R, I)
    if x.dtype != kernel.dtype or d_z.dtype != x.dtype or d_z.ndim != x.ndim \
            or kernel.ndim != 2 or not loops_pay(rows_x.shape[0], *kernel.shape):
        return backward_reference(x, d_z, kernel, out, input_gradient)
    if x.ndim != 2:             # the loops see rows only, not the leading axes they came from
        _check_shapes(x, kernel, d_z=d_z)
    # allocated here, not by gradient_arrays, whose checks cost about 5 µs a call inside the
    # damped-sine recipe; the loops check the given arrays' shapes, gradient_arrays names them
    d_kernel, d_bias = out or (None, None)
    d_kernel = np.empty(kernel.shape, x.dtype) if d_kernel is None else d_kernel   # (I, U)
    d_bias = np.empty(kernel.shape[1], x.dtype) if d_bias is None else d_bias      # (U,)
    d_x = np.empty(rows_x.shape if input_gradient else (0, x.shape[-1]), x.dtype)  # (R, I)
    if not _backward_rows(rows_x, _as_rows(d_z), kernel, d_kernel, d_bias, d_x):
        _check_shapes(x, kernel, d_z=d_z)
        gradient_arrays(out, _gradient_shapes(kernel), ("dW", "db"), x.dtype)
    if not input_gradient:
        return None, d_kernel, d_bias
    return (d_x if x.ndim == 2 else d_x.reshape(x.shape)), d_kernel, d_bias  # (..., I)


forward = dispatch(forward_reference, forward_numba)
backward = dispatch(backward_reference, backward_numba)
