"""The attention decoder kernel: twins agree and every gradient path is right."""
import numpy as np
import pytest
from hypothesis import given

from conftest import (GRADIENT_TOLERANCE, attention_batches, attention_classes,
                      attention_features, attention_steps, attention_units,
                      attention_weights, seeds)
from minilstm.gradcheck import numerical_gradient, relative_error
from minilstm.kernels import attention, vector_products
from minilstm.kernels.reference_math import sigmoid as sigmoid_reference

TWINS = {"numpy": (attention.forward_reference, attention.backward_reference),
         "numba": (attention.forward_numba, attention.backward_numba)}
shape_arguments = (attention_batches, attention_steps, attention_steps, attention_features,
                   attention_units, attention_classes, seeds)


def draw_problem(seed, batch, steps_in, steps_out, features, units, classes, dtype):
    rng = np.random.default_rng(seed)
    weights = attention_weights(rng, features, units, classes, dtype)
    h = rng.standard_normal((batch, steps_in, features)).astype(dtype)
    upstream = {"d_outputs": rng.standard_normal((batch, steps_out, classes)).astype(dtype),
                "d_logits": rng.standard_normal((batch, steps_out, classes)).astype(dtype),
                "d_attention": rng.standard_normal((batch, steps_out, steps_in)).astype(dtype)}
    return h, weights, upstream


def assert_twins_agree(h, weights, upstream, steps_out, dtype, tolerance):
    results = {}
    for name, (forward, backward) in TWINS.items():
        *forward_arrays, cache = forward(h, weights, steps_out)
        d_h, d_weights = backward(cache, **upstream)
        results[name] = forward_arrays + [d_h] + list(d_weights)
    for reference, jitted in zip(results["numpy"], results["numba"]):
        assert jitted.dtype == dtype
        np.testing.assert_allclose(jitted, reference, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-10), (np.float32, 1e-5)])
@given(*shape_arguments)
def test_numba_twin_matches_numpy_reference(dtype, tolerance, batch, steps_in, steps_out,
                                            features, units, classes, seed):
    h, weights, upstream = draw_problem(seed, batch, steps_in, steps_out, features, units,
                                        classes, dtype)
    assert_twins_agree(h, weights, upstream, steps_out, dtype, tolerance)


@pytest.mark.parametrize("loop_max_rows", [0, 10 ** 9])
@given(*shape_arguments)
def test_products_over_all_rows_by_loops_or_blas_match_the_reference(
        loop_max_rows, batch, steps_in, steps_out, features, units, classes, seed):
    """h U_a, h_1 W_s, their transposes and the weight gradients go through loops or BLAS
    by row count (``vector_products.few_rows``); here each route is forced for every shape
    drawn."""
    h, weights, upstream = draw_problem(seed, batch, steps_in, steps_out, features, units,
                                        classes, np.float64)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vector_products, "LOOP_MAX_ROWS", loop_max_rows)
        assert_twins_agree(h, weights, upstream, steps_out, np.float64, 1e-10)


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-10), (np.float32, 1e-5)])
@given(*shape_arguments)
def test_the_numba_twins_batch_path_with_its_jitted_step_functions_matches_the_reference(
        dtype, tolerance, batch, steps_in, steps_out, features, units, classes, seed):
    """Large batches go to the NumPy twin's batch-vectorised steps with jitted step functions
    (``batch_products_pay``, ``JITTED_STEP_FUNCTIONS``); here that path is forced for every
    shape."""
    h, weights, upstream = draw_problem(seed, batch, steps_in, steps_out, features, units,
                                        classes, dtype)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(attention, "batch_products_pay", lambda batch, units: True)
        assert_twins_agree(h, weights, upstream, steps_out, dtype, tolerance)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("jitted, numpys", [(attention.tanh_by_loops, np.tanh),
                                            (attention.sigmoid_by_loops, sigmoid_reference)])
