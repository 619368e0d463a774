"""The additive attention step both attention kernels share: twins agree, and its backward
pass matches finite differences."""
import numpy as np
import pytest
from hypothesis import given

from conftest import (GRADIENT_TOLERANCE, attention_batches, attention_features,
                      attention_steps, attention_units, seeds)
from minilstm.gradcheck import numerical_gradient, relative_error
from minilstm.kernels import additive_attention as kernel

TWINS = {"numpy": (kernel.attend_reference, kernel.attend_backward_reference),
         "numba": (kernel.attend, kernel.attend_backward)}
shapes = (attention_batches, attention_steps, attention_steps, attention_features,
          attention_units, seeds)


def draw(seed, batch, steps_in, steps_out, features, units, dtype):
    """Memory, projection, query, v; then the upstream gradients dL/dc (B, T_out, D) and
    dL/da (B, T_out, T_in), one per step."""
    rng = np.random.default_rng(seed)

    def normal(*shape):
        return rng.standard_normal(shape).astype(dtype)

    inputs = (normal(batch, steps_in, features), normal(batch, steps_in, units),
              normal(batch, units), normal(units))
    return inputs, normal(batch, steps_out, features), normal(batch, steps_out, steps_in)


def run_step(twin, t, steps_out, memory, projected, query, v, d_context, d_attention,
             gradients=None):
    """Step t forwards then backwards: (E, a, c) and (dM, dP, dv, dq). dM, dP and dv
    accumulate into ``gradients`` when given, else into fresh zeros."""
    attend, attend_backward = TWINS[twin]
    batch, steps_in, units = projected.shape
    dtype = memory.dtype
    energies = np.full((batch, steps_out, steps_in, units), np.nan, dtype)
    attention = np.full((batch, steps_out, steps_in), np.nan, dtype)
    contexts = np.full((batch, steps_out, memory.shape[2]), np.nan, dtype)
    attend(memory, projected, query, v, t, energies, attention, contexts)
    d_memory, d_projected, d_v = gradients or (np.zeros_like(memory), np.zeros_like(projected),
                                               np.zeros_like(v))
    d_query = np.full((batch, steps_out, units), np.nan, dtype)
    attend_backward(memory, v, t, energies, attention, np.ascontiguousarray(d_context[:, t]),
                    d_attention, d_memory, d_projected, d_v, d_query)
    forward = (energies[:, t], attention[:, t], contexts[:, t])
    return forward, (d_memory, d_projected, d_v, d_query[:, t])


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-10), (np.float32, 1e-5)])
@given(*shapes)
def test_numba_twin_matches_numpy_reference(dtype, tolerance, batch, steps_in, steps_out,
                                            features, units, seed):
    inputs, d_context, d_attention = draw(seed, batch, steps_in, steps_out, features, units,
                                          dtype)
    t = steps_out - 1
    results = {twin: run_step(twin, t, steps_out, *inputs, d_context, d_attention)
               for twin in TWINS}
    for reference, jitted in zip(sum(results["numpy"], ()), sum(results["numba"], ())):
        assert jitted.dtype == dtype
        np.testing.assert_allclose(jitted, reference, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("twin", sorted(TWINS))
@given(*shapes)
def test_backward_matches_finite_differences(twin, batch, steps_in, steps_out, features,
                                             units, seed):
    """L = <R_c, c_t> + <R_a, a_t> at the last step t; gradients for M, P, q and v."""
    inputs, d_context, d_attention = draw(seed, batch, steps_in, steps_out, features, units,
                                          np.float64)
    t = steps_out - 1

    def loss():
        _, attention, context = run_step(twin, t, steps_out, *inputs, d_context,
                                         d_attention)[0]
        return float(np.sum(d_context[:, t] * context) + np.sum(d_attention[:, t] * attention))

    d_memory, d_projected, d_v, d_query = run_step(twin, t, steps_out, *inputs, d_context,
                                                   d_attention)[1]
    for gradient, array in zip((d_memory, d_projected, d_query, d_v), inputs):
        assert relative_error(gradient, numerical_gradient(loss, array)) < GRADIENT_TOLERANCE


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_backward_accumulates_into_the_memory_projection_and_v_gradients(twin):
    """dM, dP and dv are sums over steps: a second step adds to what the first left."""
    inputs, d_context, d_attention = draw(0, 2, 3, 2, 4, 5, np.float64)
    first = run_step(twin, 0, 2, *inputs, d_context, d_attention)[1]
    second = run_step(twin, 1, 2, *inputs, d_context, d_attention)[1]
    memory, projected, _, v = inputs
    totals = (np.zeros_like(memory), np.zeros_like(projected), np.zeros_like(v))
    for t in (0, 1):
        run_step(twin, t, 2, *inputs, d_context, d_attention, gradients=totals)
    for total, one, other in zip(totals, first, second):
        np.testing.assert_allclose(total, one + other, rtol=1e-12, atol=1e-12)
