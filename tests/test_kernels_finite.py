"""The finiteness kernel: the Numba twin finds every NaN and infinity the NumPy twin finds,
wherever it lies, in float32 and float64, and takes any other dtype by the NumPy twin."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import batches, features, seeds, steps
from minilstm.kernels import finite as kernels

TWINS = [kernels.all_finite_reference, kernels.all_finite_numba]
dtypes = st.sampled_from([np.float32, np.float64])
bad_values = st.lists(st.sampled_from([np.nan, np.inf, -np.inf]), max_size=3)


@given(batches, steps, features, dtypes, bad_values, seeds)
def test_numba_twin_equals_numpy_twin(batch, steps, features, dtype, bad, seed):
    """Finite values of every size (huge, tiny, negative zero among them), with ``bad``
    non-finite values put at random places; none of them: finite."""
    rng = np.random.default_rng(seed)
    array = (rng.standard_normal((batch, steps, features))
             * 10.0 ** rng.integers(-40, 38, (batch, steps, features))).astype(dtype)
    array.reshape(-1)[0] = -0.0
    flat = array.reshape(-1)
    for value in bad:
        flat[rng.integers(flat.size)] = value
    expected = not bad
    assert kernels.all_finite_reference(array) is expected
    assert kernels.all_finite_numba(array) is expected


@pytest.mark.parametrize("twin", TWINS)
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_one_non_finite_value_at_the_last_place_is_found(twin, value):
    array = np.zeros((3, 4, 5), np.float32)
    array[-1, -1, -1] = value
    assert twin(array) is False


@pytest.mark.parametrize("twin", TWINS)
def test_the_largest_finite_values_are_finite(twin):
    """v - v is 0 for the largest float32 and float64 too (no overflow to inf)."""
    for dtype in (np.float32, np.float64):
        info = np.finfo(dtype)
        assert twin(np.array([info.max, -info.max, info.tiny, info.smallest_subnormal],
                             dtype)) is True


@pytest.mark.parametrize("twin", TWINS)
def test_a_strided_view_is_read_as_it_is_seen(twin):
    """Only the values the view shows count: a NaN between its strides is not in it."""
    array = np.zeros((4, 6))
    array[:, 1::2] = np.nan
    assert twin(array[:, ::2]) is True
    assert twin(array[:, 1::2]) is False
    assert twin(array.T) is False


@pytest.mark.parametrize("twin", TWINS)
def test_other_dtypes_and_empty_arrays(twin):
    """Integers are always finite; float16 by its own values; no value at all is finite."""
    assert twin(np.arange(12).reshape(3, 4)) is True
    assert twin(np.array([1.0, np.inf], np.float16)) is False
    assert twin(np.array([1.0, 2.0], np.float16)) is True
    assert twin(np.zeros((0, 5), np.float32)) is True