def test_the_jitted_tanh_and_sigmoid_keep_shape_and_dtype_and_equal_numpys(jitted, numpys,
                                                                           dtype):
    x = np.linspace(-12, 12, 2 * 3 * 7, dtype=dtype).reshape(2, 3, 7)[:, ::2]   # strided
    got = jitted(x)
    assert got.shape == x.shape and got.dtype == dtype
    tolerance = 4e-7 if dtype == np.float32 else 1e-15     # fast_math's float32 bound
    np.testing.assert_allclose(got, numpys(x), rtol=0, atol=tolerance)


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(*shape_arguments)
def test_weight_gradients_written_into_given_arrays_equal_new_ones(
        twin, batch, steps_in, steps_out, features, units, classes, seed):
    """``out``: every other weight given an array (NaN-filled, so an unwritten element
    shows), the others None."""
    forward, backward = TWINS[twin]
    h, weights, upstream = draw_problem(seed, batch, steps_in, steps_out, features, units,
                                        classes, np.float32)
    *_, cache = forward(h, weights, steps_out)
    d_h, new = backward(cache, **upstream)
    out = attention.AttentionWeights(*(np.full_like(array, np.nan) if index % 2 else None
                                       for index, array in enumerate(weights)))
    written_d_h, written = backward(cache, out=out, **upstream)
    np.testing.assert_array_equal(written_d_h, d_h)
    for name, given_array, a, b in zip(attention.WEIGHT_NAMES, out, new, written):
        assert given_array is None or b is given_array, name
        np.testing.assert_array_equal(a, b, err_msg=name)


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_a_given_gradient_array_may_be_strided(twin):
    """A column-strided view (not C-contiguous) as ``out.U_r`` is written like a new array."""
    forward, backward = TWINS[twin]
    h, weights, upstream = draw_problem(0, 1, 3, 2, 4, 5, 6, np.float32)
    *_, cache = forward(h, weights, 2)
    _, new = backward(cache, **upstream)
    strided = np.full((5, 10), np.nan, np.float32)[:, ::2]
    out = attention.AttentionWeights(*(None,) * len(weights))._replace(U_r=strided)
    _, written = backward(cache, out=out, **upstream)
    assert written.U_r is strided
    np.testing.assert_array_equal(strided, new.U_r)


@pytest.mark.parametrize("loop_max_rows", [0, 10 ** 9])
@pytest.mark.parametrize("twin", sorted(TWINS))
def test_a_given_gradient_array_of_the_wrong_shape_is_refused(monkeypatch, twin,
                                                              loop_max_rows):
    monkeypatch.setattr(vector_products, "LOOP_MAX_ROWS", loop_max_rows)
    forward, backward = TWINS[twin]
    h, weights, upstream = draw_problem(0, 1, 2, 2, 3, 4, 5, np.float64)
    *_, cache = forward(h, weights, 2)
    out = attention.AttentionWeights(*(None,) * len(weights))._replace(U_r=np.empty((4, 5)))
    with pytest.raises(ValueError):
        backward(cache, out=out, **upstream)


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(*shape_arguments)
def test_backward_matches_finite_differences_on_every_path(twin, batch, steps_in, steps_out,
                                                           features, units, classes, seed):
    """L = <R_y, outputs> + <R_o, logits> + <R_a, attention>: all three ways in."""
    forward, backward = TWINS[twin]
    h, weights, upstream = draw_problem(seed, batch, steps_in, steps_out, features, units,
                                        classes, np.float64)

    def loss():
        outputs, attention_weights, logits, _ = forward(h, weights, steps_out)
        return float(np.sum(upstream["d_outputs"] * outputs) + np.sum(upstream["d_logits"] * logits)
                     + np.sum(upstream["d_attention"] * attention_weights))

    *_, cache = forward(h, weights, steps_out)
    d_h, d_weights = backward(cache, **upstream)
    assert relative_error(d_h, numerical_gradient(loss, h)) < GRADIENT_TOLERANCE
    for name, gradient, array in zip(attention.WEIGHT_NAMES, d_weights, weights):
        error = relative_error(gradient, numerical_gradient(loss, array))
        assert error < GRADIENT_TOLERANCE, (name, error)


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_attention_weights_are_a_distribution_and_the_context_their_average(twin):
    forward, _ = TWINS[twin]
    h, weights, _ = draw_problem(3, 2, 4, 3, 3, 5, 4, np.float64)
    outputs, attention_weights, logits, cache = forward(h, weights, 3)
    np.testing.assert_allclose(attention_weights.sum(axis=-1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(cache.contexts, np.einsum("btj,bjd->btd", attention_weights, h),
                               rtol=1e-13)
    np.testing.assert_allclose(outputs.sum(axis=-1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(cache.states[:, 0], np.tanh(h[:, 0] @ weights.W_s), rtol=1e-14)


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_zero_scores_attend_uniformly_and_the_first_output_ignores_the_zero_feedback(twin):
    forward, _ = TWINS[twin]
    h, weights, _ = draw_problem(4, 1, 5, 2, 3, 4, 3, np.float64)
    weights = weights._replace(V_a=np.zeros_like(weights.V_a))
    outputs, attention_weights, logits, cache = forward(h, weights, 2)
    np.testing.assert_allclose(attention_weights, 0.2, rtol=1e-14)
    context = h.mean(axis=1)                                     # (1, D)
    s0 = np.tanh(h[:, 0] @ weights.W_s)
    np.testing.assert_allclose(logits[:, 0], s0 @ weights.U_o + context @ weights.C_o
                               + weights.b_o, rtol=1e-12)
