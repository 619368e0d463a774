"""The softmax and fused cross-entropy kernels: the Numba twins equal the NumPy twins."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import batches, seeds, steps
from minilstm.kernels import softmax_crossentropy as kernels

classes = st.integers(1, 60)
leading_shapes = st.one_of(st.tuples(batches), st.tuples(batches, steps))


def soft_targets(rng, shape):
    """Non-negative targets whose rows do not sum to 1: the general case of the formula."""
    return rng.uniform(0.0, 1.5, shape)


@given(leading_shapes, classes, seeds)
def test_numba_crossentropy_equals_numpy_crossentropy(leading, width, seed):
    rng = np.random.default_rng(seed)
    shape = leading + (width,)
    y_true, logits = soft_targets(rng, shape), 4.0 * rng.standard_normal(shape)
    value, gradient = kernels.crossentropy_from_logits_numba(y_true, logits)
    expected_value, expected_gradient = kernels.crossentropy_from_logits_reference(y_true, logits)
    assert value == pytest.approx(expected_value, rel=1e-12, abs=1e-12)
    assert gradient.shape == shape and gradient.dtype == np.float64
    np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-12, atol=1e-15)


@given(leading_shapes, classes, seeds)
def test_numba_softmax_equals_numpy_softmax(leading, width, seed):
    rng = np.random.default_rng(seed)
    logits = 4.0 * rng.standard_normal(leading + (width,))
    np.testing.assert_allclose(kernels.softmax_numba(logits), kernels.softmax_reference(logits),
                               rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("size", [kernels.SOFTMAX_LOOP_MAX_SIZE, kernels.SOFTMAX_LOOP_MAX_SIZE + 8])
def test_softmax_twins_agree_in_float32_on_both_sides_of_the_loop_threshold(size):
    logits = np.random.default_rng(size).standard_normal((size // 8, 8)).astype(np.float32)
    result = kernels.softmax_numba(logits)
    assert result.dtype == np.float32
    np.testing.assert_allclose(result, kernels.softmax_reference(logits), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(result.sum(axis=-1), 1.0, rtol=1e-6)


def test_float32_logits_give_a_float32_gradient_from_both_twins():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((2, 3, 5)).astype(np.float32)
    y_true = np.eye(5, dtype=np.float32)[rng.integers(0, 5, (2, 3))]
    for twin in (kernels.crossentropy_from_logits_numba,
                 kernels.crossentropy_from_logits_reference):
        value, gradient = twin(y_true, logits)
        assert isinstance(value, float) and gradient.dtype == np.float32


def test_extreme_logits_stay_finite():
    """Shifted by the row maximum, logits of ±1e4 neither overflow nor give NaN."""
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    y_true = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    for twin in ("numba", "reference"):
        value, gradient = getattr(kernels, f"crossentropy_from_logits_{twin}")(y_true, logits)
        assert value == pytest.approx((2e4 + np.log(3.0)) / 2)
        np.testing.assert_allclose(gradient, [[0.5, -0.5, 0.0], [-1 / 3, 1 / 6, 1 / 6]])


def test_a_nan_logit_gives_a_nan_loss_not_a_silent_number():
    logits = np.array([[0.0, np.nan, 1.0]])
    value, _ = kernels.crossentropy_from_logits_numba(np.array([[1.0, 0.0, 0.0]]), logits)
    assert np.isnan(value)


@pytest.mark.parametrize("twin", ["numba", "reference"])
def test_targets_of_another_shape_are_refused_by_name(twin):
    with pytest.raises(ValueError,
                       match=r"y_true must have the logits' shape \(2, 3\); got \(2, 4\)"):
        getattr(kernels, f"crossentropy_from_logits_{twin}")(np.zeros((2, 4)), np.zeros((2, 3)))


@pytest.mark.parametrize("twin", ["numba", "reference"])
def test_integer_logits_are_refused_and_integer_targets_taken(twin):
    """Integer logits gave the Numba softmax as integers ([[1, 0, 0]]) and both twins'
    gradients as integer zeros; the twins' losses differed (0.0 and 0.289)."""
    logits, y_true = np.array([[2, 1, 0], [0, 1, 3]]), np.eye(3, dtype=int)[[0, 2]]
    softmax = getattr(kernels, f"softmax_{twin}")
    crossentropy = getattr(kernels, f"crossentropy_from_logits_{twin}")
    message = r"^logits must be float32 or float64 .*; got int64$"
    with pytest.raises(TypeError, match=message):
        softmax(logits)
    with pytest.raises(TypeError, match=message):
        crossentropy(y_true, logits)
    value, gradient = crossentropy(y_true, logits.astype(float))
    expected_value, expected_gradient = kernels.crossentropy_from_logits_reference(
        y_true.astype(float), logits.astype(float))
    assert value == pytest.approx(expected_value, rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-12, atol=1e-15)
