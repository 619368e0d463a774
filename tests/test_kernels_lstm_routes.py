"""The LSTM Numba twin's routes: which one each shape takes (``lstm_routes``), and that the
``blas``, ``one_core`` and ``two_cores`` arguments force them. That every route gives the
reference's numbers is ``test_kernels_lstm``'s."""
import numpy as np
import pytest

from conftest import lstm_arrays
from minilstm.kernels import (lstm, lstm_gradient_loops, lstm_halves, lstm_numba, lstm_routes,
                              vector_products)

ROW_BLOCKS = (lstm_gradient_loops, "weight_gradients_row_blocks")
BLAS = (lstm_numba, "weight_gradients")


@pytest.mark.parametrize("one_core, units_, route", [
    (True, 3, ROW_BLOCKS), (False, 3, BLAS), (None, 3, ROW_BLOCKS), (None, 80, BLAS)])
def test_one_core_forces_the_route_of_the_products_after_the_time_loop(monkeypatch, one_core,
                                                                       units_, route):
    """Beyond a few rows (here 45, past ``GRADIENT_LOOP_MAX_ROWS``), ``one_core`` picks the
    loops on this core or BLAS, and None picks by the products' width (``one_core_pays``:
    2·2 + 3 is narrow, 2·2 + 80 not)."""
    rng = np.random.default_rng(0)
    x, kernel, recurrent, bias, _, _ = lstm_arrays(rng, 3, 15, 2, units_)
    hidden, *_, cache = lstm.forward_numba(x, kernel, recurrent, bias)
    module, name = route
    called, original = [], getattr(module, name)
    monkeypatch.setattr(module, name, lambda *args: called.append(name) or original(*args))
    lstm.backward_numba(hidden, None, None, cache, one_core=one_core, two_cores=False)
    assert called == [route[1]]


@pytest.mark.parametrize("form, with_state, input_gradient, few", [
    ("repeated", False, lstm.SUMMED_OVER_STEPS, True),   # x's 3 rows, 3·13 pairs in dU
    ("repeated", False, True, True),                     # the same, dx (by loops) or not
    ("repeated", True, lstm.SUMMED_OVER_STEPS, False),   # 3·14 pairs in dU, h_0 given
    ("dense", False, lstm.SUMMED_OVER_STEPS, False)])    # x's 3·14 rows in dW
def test_the_few_row_loops_take_the_weight_gradients_by_the_rows_they_multiply(
        monkeypatch, form, with_state, input_gradient, few):
    """Over 3 × 14 = 42 rows of d_z (more than ``GRADIENT_LOOP_MAX_ROWS``'s 40), an x that
    repeats its first step gives dW 3 rows and, without an initial state, dU 39 pairs: the
    few-row loops' (``weight_gradients_by_loops``), whatever dx asks for, and otherwise
    BLAS (``one_core=False``)."""
    rng = np.random.default_rng(0)
    x, kernel, recurrent, bias, h0, c0 = lstm_arrays(rng, 3, 14, 2, 3, form=form)
    state = (h0, c0) if with_state else (None, None)
    hidden, *_, cache = lstm.forward_numba(x, kernel, recurrent, bias, *state, two_cores=False)
    called, original = [], lstm_numba.weight_gradients_by_loops
    monkeypatch.setattr(lstm_numba, "weight_gradients_by_loops",
                        lambda *args: called.append(True) or original(*args))
    lstm.backward_numba(hidden, None, None, cache, input_gradient=input_gradient,
                        one_core=False, two_cores=False)
    assert called == ([True] if few else [])


@pytest.mark.parametrize("input_gradient, loops_rows", [
    (lstm.SUMMED_OVER_STEPS, [(3, 12)]), (True, [])])
