"""The binary cross-entropy kernel fused with the sigmoid: the Numba twin equals the NumPy
twin, and both equal the textbook formula where it can be evaluated."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import batches, seeds, steps
from minilstm.kernels import sigmoid_crossentropy as kernels

TWINS = ["numba", "reference"]
labels = st.integers(1, 7)
leading_shapes = st.one_of(st.tuples(batches), st.tuples(batches, steps))


def twin(name):
    return getattr(kernels, f"binary_crossentropy_from_logits_{name}")


@given(leading_shapes, labels, st.booleans(), seeds)
def test_numba_twin_equals_numpy_twin(leading, width, soft, seed):
    """``soft``: targets that are probabilities rather than 0/1 labels."""
    rng = np.random.default_rng(seed)
    shape = leading + (width,)
    y_true = rng.random(shape) if soft else (rng.random(shape) > 0.5).astype(np.float64)
    logits = 4.0 * rng.standard_normal(shape)
    value, gradient = twin("numba")(y_true, logits)
    expected_value, expected_gradient = twin("reference")(y_true, logits)
    assert value == pytest.approx(expected_value, rel=1e-12, abs=1e-12)
    assert gradient.shape == shape and gradient.dtype == np.float64
    np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", TWINS)
def test_equals_the_textbook_formula_of_the_sigmoids_probabilities(name):
    rng = np.random.default_rng(3)
    y_true, logits = rng.random((4, 3, 2)), 3.0 * rng.standard_normal((4, 3, 2))
    p = 1.0 / (1.0 + np.exp(-logits))
    value, gradient = twin(name)(y_true, logits)
    assert value == pytest.approx(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)),
                                  rel=1e-13)
    np.testing.assert_allclose(gradient, (p - y_true) / p.size, rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("name", TWINS)
def test_extreme_logits_stay_finite(name):
    """e^{-z} never overflows and log never meets 0: a confident mistake costs |z|."""
    value, gradient = twin(name)(np.array([[0.0, 1.0, 1.0]]), np.array([[1e4, -1e4, 1e4]]))
    assert value == pytest.approx(2e4 / 3)
    np.testing.assert_allclose(gradient, [[1 / 3, -1 / 3, 0.0]])


@pytest.mark.parametrize("name", TWINS)
def test_float32_logits_give_a_float32_gradient(name):
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((2, 3, 5)).astype(np.float32)
    y_true = (rng.random((2, 3, 5)) > 0.5).astype(np.float32)
    value, gradient = twin(name)(y_true, logits)
    expected_value, expected_gradient = twin("reference")(y_true.astype(float),
                                                          logits.astype(float))
    assert isinstance(value, float) and gradient.dtype == np.float32
    assert value == pytest.approx(expected_value, rel=1e-6)
    np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", TWINS)
def test_a_nan_logit_gives_a_nan_loss_not_a_silent_number(name):
    value, _ = twin(name)(np.array([[1.0, 0.0]]), np.array([[0.5, np.nan]]))
    assert np.isnan(value)


@pytest.mark.parametrize("name", TWINS)
def test_targets_of_another_shape_are_refused_by_name(name):
    with pytest.raises(ValueError,
                       match=r"y_true must have the logits' shape \(2, 3\); got \(2, 1\)"):
        twin(name)(np.zeros((2, 1)), np.zeros((2, 3)))


@pytest.mark.parametrize("name", TWINS)
def test_integer_logits_are_refused_and_integer_targets_taken(name):
    logits, y_true = np.array([[2, -1], [0, 3]]), np.array([[1, 0], [0, 1]])
    with pytest.raises(TypeError, match=r"^logits must be float32 or float64 .*; got int64$"):
        twin(name)(y_true, logits)
    value, gradient = twin(name)(y_true, logits.astype(float))
    expected_value, expected_gradient = twin("reference")(y_true.astype(float),
                                                          logits.astype(float))
    assert value == pytest.approx(expected_value, rel=1e-12)
    np.testing.assert_allclose(gradient, expected_gradient, rtol=1e-12)
