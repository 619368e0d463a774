"""The jitted scalar activations: exact in float64, within their stated bound in float32."""
import numpy as np
import pytest
from numba import njit

from minilstm.kernels import fast_math


def _appliers(fastmath):
    """Loops applying tanh and sigmoid, compiled as a kernel would: the LSTM gate steps
    use fused multiply-adds (``fastmath={"contract"}``), which round differently."""
    @njit(fastmath=fastmath)
    def apply_tanh(values, out):
        for i in range(values.shape[0]):
            out[i] = fast_math.tanh(values[i])

    @njit(fastmath=fastmath)
    def apply_sigmoid(values, out):
        for i in range(values.shape[0]):
            out[i] = fast_math.sigmoid(values[i])
    return apply_tanh, apply_sigmoid


APPLIERS = {"plain": _appliers(False), "fused multiply-adds": _appliers({"contract"})}
compiled_as = pytest.mark.parametrize("compiled_as", list(APPLIERS))


def jitted(function, values):
    out = np.empty_like(values)
    function(values, out)
    return out


GRID = np.linspace(-20.0, 20.0, 400_001)


@compiled_as
def test_float32_tanh_is_within_4e_7_of_exact_and_never_leaves_minus_one_one(compiled_as):
    values = GRID.astype(np.float32)
    approx = jitted(APPLIERS[compiled_as][0], values)
    assert approx.dtype == np.float32
    assert np.abs(approx.astype(np.float64) - np.tanh(values.astype(np.float64))).max() < 4e-7
    assert np.abs(approx).max() <= 1.0


@compiled_as
def test_float32_tanh_keeps_the_slope_at_zero_for_tiny_arguments(compiled_as):
    tiny = np.float32([1e-30, -1e-8, 3e-5])
    np.testing.assert_allclose(jitted(APPLIERS[compiled_as][0], tiny), tiny, rtol=1e-7)


@compiled_as
def test_float32_sigmoid_is_within_2e_7_of_exact(compiled_as):
    values = GRID.astype(np.float32)
    approx = jitted(APPLIERS[compiled_as][1], values)
    exact = 1.0 / (1.0 + np.exp(-values.astype(np.float64)))
    assert approx.dtype == np.float32 and np.abs(approx - exact).max() < 2e-7


@compiled_as
def test_float64_activations_are_exact_to_rounding(compiled_as):
    # libm and NumPy's SIMD tanh may differ in the last bit (~2e-16), no more
    apply_tanh, apply_sigmoid = APPLIERS[compiled_as]
    np.testing.assert_allclose(jitted(apply_tanh, GRID), np.tanh(GRID), rtol=1e-15, atol=0)
    np.testing.assert_allclose(jitted(apply_sigmoid, GRID), 1.0 / (1.0 + np.exp(-GRID)),
                               rtol=1e-15, atol=1e-16)