def test_on_the_blas_route_a_summed_input_gradient_of_few_rows_runs_by_the_loops(
        monkeypatch, input_gradient, loops_rows):
    """Past a few rows (here 45) the products after the time loop go through BLAS
    (``one_core=False``), dx at every step with them; Σ_t dx_t has B = 3 rows, which the
    loops take (``few_rows``)."""
    rng = np.random.default_rng(0)
    x, kernel, recurrent, bias, _, _ = lstm_arrays(rng, 3, 15, 2, 3)
    hidden, *_, cache = lstm.forward_numba(x, kernel, recurrent, bias, two_cores=False)
    called, original = [], vector_products.loops_times_matrix_transposed
    monkeypatch.setattr(vector_products, "loops_times_matrix_transposed",
                        lambda rows, matrix: called.append(rows.shape) or original(rows, matrix))
    lstm.backward_numba(hidden, None, None, cache, input_gradient=input_gradient,
                        one_core=False, two_cores=False)
    assert called == loops_rows


@pytest.mark.parametrize("shape, expected", [
    ((10, 50, 1, 20), True), ((10, 50, 20, 20), True),     # the damped-sine tutorial's layers
    ((6, 50, 1, 20), True),                                 # TWO_CORES_MIN_ROWS rows
    ((1, 300, 1, 20), False),                               # one sequence: nothing to halve
    ((10, 20, 1, 20), False), ((4, 50, 1, 20), False),      # fewer rows: the hand-over weighs
    ((10, 5, 12, 100), False), ((64, 20, 30, 256), False),  # wide products, or BLAS's loops
    ((10, 50, 21, 20), False)])                             # 2·21 + 20 past ONE_CORE_MAX_WIDTH
def test_two_cores_pay_for_narrow_batches_of_many_rows(shape, expected):
    assert lstm_routes.two_cores_pay(*shape) is expected


@pytest.mark.parametrize("two_cores, batch, halved", [
    (True, 1, True), (False, 3, False), (None, 3, True), (None, 1, False)])
def test_two_cores_forces_or_chooses_the_halves(monkeypatch, two_cores, batch, halved):
    """``two_cores`` forces the halves (even of one sequence: the second is empty) or this
    core; None picks by ``two_cores_pay`` (3 × 100 rows of 2 features into 3 units: narrow
    and, with the rows' limit lowered to 100, enough rows)."""
    monkeypatch.setattr(lstm_routes, "TWO_CORES_MIN_ROWS", 100)
    rng = np.random.default_rng(0)
    x, kernel, recurrent, bias, _, _ = lstm_arrays(rng, batch, 100, 2, 3)
    called = []
    monkeypatch.setattr(lstm_halves, "in_halves", lambda function, args: called.append(function)
                        or (function(0, *args), function(1, *args)))
    hidden, *_, cache = lstm.forward_numba(x, kernel, recurrent, bias, two_cores=two_cores)
    lstm.backward_numba(hidden, None, None, cache, two_cores=two_cores)
    assert called == ([lstm_halves.forward_half, lstm_halves.backward_half] if halved else [])


@pytest.mark.parametrize("blas", [False, True])
@pytest.mark.parametrize("form, repeated, one_hot", [
    ("dense", False, False), ("one-hot", False, True), ("repeated", True, False),
    ("repeated one-hot", True, True)])
def test_the_form_of_x_is_kept_on_this_core(blas, form, repeated, one_hot):
    """The Numba twin keeps whether x repeats its first step, and the columns of its
    distinct rows (x_1's when it repeats) when they are one-hot, -1 for a zero row; the
    two-core route, which forms x W in its halves, keeps neither. A value changed rules
    the form out."""
    rng = np.random.default_rng(3)
    x, kernel, recurrent, bias, _, _ = lstm_arrays(rng, 3, 4, 5, 2, form=form)
    rows = x[:, 0] if repeated else x.reshape(-1, 5)                   # (R, I)
    *_, cache = lstm.forward_numba(x, kernel, recurrent, bias, blas=blas, two_cores=False)
    assert cache.repeated is repeated
    if one_hot:
        np.testing.assert_array_equal(cache.hot, np.where(rows.any(axis=1), rows.argmax(axis=1),
                                                          -1))
    else:
        assert cache.hot is None
    *_, cache = lstm.forward_numba(x, kernel, recurrent, bias, blas=blas, two_cores=True)
    assert cache.hot is None and not cache.repeated
    x[2, 3, 0] = 0.5
    *_, cache = lstm.forward_numba(x, kernel, recurrent, bias, blas=blas, two_cores=False)
    assert cache.hot is None and not cache.repeated
