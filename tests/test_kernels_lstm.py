"""The LSTM kernel: twins agree, gradients are right, state hand-over is exact."""
import functools

import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import (ACTIVATION_PAIRS, FINE_STEP, GRADIENT_TOLERANCE, SCALAR_ACTIVATIONS,
                      batches, features, input_forms, lstm_arrays, seeds, steps, units)
from minilstm.gradcheck import numerical_gradient, relative_error
from minilstm.kernels import lstm, lstm_routes, vector_products


def numba_path(blas, two_cores=False):
    """The Numba twin with its recurrent products forced through loops or BLAS, on this
    core, or with its batch in two halves on two cores (by loops)."""
    return (functools.partial(lstm.forward_numba, blas=blas, two_cores=two_cores),
            functools.partial(lstm.backward_numba, blas=blas, two_cores=two_cores))


TWINS = {"numpy": (lstm.forward_reference, lstm.backward_reference),
         "numba-loops": numba_path(False),
         "numba-blas": numba_path(True),
         "numba-two-cores": numba_path(False, two_cores=True)}
NUMBA_PATHS = ("numba-loops", "numba-blas", "numba-two-cores")

# How the Numba twin forms the products over all B·T rows (x W, and after the time loop dW,
# dU, db, dx): (vector_products.LOOP_MAX_ROWS and lstm_routes.GRADIENT_LOOP_MAX_ROWS,
# lstm_routes.ONE_CORE_MAX_WIDTH) forcing each route
ROUTES = {"few-row loops": (10 ** 9, 10 ** 9), "row-block loops": (0, 10 ** 9),
          "BLAS": (0, 0)}


def force_route(patch, route):
    loop_max_rows, one_core_max_width = ROUTES[route]
    patch.setattr(vector_products, "LOOP_MAX_ROWS", loop_max_rows)
    patch.setattr(lstm_routes, "GRADIENT_LOOP_MAX_ROWS", loop_max_rows)
    patch.setattr(lstm_routes, "ONE_CORE_MAX_WIDTH", one_core_max_width)


def forward_pass(twin, batch, steps_, features_, units_):
    """``twin``'s forward pass on seed 0's arrays of that shape: ``(kernel, hidden, cache,
    backward)``, the twin's backward function last."""
    x, kernel, recurrent, bias, _, _ = lstm_arrays(np.random.default_rng(0), batch, steps_,
                                                   features_, units_)
    forward, backward = TWINS[twin]
    hidden, *_, cache = forward(x, kernel, recurrent, bias)
    return kernel, hidden, cache, backward


def recurrent_mask(rng, batch, units_, dtype=np.float64):
    """A recurrent dropout mask (B, H): each entry 0 with probability 0.4, else 1 / 0.6."""
    return ((rng.random((batch, units_)) >= 0.4) / 0.6).astype(dtype)


def step_mask(rng, batch, steps_):
    """A mask of the steps each sequence reads (B, T): each step unread with probability 0.3,
    as padding anywhere in a sequence (at its start, its end, or between)."""
    return rng.random((batch, steps_)) >= 0.3


def run_both_twins(arrays, with_state, go_backwards, rng, masked=False, step_masked=False,
                   activations=("tanh", "sigmoid")):
    x, kernel, recurrent, bias, h0, c0 = arrays
    if not with_state:
        h0 = c0 = None
    batch, steps_, units_ = x.shape[0], x.shape[1], recurrent.shape[0]
    d_hidden = rng.standard_normal((batch, steps_, units_)).astype(x.dtype)
    d_h = rng.standard_normal((batch, units_)).astype(x.dtype)
    d_c = rng.standard_normal((batch, units_)).astype(x.dtype)
    mask = recurrent_mask(rng, batch, units_, x.dtype) if masked else None
    reads = step_mask(rng, batch, steps_) if step_masked else None
    results = {}
    for name, (forward, backward) in TWINS.items():
        hidden, h_last, c_last, cache = forward(x, kernel, recurrent, bias, h0, c0, go_backwards,
                                                recurrent_mask=mask, step_mask=reads,
                                                activation=activations[0],
                                                recurrent_activation=activations[1])
        results[name] = (hidden, h_last, c_last) + backward(d_hidden, d_h, d_c, cache)
    return results


