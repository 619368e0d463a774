"""The accuracy kernel: the Numba twin counts the hits the NumPy twin counts, ties and NaN
included, for categorical and binary predictions."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import batches, seeds, steps
from minilstm.kernels import accuracy as kernels

TWINS = [kernels.accuracy_reference, kernels.accuracy_numba]
leading_shapes = st.one_of(st.tuples(batches), st.tuples(batches, steps))
dtypes = st.sampled_from([np.float32, np.float64])


@given(leading_shapes, st.integers(1, 7), dtypes, st.booleans(), st.booleans(), seeds)
def test_numba_twin_equals_numpy_twin(leading_shape, classes, dtype, with_ties, binary, seed):
    """``with_ties``: values rounded to a few levels, so rows hold equal largest values
    (the first one counts) and binary values sit at the threshold ½."""
    rng = np.random.default_rng(seed)
    y_true, y_pred = rng.random((2,) + leading_shape + (classes,)).astype(dtype)
    if with_ties:
        y_true, y_pred = np.round(y_true * 2) / 2, np.round(y_pred * 2) / 2
    expected = kernels.accuracy_reference(y_true, y_pred, binary)
    assert kernels.accuracy_numba(y_true, y_pred, binary) == expected
    assert 0.0 <= expected <= 1.0


@pytest.mark.parametrize("twin", TWINS)
def test_hits_are_counted_per_timestep_with_the_first_of_equal_largest_values(twin):
    y_true = np.eye(3, dtype=np.float32)[[[0, 1], [2, 2]]]              # (2, 2, 3)
    y_pred = np.array([[[0.4, 0.4, 0.2], [0.5, 0.1, 0.5]],              # classes 0, 0
                       [[0.1, 0.2, 0.7], [0.3, 0.3, 0.3]]], np.float32)  # classes 2, 0
    assert twin(y_true, y_pred) == 0.5


@pytest.mark.parametrize("twin", TWINS)
def test_one_value_per_row_is_a_binary_prediction_at_one_half(twin):
    y_true = np.array([[1.0], [0.0], [1.0], [0.0]])
    y_pred = np.array([[0.7], [0.5], [0.5], [0.2]])                      # > ½ is class 1
    assert twin(y_true, y_pred) == 0.75


@pytest.mark.parametrize("twin", TWINS)
def test_a_nan_counts_as_the_largest_value_as_in_numpy_argmax(twin):
    y_true = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], np.float32)
    y_pred = np.array([[0.9, np.nan, 0.1], [0.2, np.nan, 0.9]], np.float32)
    assert twin(y_true, y_pred) == 0.5


@pytest.mark.parametrize("twin", TWINS)
def test_targets_of_another_shape_are_refused_by_name(twin):
    with pytest.raises(ValueError, match=r"y_true must have y_pred's shape \(4, 3\); got \(4,\)"):
        twin(np.zeros(4), np.zeros((4, 3)))


@pytest.mark.parametrize("twin", TWINS)
def test_binary_counts_every_value_at_one_half_whatever_the_last_axis(twin):
    """Keras's binary_accuracy, for a sigmoid over several labels: 5 of the 6 values fall
    on their target's side of ½, where the rows' argmax agree in one of the two rows."""
    y_true = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    y_pred = np.array([[0.9, 0.2, 0.6], [0.4, 0.9, 0.8]])
    assert twin(y_true, y_pred, binary=True) == 5 / 6
    assert twin(y_true, y_pred) == 0.5


@pytest.mark.parametrize("twin", TWINS)
def test_binary_refuses_targets_of_another_shape_of_as_many_values(twin):
    with pytest.raises(ValueError, match=r"y_true must have y_pred's shape \(2, 3\); got "
                                         r"\(3, 2\)"):
        twin(np.zeros((3, 2)), np.zeros((2, 3)), binary=True)
