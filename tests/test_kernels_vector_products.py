"""The jitted vector–matrix and rows–matrix products equal NumPy's, on every path (row
counts that leave 0 to 3 rows after the groups of four, 0 to 7 after the blocks of eight)
and with NaN kept."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import seeds
from minilstm.kernels import vector_products

rows = st.integers(0, 11)
widths = st.integers(1, 40)


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@given(rows, widths, seeds)
def test_products_add_what_numpy_computes(dtype, tolerance, rows_, width, seed):
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((rows_, width)).astype(dtype)          # (K, J)
    vector_k, vector_j = rng.standard_normal(rows_).astype(dtype), \
        rng.standard_normal(width).astype(dtype)
    out_j, out_k = rng.standard_normal(width).astype(dtype), \
        rng.standard_normal(rows_).astype(dtype)
    expected_j, expected_k = out_j + vector_k @ matrix, out_k + matrix @ vector_j
    vector_products.add_vector_times_matrix(vector_k, matrix, out_j)
    vector_products.add_vector_times_matrix_transposed(vector_j, matrix, out_k)
    np.testing.assert_allclose(out_j, expected_j, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(out_k, expected_k, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@given(rows, widths, seeds)
def test_two_vector_product_adds_what_numpy_computes_for_each(dtype, tolerance, rows_, width,
                                                              seed):
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((rows_, width)).astype(dtype)          # (K, J)
    vector_a, vector_b = rng.standard_normal((2, width)).astype(dtype)  # (J,) each
    out_a, out_b = rng.standard_normal((2, rows_)).astype(dtype)        # (K,) each
    expected_a, expected_b = out_a + matrix @ vector_a, out_b + matrix @ vector_b
    vector_products.add_two_vectors_times_matrix_transposed(vector_a, vector_b, matrix,
                                                            out_a, out_b)
    np.testing.assert_allclose(out_a, expected_a, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(out_b, expected_b, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("transposed_product", [
    vector_products.add_rows_times_matrix_transposed,
    vector_products.add_few_rows_times_matrix_transposed])
@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@given(st.integers(0, 9), rows, widths, seeds)
def test_row_products_add_what_numpy_computes(transposed_product, dtype, tolerance, n_rows,
                                              depth, width, seed):
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((depth, width)).astype(dtype)           # (K, J)
    rows_k = rng.standard_normal((n_rows, depth)).astype(dtype)          # (R, K)
    rows_j = rng.standard_normal((n_rows, width)).astype(dtype)          # (R, J)
    out_j = rng.standard_normal((n_rows, width)).astype(dtype)           # (R, J)
    out_k = rng.standard_normal((n_rows, depth)).astype(dtype)           # (R, K)
    expected_j, expected_k = out_j + rows_k @ matrix, out_k + rows_j @ matrix.T
    vector_products.add_rows_times_matrix(rows_k, matrix, out_j)
    transposed_product(rows_j, matrix, out_k)
    np.testing.assert_allclose(out_j, expected_j, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(out_k, expected_k, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("outer_products", [vector_products.outer_products_sum,
                                            vector_products.outer_products_sum_by_row_blocks])
@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-12), (np.float32, 1e-5)])
@given(st.integers(0, 19), st.integers(1, 9), widths, seeds)
def test_outer_products_and_row_sums_overwrite_with_what_numpy_computes(
        outer_products, dtype, tolerance, n_rows, depth, width, seed):
    """Over 0 to 19 rows, so the first pass of four is whole, partial or empty, and the
    blocks of eight are followed by 0 to 7 rows; ``out`` starts NaN-filled, so anything
    added to it rather than written shows."""
    rng = np.random.default_rng(seed)
    left = rng.standard_normal((n_rows, depth)).astype(dtype)           # (R, K)
    right = rng.standard_normal((n_rows, width)).astype(dtype)          # (R, J)
    out, sums = np.full((depth, width), np.nan, dtype), np.full(width, np.nan, dtype)
    outer_products(left, right, out)
    vector_products.sum_of_rows(right, sums)
    np.testing.assert_allclose(out, left.T @ right, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(sums, right.sum(axis=0), rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("bad_row", [0, 5])
def test_a_nan_in_the_matrix_reaches_the_result(bad_row):
    matrix = np.ones((6, 9))
    matrix[bad_row, 3] = np.nan
    out_j, out_k = np.zeros(9), np.zeros(6)
    vector_products.add_vector_times_matrix(np.ones(6), matrix, out_j)
    vector_products.add_vector_times_matrix_transposed(np.ones(9), matrix, out_k)
    assert np.isnan(out_j[3]) and np.isfinite(np.delete(out_j, 3)).all()
    assert np.isnan(out_k[bad_row]) and np.isfinite(np.delete(out_k, bad_row)).all()
    out_a, out_b = np.zeros(6), np.zeros(6)
    vector_products.add_two_vectors_times_matrix_transposed(np.ones(9), np.ones(9), matrix,
                                                            out_a, out_b)
    for out in (out_a, out_b):
        assert np.isnan(out[bad_row]) and np.isfinite(np.delete(out, bad_row)).all()
    rows_j = np.zeros((5, 9))
    vector_products.add_rows_times_matrix(np.ones((5, 6)), matrix, rows_j)
    assert np.isnan(rows_j[:, 3]).all() and np.isfinite(np.delete(rows_j, 3, axis=1)).all()
    for transposed_product in (vector_products.add_rows_times_matrix_transposed,
                               vector_products.add_few_rows_times_matrix_transposed):
        rows_k = np.zeros((5, 6))
        transposed_product(np.ones((5, 9)), matrix, rows_k)
        assert np.isnan(rows_k[:, bad_row]).all() \
            and np.isfinite(np.delete(rows_k, bad_row, axis=1)).all()
    tall = np.ones((10, 9))             # the NaN in the block of eight, or in the rows after
    tall[bad_row + 4, 3] = np.nan
    for outer_products in (vector_products.outer_products_sum,
                           vector_products.outer_products_sum_by_row_blocks):
        for right in (matrix, tall):
            outer = np.zeros((9, 9))
            outer_products(np.ones((right.shape[0], 9)), right, outer)
            assert np.isnan(outer[:, 3]).all() \
                and np.isfinite(np.delete(outer, 3, axis=1)).all()
    sums = np.zeros(9)
    vector_products.sum_of_rows(matrix, sums)
    assert np.isnan(sums[3]) and np.isfinite(np.delete(sums, 3)).all()


@pytest.mark.parametrize("loop_max_rows", [0, 10 ** 9])
@pytest.mark.parametrize("depth", [1, 7])     # K = 1: np.dot on the BLAS path, else matmul
@pytest.mark.parametrize("rows_dtype, matrix_dtype", [(np.float32, np.float32),
                                                      (np.float64, np.float64),
                                                      (np.float32, np.float64)])
@pytest.mark.parametrize("n_rows", [1, 5])    # one row: the one-vector product's path
def test_row_products_by_loops_or_blas_give_numpys_values_and_dtype(
        monkeypatch, loop_max_rows, depth, rows_dtype, matrix_dtype, n_rows):
    rng = np.random.default_rng(0)
    rows_k = rng.standard_normal((n_rows, depth)).astype(rows_dtype)     # (R, K)
    rows_j = rng.standard_normal((n_rows, 9)).astype(rows_dtype)         # (R, J)
    matrix = rng.standard_normal((depth, 9)).astype(matrix_dtype)        # (K, J)
    monkeypatch.setattr(vector_products, "LOOP_MAX_ROWS", loop_max_rows)
    for got, expected in ((vector_products.rows_times_matrix(rows_k, matrix), rows_k @ matrix),
                          (vector_products.rows_times_matrix_transposed(rows_j, matrix),
                           rows_j @ matrix.T),
                          (vector_products.loops_times_matrix_transposed(rows_j, matrix),
                           rows_j @ matrix.T)):
        assert got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape", [(6, 3), (2, 5, 3), (2, 5, 1), (1, 4, 2, 3)])
@pytest.mark.parametrize("transposed", [False, True])
def test_a_product_over_flattened_rows_equals_numpys_matmul(shape, transposed):
    rng = np.random.default_rng(1)
    array = rng.standard_normal(shape).astype(np.float32)                 # (..., K)
    matrix = rng.standard_normal((4, shape[-1]) if transposed else (shape[-1], 4))
    matrix = (matrix.T if transposed else matrix).astype(np.float32)      # (K, J), maybe a view
    got = vector_products.flat_rows_product(array, matrix)                # (..., J)
    assert got.shape == shape[:-1] + (4,) and got.flags.c_contiguous
    np.testing.assert_allclose(got, np.matmul(array, matrix), rtol=1e-5, atol=1e-6)
