"""The Dense kernel: the Numba twin equals the NumPy twin on both of its routes (the
jitted loops for small products, BLAS for large ones: ``loops_pay``); the layer's gradients
are checked against finite differences in test_layers_core.py."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import features, seeds, units
from minilstm.kernels import dense as kernels
from minilstm.kernels.dense import LOOP_MAX_ROWS

# leading shapes of x whose rows run from 1 to past LOOP_MAX_ROWS, 2-D and 3-D
leading_shapes = st.one_of(st.tuples(st.integers(1, LOOP_MAX_ROWS + 6)),
                           st.tuples(st.integers(1, 4), st.integers(1, 6)))
dtypes = st.sampled_from([np.float32, np.float64])
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-12}


def arrays(rng, leading, inputs, units_, dtype):
    """x (..., I), W (I, U), b (U,) and dz (..., U)."""
    def draw(*shape):
        return rng.standard_normal(shape).astype(dtype)
    return draw(*leading, inputs), draw(inputs, units_), draw(units_), draw(*leading, units_)


@given(leading_shapes, features, units, dtypes, st.booleans(), seeds)
def test_numba_forward_equals_numpy_forward(leading, inputs, units_, dtype, use_bias, seed):
    x, kernel, bias, _ = arrays(np.random.default_rng(seed), leading, inputs, units_, dtype)
    bias = bias if use_bias else None
    z = kernels.forward_numba(x, kernel, bias)
    assert z.shape == leading + (units_,) and z.dtype == dtype
    np.testing.assert_allclose(z, kernels.forward_reference(x, kernel, bias),
                               rtol=TOLERANCE[dtype], atol=TOLERANCE[dtype])


@given(leading_shapes, features, units, dtypes, st.booleans(), seeds)
def test_numba_backward_equals_numpy_backward(leading, inputs, units_, dtype,
                                              input_gradient, seed):
    x, kernel, _, d_z = arrays(np.random.default_rng(seed), leading, inputs, units_, dtype)
    got = kernels.backward_numba(x, d_z, kernel, input_gradient=input_gradient)
    expected = kernels.backward_reference(x, d_z, kernel, input_gradient=input_gradient)
    if not input_gradient:
        assert got[0] is None and expected[0] is None
        got, expected = got[1:], expected[1:]
    for name, array, reference in zip(("dx", "dW", "db")[-len(got):], got, expected):
        assert array.shape == reference.shape and array.dtype == dtype, name
        np.testing.assert_allclose(array, reference, rtol=TOLERANCE[dtype],
                                   atol=TOLERANCE[dtype], err_msg=name)


@pytest.mark.parametrize("twin", ["numba", "reference"])
@pytest.mark.parametrize("rows", [3, LOOP_MAX_ROWS + 1])
def test_backward_writes_the_weight_gradients_into_the_arrays_given(twin, rows):
    x, kernel, _, d_z = arrays(np.random.default_rng(rows), (rows,), 4, 3, np.float32)
    out = (np.full((4, 3), np.nan, np.float32), np.full(3, np.nan, np.float32))
    _, d_kernel, d_bias = getattr(kernels, f"backward_{twin}")(x, d_z, kernel, out=out)
    assert d_kernel is out[0] and d_bias is out[1]
    np.testing.assert_allclose(d_kernel, x.T @ d_z, rtol=1e-5)
    np.testing.assert_allclose(d_bias, d_z.sum(axis=0), rtol=1e-5)


def test_small_products_take_the_jitted_loops_and_large_ones_blas(monkeypatch):
    """Up to LOOP_MAX_ROWS rows of a small product the Numba twin never reaches the NumPy
    twin; beyond, it hands the pass over to it, as for a product of too many
    multiply-adds."""
    handed = []
    for name in ("forward_reference", "backward_reference"):
        reference = getattr(kernels, name)
        monkeypatch.setattr(kernels, name, lambda *args, reference=reference, name=name, **kw:
                            handed.append(name) or reference(*args, **kw))

    def passes(rows, inputs, units):
        handed.clear()
        x, kernel, bias, d_z = arrays(np.random.default_rng(rows), (rows,), inputs, units,
                                      np.float32)
        kernels.forward_numba(x, kernel, bias)
        kernels.backward_numba(x, d_z, kernel)
        kernels.forward_numba(x, kernel, None)           # a layer without a bias
        return handed

    wide = 200          # 200 x 200 = 40,000 multiply-adds a row
    assert wide * wide <= kernels.LOOP_MAX_MULTIPLY_ADDS < 2 * wide * wide
    for shape in ((1, 3, 2), (LOOP_MAX_ROWS, 3, 2), (1, wide, wide)):
        assert passes(*shape) == [], shape
    for shape in ((LOOP_MAX_ROWS + 1, 3, 2), (2, wide, wide)):
        assert passes(*shape) == ["forward_reference", "backward_reference",
                                  "forward_reference"], shape


@pytest.mark.parametrize("twin", ["numba", "reference"])
def test_a_nan_input_gives_nan_outputs_and_gradients(twin):
    x, kernel, bias, d_z = arrays(np.random.default_rng(0), (2,), 3, 2, np.float32)
    x[0, 1], d_z[1, 0] = np.nan, np.nan
    z = getattr(kernels, f"forward_{twin}")(x, kernel, bias)
    assert np.isnan(z[0]).all() and np.isfinite(z[1]).all()
    d_x, d_kernel, d_bias = getattr(kernels, f"backward_{twin}")(x, d_z, kernel)
    assert np.isnan(d_x[1]).all() and np.isnan(d_kernel[1]).all() and np.isnan(d_bias[0])


@pytest.mark.parametrize("twin", ["numba", "reference"])
@pytest.mark.parametrize("rows", [2, LOOP_MAX_ROWS + 1])
def test_arrays_of_the_wrong_shape_are_refused_by_name(twin, rows):
    x, kernel, bias, d_z = arrays(np.random.default_rng(0), (rows,), 3, 2, np.float32)
    forward, backward = getattr(kernels, f"forward_{twin}"), getattr(kernels, f"backward_{twin}")
    with pytest.raises(ValueError, match=r"x must have W's 3 input features on its last axis; "
                                         rf"got shape \({rows}, 4\)"):
        forward(np.zeros((rows, 4), np.float32), kernel, bias)
    with pytest.raises(ValueError, match=r"bias must have shape \(2,\); got \(3,\)"):
        forward(x, kernel, np.zeros(3, np.float32))
    with pytest.raises(ValueError, match=rf"d_z must have shape \({rows}, 2\); got \({rows}, 3\)"):
        backward(x, np.zeros((rows, 3), np.float32), kernel)
    with pytest.raises(ValueError, match=r"out's dW must have shape \(3, 2\); got \(2, 3\)"):
        backward(x, d_z, kernel, out=(np.zeros((2, 3), np.float32), None))
    with pytest.raises(ValueError, match=r"d_z must have shape \(2, 3, 2\); got \(3, 2, 2\)"):
        backward(np.zeros((2, 3, 3), np.float32), np.zeros((3, 2, 2), np.float32), kernel)


@pytest.mark.parametrize("twin", ["numba", "reference"])
def test_float32_input_and_float64_weights_give_float64_like_numpy(twin):
    x, kernel, bias, d_z = arrays(np.random.default_rng(0), (2,), 3, 2, np.float64)
    z = getattr(kernels, f"forward_{twin}")(x.astype(np.float32), kernel, bias)
    assert z.dtype == np.float64
    np.testing.assert_allclose(z, x.astype(np.float32) @ kernel + bias, rtol=1e-12)
