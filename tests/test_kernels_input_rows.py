"""Input rows of special forms: found exactly, and their products the products written out."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import one_hot_rows, seeds
from minilstm.kernels.input_rows import (hot_columns, hot_rows_times_matrix,
                                         hot_rows_transposed_times, repeats_first_step,
                                         rows_times, rows_transposed_times)

row_counts = st.integers(1, 12)
widths = st.integers(1, 9)


def draw_rows(seed, n_rows, n_columns, dtype):
    """(R, I) one-hot or zero rows, and their columns (-1 for zero)."""
    rows = one_hot_rows(np.random.default_rng(seed), 1, n_rows, n_columns, dtype)[0]
    return rows, np.where(rows.any(axis=1), rows.argmax(axis=1), -1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(row_counts, widths, seeds)
def test_hot_columns_are_the_columns_of_the_ones(dtype, n_rows, n_columns, seed):
    rows, columns = draw_rows(seed, n_rows, n_columns, dtype)
    np.testing.assert_array_equal(hot_columns(rows), columns)


@pytest.mark.parametrize("value", [0.5, -1.0, 2.0, np.nan, np.inf])
def test_a_value_other_than_zero_or_one_leaves_no_columns(value):
    rows = np.eye(4)[[0, 3, 1]]
    rows[2, 2] = value
    assert hot_columns(rows) is None


def test_a_second_one_in_a_row_leaves_no_columns():
    rows = np.eye(4)[[0, 3, 1]]
    rows[1, 0] = 1.0
    assert hot_columns(rows) is None


def test_strided_rows_are_read_by_their_values():
    rows = np.eye(6)[[5, 0, 2]][:, ::2]          # columns 0, 2, 4 of each row
    np.testing.assert_array_equal(hot_columns(rows), [-1, 0, 1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(row_counts, widths, widths, seeds)
def test_hot_rows_times_matrix_is_the_product(dtype, n_rows, n_columns, width, seed):
    rows, columns = draw_rows(seed, n_rows, n_columns, dtype)
    matrix = np.random.default_rng(seed + 1).standard_normal((n_columns, width)).astype(dtype)
    out = np.full((n_rows, width), np.nan, dtype)
    hot_rows_times_matrix(columns, matrix, out)
    np.testing.assert_array_equal(out, rows @ matrix)      # a 1 times, zeros added: exact


@pytest.mark.parametrize("dtype, atol", [(np.float32, 1e-5), (np.float64, 1e-12)])
@given(row_counts, widths, widths, seeds)
def test_hot_rows_transposed_times_is_the_product(dtype, atol, n_rows, n_columns, width, seed):
    rows, columns = draw_rows(seed, n_rows, n_columns, dtype)
    right = np.random.default_rng(seed + 1).standard_normal((n_rows, width)).astype(dtype)
    out = np.full((n_columns, width), np.nan, dtype)
    hot_rows_transposed_times(columns, right, out)
    np.testing.assert_allclose(out, rows.T @ right, rtol=0, atol=atol)


@given(st.integers(1, 3), st.integers(2, 5), widths, seeds, st.data())
def test_a_sequence_repeats_its_first_step_until_one_value_differs(batch, steps, n_columns,
                                                                   seed, data):
    first = np.random.default_rng(seed).standard_normal((batch, 1, n_columns))
    x = np.repeat(first, steps, axis=1)                                  # (B, T, I)
    assert repeats_first_step(x)
    assert repeats_first_step(x[:, ::-1])                                # strided: the same
    b, t, k = (data.draw(st.integers(0, n - 1)) for n in (batch, steps, n_columns))
    x[b, t, k] += 1.0
    assert not repeats_first_step(x)


def test_one_step_or_a_nan_is_not_a_repetition():
    assert not repeats_first_step(np.ones((2, 1, 3)))
    assert not repeats_first_step(np.full((2, 3, 3), np.nan))


@pytest.mark.parametrize("one_hot", [False, True])
def test_rows_times_and_rows_transposed_times_are_the_products_either_way(one_hot):
    """Gathering and summing for one-hot rows, the products themselves for any others."""
    rng = np.random.default_rng(4)
    rows = draw_rows(4, 7, 5, np.float64)[0] if one_hot else rng.standard_normal((7, 5))
    matrix, right = rng.standard_normal((5, 3)), rng.standard_normal((7, 3))
    product, hot = rows_times(rows, matrix, np.matmul)
    assert (hot is None) is not one_hot
    np.testing.assert_allclose(product, rows @ matrix, rtol=0, atol=1e-12)
    out = np.full((5, 3), np.nan)
    assert rows_transposed_times(rows, hot, right, out) is out
    np.testing.assert_allclose(out, rows.T @ right, rtol=0, atol=1e-12)