@given(batches, steps, features, units, st.booleans(), st.booleans(), input_forms, seeds,
       st.booleans(), st.booleans())
def test_numba_twin_matches_numpy_reference_in_float64(batch, steps_, features_, units_,
                                                       with_state, go_backwards, form, seed,
                                                       masked, step_masked):
    """With and without a recurrent mask and a step mask, on every route of the time loop."""
    rng = np.random.default_rng(seed)
    arrays = lstm_arrays(rng, batch, steps_, features_, units_, form=form)
    results = run_both_twins(arrays, with_state, go_backwards, rng, masked, step_masked)
    for path in NUMBA_PATHS:
        for reference, jitted in zip(results["numpy"], results[path]):
            np.testing.assert_allclose(jitted, reference, rtol=0, atol=1e-10)


@pytest.mark.parametrize("route", sorted(ROUTES))
@given(batches, steps, features, units, st.booleans(), st.booleans(), input_forms, seeds,
       st.booleans(), st.booleans())
def test_products_over_all_rows_by_loops_or_blas_match_the_reference(
        route, batch, steps_, features_, units_, with_state, go_backwards, form, seed, masked,
        step_masked):
    """x W, dz Wᵀ and the weight gradients over all B·T rows go through loops or BLAS by
    row count (``vector_products.few_rows``; the weight gradients by
    ``lstm_routes.few_gradient_rows``) and, beyond a few rows, by the products' width
    (``lstm_routes.one_core_pays``); here each route is forced for every shape drawn. On every
    route one-hot rows of x take W's rows and sums of dz's rows instead of x W and dW, an
    x that repeats its first step projects and pairs with dz one step's rows, and without
    an initial state dU leaves out the first step's zero terms; with a recurrent mask, dU
    pairs dz_t with h_{t-1} ⊙ m."""
    rng = np.random.default_rng(seed)
    arrays = lstm_arrays(rng, batch, steps_, features_, units_, form=form)
    with pytest.MonkeyPatch.context() as patch:
        force_route(patch, route)
        results = run_both_twins(arrays, with_state, go_backwards, rng, masked, step_masked)
    for path in NUMBA_PATHS:
        for reference, jitted in zip(results["numpy"], results[path]):
            np.testing.assert_allclose(jitted, reference, rtol=0, atol=1e-10)


@given(batches, steps, features, units, st.booleans(), st.booleans(), input_forms, seeds,
       st.booleans(), st.booleans())
