r"""Scalar tanh and sigmoid for jitted kernels, chosen by dtype when compiled.

Numba here has no SVML, so ``np.tanh`` inside a jitted loop is one libm call per
element (~27 ns) and the loop cannot use SIMD. For float32 these functions
evaluate instead a rational approximation that vectorises::

    tanh(x) ≈ x P(x²) / Q(x²)      on |x| ≤ 9, clamped to [-1, 1]
    P(s) = 1 + p1 s + p2 s² + p3 s³ + p4 s⁴
    Q(s) = 1 + q1 s + q2 s² + q3 s³ + q4 s⁴

The coefficients were fitted for this project (iterated weighted least squares
on the relative error, slope 1 at 0 kept exact): the relative error of the form
itself is below 2.2e-8 on [0, 9], and evaluated in float32 the absolute error
is below 4e-7 everywhere (about 6 float32 ulps at 1.0) — below what float32
training can notice. ``tests/test_kernels_fast_math.py`` pins both bounds, also
for code compiled with fused multiply-adds (``fastmath={"contract"}``, as the LSTM
gate steps are), which rounds the polynomials differently.
Beyond |x| = 9, float32 tanh is 1 to within half an ulp.

For float64 both functions are exact (libm ``tanh``): gradient checks in float64
see the same numbers as the NumPy reference.

    sigmoid(x) = (1 + tanh(x / 2)) / 2

``one_minus(x)``, ``zero_for(array)`` and ``like(array, value)`` give 1 - x, a zero
accumulator, and a value in the dtype of their argument: a bare ``1.0`` or ``0.0``
literal is float64 and drags a float32 loop through conversions (measured 4x slower
on the Adam update). ``softmax_in_place`` normalises a 1-D array of scores;
``copy_into(source, out)`` is ``out[:] = source`` as a loop (the slice assignment
compiles Numba's broadcasting checks: about 3 s more on an empty cache).

The dtype-chosen functions are ``overload``s that Numba compiles as functions of their
own, once per signature, and LLVM then inlines into their callers: the same machine code
(the same fused multiply-adds in the gate loops) as with Numba inlining them at every call
site (``inline="always"``), which made every example's first step, compilation included,
about a tenth longer on an empty cache (``benchmarks/bench_startup.py``).
"""
import numpy as np
from numba import types
from numba.extending import overload

from .jitting import INLINED_HELPER_OPTIONS, kernel_jit

_P = (1.338398116e-01, 3.498997143e-03, 2.066128062e-05, 1.341984784e-08)
_Q = (4.671730264e-01, 2.589021040e-02, 3.291040138e-04, 7.804739798e-07)
_P1, _P2, _P3, _P4 = (np.float32(c) for c in _P)
_Q1, _Q2, _Q3, _Q4 = (np.float32(c) for c in _Q)
_ONE, _HALF, _LIMIT = np.float32(1.0), np.float32(0.5), np.float32(9.0)


def tanh_float32(x):
    """The rational tanh of the module docstring, in float32 arithmetic."""
    x = min(max(x, -_LIMIT), _LIMIT)
    s = x * x
    numerator = x * (_ONE + s * (_P1 + s * (_P2 + s * (_P3 + s * _P4))))
    denominator = _ONE + s * (_Q1 + s * (_Q2 + s * (_Q3 + s * _Q4)))
    return min(max(numerator / denominator, -_ONE), _ONE)


def tanh(x):
    """tanh for jitted code: rational in float32, libm in float64."""
    return np.tanh(x)


def sigmoid(x):
    """1 / (1 + e^{-x}) as (1 + tanh(x/2)) / 2, in the dtype of ``x``."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def one_minus(x):
    """1 - x in the dtype of x."""
    return 1.0 - x


def zero_for(array):
    """A zero of the array's dtype, to start a sum."""
    return array.dtype.type(0)


def like(array, value):
    """``value`` converted to the array's dtype."""
    return array.dtype.type(value)


def _is_float32(x):
    return isinstance(x, types.Float) and x.bitwidth == 32


@overload(one_minus, jit_options=INLINED_HELPER_OPTIONS)
def _one_minus_by_dtype(x):
    if _is_float32(x):
        return lambda x: _ONE - x
    return lambda x: 1.0 - x


@overload(zero_for, jit_options=INLINED_HELPER_OPTIONS)
def _zero_for_by_dtype(array):
    if _is_float32(array.dtype):
        return lambda array: np.float32(0.0)
    return lambda array: 0.0


@overload(tanh, jit_options=INLINED_HELPER_OPTIONS)
def _tanh_by_dtype(x):
    if _is_float32(x):
        return tanh_float32
    return lambda x: np.tanh(x)


@overload(sigmoid, jit_options=INLINED_HELPER_OPTIONS)
def _sigmoid_by_dtype(x):
    if _is_float32(x):
        return lambda x: _HALF * (_ONE + tanh(_HALF * x))
    return lambda x: 0.5 * (1.0 + np.tanh(0.5 * x))


@overload(like, jit_options=INLINED_HELPER_OPTIONS)
def _like_by_dtype(array, value):
    if _is_float32(array.dtype):
        return lambda array, value: np.float32(value)
    return lambda array, value: np.float64(value)


@kernel_jit()
def softmax_in_place(values):
    """values ← softmax(values), shifted by the maximum for stability (found with a
    loop: ``values.max()`` cost another second of compilation on an empty cache)."""
    largest = values[0]
    for j in range(1, values.shape[0]):
        largest = max(largest, values[j])
    total = zero_for(values)
    for j in range(values.shape[0]):
        values[j] = np.exp(values[j] - largest)
        total += values[j]
    for j in range(values.shape[0]):
        values[j] = values[j] / total


@kernel_jit()
def copy_into(source, out):
    """out[:] = source, for 1-D arrays of one length."""
    for j in range(out.shape[0]):
        out[j] = source[j]


@kernel_jit()
def product_into(a, b, out):
    """out[:] = a ⊙ b, for 1-D arrays of one length (``out`` may be ``a``)."""
    for j in range(out.shape[0]):
        out[j] = a[j] * b[j]
