"""The error loss kernels: the Numba twins equal the NumPy twins (the gradients exactly, but
log_cosh's tanh, to its last bit); the losses' gradients are checked against finite
differences in test_losses.py."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import batches, seeds, steps
from minilstm.kernels import error_losses as kernels

LOSSES = ["mean_squared_error", "mean_absolute_error", "huber", "log_cosh"]
shapes = st.one_of(st.tuples(batches, st.integers(1, 6)),
                   st.tuples(batches, steps, st.integers(1, 6)))
dtypes = st.sampled_from([np.float32, np.float64])


def twins(name):
    return getattr(kernels, f"{name}_numba"), getattr(kernels, f"{name}_reference")


@pytest.mark.parametrize("name", LOSSES)
@given(shapes, dtypes, st.booleans(), seeds)
def test_numba_twin_equals_numpy_twin(name, shape, dtype, with_ties, seed):
    """The value to the dtype's rounding, the gradient exactly; ``with_ties``: some
    predictions equal their targets (sign 0)."""
    rng = np.random.default_rng(seed)
    y_true, y_pred = rng.standard_normal((2,) + shape).astype(dtype)
    if with_ties:
        y_pred.reshape(-1)[::3] = y_true.reshape(-1)[::3]
    numba_twin, reference = twins(name)
    value, gradient = numba_twin(y_true, y_pred)
    expected_value, expected_gradient = reference(y_true, y_pred)
    assert isinstance(value, float)
    assert value == pytest.approx(expected_value, rel=1e-6 if dtype == np.float32 else 1e-12)
    assert gradient.dtype == expected_gradient.dtype == dtype
    if name == "log_cosh":            # NumPy's tanh against the C library's, both in float64
        np.testing.assert_array_max_ulp(gradient, expected_gradient, maxulp=4)
    else:
        np.testing.assert_array_equal(gradient, expected_gradient)


@given(shapes, dtypes, st.sampled_from([0.1, 0.3, 1.0, 2.5]), seeds)
def test_huber_twins_agree_for_any_delta(shape, dtype, delta, seed):
    """δ taken in the prediction's dtype by both (0.1 and 0.3 are not float32 numbers)."""
    rng = np.random.default_rng(seed)
    y_true, y_pred = rng.standard_normal((2,) + shape).astype(dtype)
    value, gradient = kernels.huber_numba(y_true, y_pred, delta)
    expected_value, expected_gradient = kernels.huber_reference(y_true, y_pred, delta)
    assert value == pytest.approx(expected_value, rel=1e-6 if dtype == np.float32 else 1e-12)
    np.testing.assert_array_equal(gradient, expected_gradient)


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("twin", [0, 1])
def test_a_nan_prediction_gives_a_nan_loss_and_gradient(name, twin):
    y_pred = np.array([[0.5, np.nan, -1.0]], np.float32)
    value, gradient = twins(name)[twin](np.zeros_like(y_pred), y_pred)
    assert np.isnan(value)
    assert np.isnan(gradient[0, 1]) and np.isfinite(gradient[0, [0, 2]]).all()


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("twin", [0, 1])
def test_targets_of_another_shape_are_refused_by_name(name, twin):
    with pytest.raises(ValueError, match=r"y_true must have y_pred's shape \(4, 1\); got \(4,\)"):
        twins(name)[twin](np.zeros(4), np.zeros((4, 1)))


@pytest.mark.parametrize("name, expected_value, expected_gradient",
                         [("mean_squared_error", 2.0, [[2.0, 0.0]]),
                          ("mean_absolute_error", 1.0, [[0.5, 0.0]])])
@pytest.mark.parametrize("twin", [0, 1])
def test_integer_arrays_and_lists_are_taken_as_float64(name, expected_value, expected_gradient,
                                                       twin):
    value, gradient = twins(name)[twin]([[1, 2]], np.array([[3, 2]]))
    assert value == expected_value
    assert gradient.dtype == np.float64
    np.testing.assert_array_equal(gradient, expected_gradient)