def test_numba_twin_matches_numpy_reference_in_float32(batch, steps_, features_, units_,
                                                       with_state, go_backwards, form, seed,
                                                       masked, step_masked):
    rng = np.random.default_rng(seed)
    arrays = lstm_arrays(rng, batch, steps_, features_, units_, dtype=np.float32,
                         form=form)
    results = run_both_twins(arrays, with_state, go_backwards, rng, masked, step_masked)
    for path in NUMBA_PATHS:
        for reference, jitted in zip(results["numpy"], results[path]):
            np.testing.assert_allclose(jitted, reference, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("twin", sorted(TWINS))
def test_kernels_keep_the_input_dtype(dtype, twin):
    rng = np.random.default_rng(0)
    x, kernel, recurrent, bias, h0, c0 = lstm_arrays(rng, 2, 3, 4, 5, dtype=dtype)
    forward, backward = TWINS[twin]
    hidden, h_last, c_last, cache = forward(x, kernel, recurrent, bias, h0, c0)
    grads = backward(np.ones_like(hidden), None, None, cache)
    assert {a.dtype for a in (hidden, h_last, c_last) + grads} == {np.dtype(dtype)}


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(batches, steps, features, units, seeds)
def test_weight_gradients_written_into_given_arrays_equal_new_ones(twin, batch, steps_,
                                                                   features_, units_, seed):
    rng = np.random.default_rng(seed)
    x, kernel, recurrent, bias, _, _ = lstm_arrays(rng, batch, steps_, features_, units_)
    forward, backward = TWINS[twin]
    *_, cache = forward(x, kernel, recurrent, bias)
    d_hidden = rng.standard_normal((batch, steps_, units_))
    new = backward(d_hidden, None, None, cache)
    out = (np.full_like(kernel, np.nan), np.full_like(recurrent, np.nan), None)
    written = backward(d_hidden, None, None, cache, out=out)
    assert written[1] is out[0] and written[2] is out[1]
    for a, b in zip(new, written):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_a_given_gradient_array_may_be_strided(twin):
    """A column-strided view (not C-contiguous) as dU is written like a new array."""
    _, hidden, cache, backward = forward_pass(twin, 1, 3, 4, 5)
    new = backward(hidden, None, None, cache)
    strided = np.full((5, 40), np.nan)[:, ::2]
    written = backward(hidden, None, None, cache, out=(None, strided, None))
    assert written[2] is strided
    np.testing.assert_array_equal(strided, new[2])


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize("twin", sorted(TWINS))
def test_a_given_gradient_array_of_the_wrong_shape_is_refused(monkeypatch, twin, route):
    force_route(monkeypatch, route)
    _, hidden, cache, backward = forward_pass(twin, 2, 3, 4, 5)
    with pytest.raises(ValueError):
        backward(hidden, None, None, cache, out=(None, np.empty((4, 20)), None))


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(batches, steps, features, units, st.booleans(), input_forms, seeds)
def test_input_gradient_summed_over_steps_is_dx_summed_and_the_rest_unchanged(
        twin, batch, steps_, features_, units_, go_backwards, form, seed):
    """``SUMMED_OVER_STEPS``: Σ_t dx_t (B, I), as (Σ_t dz_t) Wᵀ, what a RepeatVector before
    the layer needs."""
    rng = np.random.default_rng(seed)
    x, kernel, recurrent, bias, _, _ = lstm_arrays(rng, batch, steps_, features_, units_,
                                                   form=form)
    forward, backward = TWINS[twin]
    *_, cache = forward(x, kernel, recurrent, bias, go_backwards=go_backwards)
    d_hidden = rng.standard_normal((batch, steps_, units_))
    full = backward(d_hidden, None, None, cache)
    summed = backward(d_hidden, None, None, cache, input_gradient=lstm.SUMMED_OVER_STEPS)
    np.testing.assert_allclose(summed[0], full[0].sum(axis=1), rtol=0, atol=1e-12)
    for a, b in zip(full[1:], summed[1:]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_an_unknown_input_gradient_is_refused_before_any_gradient_is_written(twin):
    kernel, hidden, cache, backward = forward_pass(twin, 2, 3, 4, 5)
    d_kernel = np.full_like(kernel, np.nan)
    with pytest.raises(ValueError, match="input_gradient must be True, False or "
                                         "'summed over steps'; got 'summed'"):
        backward(hidden, None, None, cache, out=(d_kernel, None, None), input_gradient="summed")
    assert np.isnan(d_kernel).all()


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(batches, steps, features, units, st.booleans(), seeds)
def test_without_input_gradient_dx_is_none_and_the_rest_unchanged(twin, batch, steps_,
                                                                  features_, units_,
                                                                  go_backwards, seed):
    rng = np.random.default_rng(seed)
    x, kernel, recurrent, bias, _, _ = lstm_arrays(rng, batch, steps_, features_, units_)
    forward, backward = TWINS[twin]
    *_, cache = forward(x, kernel, recurrent, bias, go_backwards=go_backwards)
    d_hidden = rng.standard_normal((batch, steps_, units_))
    full = backward(d_hidden, None, None, cache)
    without = backward(d_hidden, None, None, cache, input_gradient=False)
    assert full[0].shape == x.shape and without[0] is None
    for a, b in zip(full[1:], without[1:]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(batches, steps, features, units, st.booleans(), seeds)
def test_without_initial_state_gradient_dh0_dc0_are_none_and_the_rest_unchanged(
        twin, batch, steps_, features_, units_, with_state, seed):
    """``initial_state_gradient=False``: no dh_0, dc_0 (nor the product dz_1 Uᵀ that makes
    dh_0), whether or not the forward pass was given an initial state."""
    rng = np.random.default_rng(seed)
    x, kernel, recurrent, bias, h0, c0 = lstm_arrays(rng, batch, steps_, features_, units_)
    forward, backward = TWINS[twin]
    state = (h0, c0) if with_state else (None, None)
    *_, cache = forward(x, kernel, recurrent, bias, *state)
    d_hidden = rng.standard_normal((batch, steps_, units_))
    d_h, d_c = rng.standard_normal((2, batch, units_))
    full = backward(d_hidden, d_h, d_c, cache)
    without = backward(d_hidden, d_h, d_c, cache, initial_state_gradient=False)
    assert full[4].shape == full[5].shape == (batch, units_)
    assert without[4] is None and without[5] is None
    for a, b in zip(full[:4], without[:4]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(batches, steps, features, units, st.booleans(), st.booleans(), input_forms, seeds,
       st.booleans(), st.booleans())
def test_backward_matches_finite_differences_with_carried_state_gradients(
        twin, batch, steps_, features_, units_, with_state, go_backwards, form, seed, masked,
        step_masked):
    """L = <R, hidden> + <R_h, h_T> + <R_c, c_T>: the carried-in d_h_last, d_c_last count.
    Every form of x the Numba twin reads specially (``input_forms``) is drawn, and runs with
    and without an initial state (h_0 = c_0 = 0, of which the Numba twin forms neither h_0 U
    nor, on its few-row route, h_0ᵀ dz_1; no dh_0, dc_0 are asked for then), a recurrent
    mask (z_t = x_t W + b + (h_{t-1} ⊙ m) U: dh_{t-1} = (dz_t Uᵀ) ⊙ m and dU = Σ_t (h_{t-1} ⊙
    m)ᵀ dz_t) and a step mask (unread steps carry the state on)."""
    rng = np.random.default_rng(seed)
    arrays = list(lstm_arrays(rng, batch, steps_, features_, units_, form=form))
    options = {"go_backwards": go_backwards,
               "recurrent_mask": recurrent_mask(rng, batch, units_) if masked else None,
               "step_mask": step_mask(rng, batch, steps_) if step_masked else None}
    check_against_finite_differences(twin, arrays, with_state, rng, options)


def check_against_finite_differences(twin, arrays, with_state, rng, options, step=1e-3):
    """Every gradient of ``twin``'s backward pass against finite differences (``step``) of
    L = <R, hidden> + <R_h, h_T> + <R_c, c_T>, R drawn from ``rng``; ``arrays`` (x, W, U, b,
    h0, c0) without h0, c0 when not ``with_state``; ``options`` to the forward pass."""
    forward, backward = TWINS[twin]
    if not with_state:
        arrays = arrays[:4]
    batch, steps_, units_ = arrays[0].shape[0], arrays[0].shape[1], arrays[2].shape[0]
    r_hidden = rng.standard_normal((batch, steps_, units_))
    r_h, r_c = rng.standard_normal((2, batch, units_))

    def loss():
        hidden, h_last, c_last, _ = forward(*arrays, **options)
        return float(np.sum(r_hidden * hidden) + np.sum(r_h * h_last) + np.sum(r_c * c_last))

    *_, cache = forward(*arrays, **options)
    analytic = backward(r_hidden, r_h, r_c, cache, initial_state_gradient=with_state)
    if not with_state:
        assert analytic[4] is None and analytic[5] is None
    # analytic order: dx, dW, dU, db, dh0, dc0; arrays order: x, W, U, b, h0, c0
    for gradient, array in zip(analytic, arrays):
        numerical = numerical_gradient(loss, array, step=step)
        assert relative_error(gradient, numerical) < GRADIENT_TOLERANCE


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(batches, steps, features, units, st.booleans(), seeds)
def test_a_recurrent_mask_is_the_recurrent_kernel_with_its_rows_scaled_per_sequence(
        twin, batch, steps_, features_, units_, with_state, seed):
    """(h ⊙ m) U = h (diag(m) U): each sequence b of a masked pass equals an unmasked pass
    of that sequence alone with U's rows scaled by m_b, forwards and backwards (dU then
    the sum over the sequences of diag(m_b) dU_b), and a mask of ones changes nothing."""
    forward, backward = TWINS[twin]
    rng = np.random.default_rng(seed)
    x, kernel, recurrent, bias, h0, c0 = lstm_arrays(rng, batch, steps_, features_, units_)
    if not with_state:
        h0 = c0 = None
    mask = recurrent_mask(rng, batch, units_)
    d_hidden = rng.standard_normal((batch, steps_, units_))
    d_h, d_c = rng.standard_normal((2, batch, units_))
    *masked, cache = forward(x, kernel, recurrent, bias, h0, c0, recurrent_mask=mask)
    masked += backward(d_hidden, d_h, d_c, cache, initial_state_gradient=with_state)
    d_recurrent = np.zeros_like(recurrent)
    for b in range(batch):
        state = (None, None) if h0 is None else (h0[b:b + 1], c0[b:b + 1])
        scaled = np.ascontiguousarray(mask[b][:, None] * recurrent)          # diag(m_b) U
        hidden, h_last, c_last, cache_b = forward(x[b:b + 1], kernel, scaled, bias, *state)
        d_x, d_kernel, d_scaled, d_bias, d_h0, d_c0 = backward(
            d_hidden[b:b + 1], d_h[b:b + 1], d_c[b:b + 1], cache_b,
            initial_state_gradient=with_state)
        for alone, whole in ((hidden, masked[0]), (h_last, masked[1]), (c_last, masked[2]),
                             (d_x, masked[3])):
            np.testing.assert_allclose(alone[0], whole[b], rtol=0, atol=1e-12)
        if with_state:
            np.testing.assert_allclose(d_h0[0], masked[7][b], rtol=0, atol=1e-12)
            np.testing.assert_allclose(d_c0[0], masked[8][b], rtol=0, atol=1e-12)
        d_recurrent += mask[b][:, None] * d_scaled
    np.testing.assert_allclose(d_recurrent, masked[5], rtol=0, atol=1e-12)
    ones = np.ones((batch, units_))
    unmasked = forward(x, kernel, recurrent, bias, h0, c0)[:3]
    for with_ones, without in zip(forward(x, kernel, recurrent, bias, h0, c0,
                                          recurrent_mask=ones)[:3], unmasked):
        np.testing.assert_allclose(with_ones, without, rtol=0, atol=1e-12)


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(batches, steps, features, units, st.booleans(), seeds)
def test_unread_steps_are_as_if_left_out_of_the_sequence(twin, batch, steps_, features_,
                                                         units_, with_state, seed):
    """Each sequence with a step mask equals, alone, the sequence of its read steps: h_t at
    each read step, the last states, and (with no gradient given at its unread steps) every
    gradient; an unread step's h_t is the h of the step before (h_0 before any); a mask of
    all steps changes nothing."""
    forward, backward = TWINS[twin]
    rng = np.random.default_rng(seed)
    x, kernel, recurrent, bias, h0, c0 = lstm_arrays(rng, batch, steps_, features_, units_)
    if not with_state:
        h0 = c0 = np.zeros((batch, units_))
    reads = step_mask(rng, batch, steps_)
    d_hidden = rng.standard_normal((batch, steps_, units_)) * reads[..., None]
    d_h, d_c = rng.standard_normal((2, batch, units_))
    hidden, h_last, c_last, cache = forward(x, kernel, recurrent, bias, h0, c0,
                                            step_mask=reads)
    d_x, d_kernel, d_recurrent, d_bias, d_h0, d_c0 = backward(d_hidden, d_h, d_c, cache)
    totals = [np.zeros_like(kernel), np.zeros_like(recurrent), np.zeros_like(bias)]
    for b in range(batch):
        read = np.flatnonzero(reads[b])
        state = (h0[b:b + 1], c0[b:b + 1])
        alone = forward(x[b:b + 1, read], kernel, recurrent, bias, *state)
        gradients = backward(d_hidden[b:b + 1, read], d_h[b:b + 1], d_c[b:b + 1], alone[3])
        np.testing.assert_allclose(hidden[b, read], alone[0][0], rtol=0, atol=1e-12)
        before = np.concatenate([h0[b:b + 1], hidden[b]])[np.maximum.accumulate(
            np.where(reads[b], np.arange(1, steps_ + 1), 0))]         # h of the last read step
        np.testing.assert_array_equal(hidden[b], before)
        for whole, part in ((h_last[b], alone[1][0]), (c_last[b], alone[2][0]),
                            (d_x[b, read], gradients[0][0]), (d_h0[b], gradients[4][0]),
                            (d_c0[b], gradients[5][0])):
            np.testing.assert_allclose(whole, part, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(d_x[b, ~reads[b]], 0.0)
        for total, gradient in zip(totals, gradients[1:4]):
            total += gradient
    for whole, summed in zip((d_kernel, d_recurrent, d_bias), totals):
        np.testing.assert_allclose(whole, summed, rtol=0, atol=1e-12)
    every = np.ones((batch, steps_), bool)
    for with_all, without in zip(forward(x, kernel, recurrent, bias, h0, c0, step_mask=every)[:3],
                                 forward(x, kernel, recurrent, bias, h0, c0)[:3]):
        np.testing.assert_array_equal(with_all, without)


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_a_step_mask_is_read_in_the_order_of_the_input(twin):
    """go_backwards reverses the mask with the input."""
    forward, _ = TWINS[twin]
    rng = np.random.default_rng(3)
    x, kernel, recurrent, bias, h0, c0 = lstm_arrays(rng, 2, 5, 3, 4)
    reads = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1]], bool)
    backwards = forward(x, kernel, recurrent, bias, h0, c0, go_backwards=True, step_mask=reads)
    reversed_input = forward(np.ascontiguousarray(x[:, ::-1]), kernel, recurrent, bias, h0, c0,
                             step_mask=reads[:, ::-1])
    for a, b in zip(backwards[:3], reversed_input[:3]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_a_step_mask_of_another_shape_is_refused_by_name(twin):
    forward, _ = TWINS[twin]
    x, kernel, recurrent, bias, _, _ = lstm_arrays(np.random.default_rng(0), 2, 3, 4, 5)
    with pytest.raises(ValueError, match=r"step_mask must have shape \(2, 3\); got \(3, 2\)"):
        forward(x, kernel, recurrent, bias, step_mask=np.ones((3, 2), bool))


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_a_recurrent_mask_of_another_shape_or_dtype_is_refused_by_name(twin):
    forward, _ = TWINS[twin]
    x, kernel, recurrent, bias, _, _ = lstm_arrays(np.random.default_rng(0), 2, 3, 4, 5)
    with pytest.raises(ValueError, match=r"recurrent_mask must have shape \(2, 5\); "
                                         r"got \(2, 20\)"):
        forward(x, kernel, recurrent, bias, recurrent_mask=np.ones((2, 20)))
    with pytest.raises(TypeError, match="recurrent_mask has dtype float32 where x has float64"):
        forward(x, kernel, recurrent, bias, recurrent_mask=np.ones((2, 5), np.float32))


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(batches, st.integers(2, 6), features, units, seeds, st.data())
def test_running_in_two_halves_equals_running_whole(twin, batch, steps_, features_, units_,
                                                    seed, data):
    forward, backward = TWINS[twin]
    split = data.draw(st.integers(1, steps_ - 1))
    rng = np.random.default_rng(seed)
    x, kernel, recurrent, bias, h0, c0 = lstm_arrays(rng, batch, steps_, features_, units_)
    d_hidden = rng.standard_normal((batch, steps_, units_))
    d_h, d_c = rng.standard_normal((2, batch, units_))

    hidden, h_last, c_last, cache = forward(x, kernel, recurrent, bias, h0, c0)
    whole = backward(d_hidden, d_h, d_c, cache)

    hidden_1, h_mid, c_mid, cache_1 = forward(x[:, :split], kernel, recurrent, bias, h0, c0)
    hidden_2, h_end, c_end, cache_2 = forward(x[:, split:], kernel, recurrent, bias, h_mid, c_mid)
    np.testing.assert_allclose(np.concatenate([hidden_1, hidden_2], axis=1), hidden, atol=1e-12)
    np.testing.assert_allclose(h_end, h_last, atol=1e-12)
    np.testing.assert_allclose(c_end, c_last, atol=1e-12)

    dx_2, dW_2, dU_2, db_2, dh_mid, dc_mid = backward(d_hidden[:, split:], d_h, d_c, cache_2)
    dx_1, dW_1, dU_1, db_1, dh0, dc0 = backward(d_hidden[:, :split], dh_mid, dc_mid, cache_1)
    halves = (np.concatenate([dx_1, dx_2], axis=1), dW_1 + dW_2, dU_1 + dU_2, db_1 + db_2, dh0, dc0)
    for from_halves, from_whole in zip(halves, whole):
        np.testing.assert_allclose(from_halves, from_whole, atol=1e-12)


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_go_backwards_reads_the_reversed_sequence(twin):
    forward, _ = TWINS[twin]
    rng = np.random.default_rng(7)
    x, kernel, recurrent, bias, h0, c0 = lstm_arrays(rng, 2, 5, 3, 4)
    backwards = forward(x, kernel, recurrent, bias, h0, c0, go_backwards=True)
    reversed_input = forward(np.ascontiguousarray(x[:, ::-1]), kernel, recurrent, bias, h0, c0)
    for a, b in zip(backwards[:3], reversed_input[:3]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-10), (np.float32, 1e-5)])
@pytest.mark.parametrize("activations", ACTIVATION_PAIRS)
@given(batches, steps, features, units, st.booleans(), st.booleans(), seeds)
def test_twins_agree_with_other_activations(dtype, tolerance, activations, batch, steps_,
                                            features_, units_, with_state, go_backwards, seed):
    """Each activation of ``recurrent_activations`` as φ and as σ, on every route of the
    time loop."""
    rng = np.random.default_rng(seed)
    arrays = lstm_arrays(rng, batch, steps_, features_, units_, dtype=dtype)
    results = run_both_twins(arrays, with_state, go_backwards, rng, activations=activations)
    for path in NUMBA_PATHS:
        for reference, jitted in zip(results["numpy"], results[path]):
            np.testing.assert_allclose(jitted, reference, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("activations", ACTIVATION_PAIRS)
@pytest.mark.parametrize("twin", sorted(TWINS))
@given(batches, steps, features, units, st.booleans(), seeds)
def test_backward_matches_finite_differences_with_other_activations(
        twin, activations, batch, steps_, features_, units_, with_state, seed):
    """φ' and σ' written with the activations' outputs (``FINE_STEP``: relu's and
    hard_sigmoid's kinks)."""
    rng = np.random.default_rng(seed)
    arrays = list(lstm_arrays(rng, batch, steps_, features_, units_))
    options = {"activation": activations[0], "recurrent_activation": activations[1]}
    check_against_finite_differences(twin, arrays, with_state, rng, options, FINE_STEP)


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_an_unknown_activation_is_refused_by_name(twin):
    forward, _ = TWINS[twin]
    x, kernel, recurrent, bias, _, _ = lstm_arrays(np.random.default_rng(0), 1, 2, 2, 3)
    for argument in ("activation", "recurrent_activation"):
        with pytest.raises(ValueError, match=rf"^{argument} must be one of 'tanh', 'sigmoid', "
                                             r"'hard_sigmoid', 'relu', 'linear' \(or None for "
                                             r"'linear'\); got 'gelu'$"):
            forward(x, kernel, recurrent, bias, **{argument: "gelu"})


@pytest.mark.parametrize("activations", [("tanh", "sigmoid")] + ACTIVATION_PAIRS)
@pytest.mark.parametrize("twin", sorted(TWINS))
def test_constant_weights_give_the_values_of_a_scalar_loop(twin, activations):
    """Every weight 0.1, recurrent 0.2, bias 0 except forget 1: computed here by hand, with
    φ and σ as Keras defines them."""
    forward, _ = TWINS[twin]
    units_, features_ = 2, 3
    x = np.array([[[0.5, -1.0, 2.0], [1.5, 0.0, -0.5], [-1.0, 1.0, 1.0]]])   # (1, 3, 3)
    kernel = np.full((features_, 4 * units_), 0.1)
    recurrent = np.full((units_, 4 * units_), 0.2)
    bias = np.zeros(4 * units_)
    bias[units_:2 * units_] = 1.0
    hidden, h_last, c_last, _ = forward(x, kernel, recurrent, bias, activation=activations[0],
                                        recurrent_activation=activations[1])
    phi, sigma = (SCALAR_ACTIVATIONS[name] for name in activations)
    h = c = 0.0     # by symmetry every unit carries the same value
    expected = []
    for step in x[0]:
        pre = 0.1 * sum(step) + 0.2 * units_ * h
        i, f, g, o = sigma(pre), sigma(pre + 1.0), phi(pre), sigma(pre)
        c = f * c + i * g
        h = o * phi(c)
        expected.append(h)
    np.testing.assert_allclose(hidden[0], np.repeat(np.array(expected)[:, None], units_, 1),
                               rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(h_last[0], [h, h], rtol=1e-14)
    np.testing.assert_allclose(c_last[0], [c, c], rtol=1e-14)


@pytest.mark.parametrize("dtype, atol", [(np.float64, 1e-12), (np.float32, 1e-5)])
@given(st.integers(2, 4), steps, features, units, seeds)
def test_a_batch_of_one_gives_the_first_sequence_of_a_larger_batch(dtype, atol, batch, steps_,
                                                                   features_, units_, seed):
    """Sequences are independent: the loops path runs a batch of one by its own backward
    loop (``backward_fused_one_sequence``) and larger batches two sequences at a time;
    both must give the first sequence's numbers."""
    forward, backward = TWINS["numba-loops"]
    rng = np.random.default_rng(seed)
    x, kernel, recurrent, bias, h0, c0 = lstm_arrays(rng, batch, steps_, features_, units_,
                                                     dtype=dtype)
    d_hidden = rng.standard_normal((batch, steps_, units_)).astype(dtype)
    d_h, d_c = rng.standard_normal((2, batch, units_)).astype(dtype)

    def run(count):
        *outputs, cache = forward(x[:count], kernel, recurrent, bias, h0[:count], c0[:count])
        d_x, _, _, _, d_h0, d_c0 = backward(d_hidden[:count], d_h[:count], d_c[:count], cache)
        return [array[:1] for array in outputs + [d_x, d_h0, d_c0]]

    for alone, in_batch in zip(run(1), run(batch)):
        np.testing.assert_allclose(alone, in_batch, rtol=0, atol=atol)
