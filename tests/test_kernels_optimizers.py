"""The optimiser update kernels: the one-pass Numba twins equal the NumPy twins."""
import numpy as np
import pytest

from minilstm.kernels import optimizers as kernels

RULES = {
    "sgd_momentum": lambda: ((0.1, 0.9, True), 1),
    "rmsprop": lambda: ((0.01, 0.9, 0.5, 1e-7), 2),
    "adam": lambda: ((0.003, 0.9, 0.999, 1e-7), 2),
}


@pytest.mark.parametrize("rule", sorted(RULES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numba_update_equals_numpy_update_over_several_steps(rule, dtype):
    scalars, n_state = RULES[rule]()
    rng = np.random.default_rng(0)
    start = rng.standard_normal((3, 4)).astype(dtype)
    results = {}
    for twin in ("reference", "numba"):
        param = start.copy()
        state = [np.zeros_like(param) for _ in range(n_state)]
        for step in range(5):
            grad = np.random.default_rng(step).standard_normal((3, 4)).astype(dtype)
            getattr(kernels, f"{rule}_{twin}")(param, grad, *state, *scalars)
        results[twin] = param
    assert results["numba"].dtype == dtype
    tolerance = 1e-12 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(results["numba"], results["reference"], rtol=tolerance,
                               atol=tolerance)


def test_numba_update_refuses_weights_it_could_only_update_in_a_copy():
    param = np.zeros((4, 4))[:, ::2]
    with pytest.raises(ValueError, match="C-contiguous"):
        kernels.adam_numba(param, np.ones((4, 2)), np.zeros((4, 2)), np.zeros((4, 2)),
                           0.001, 0.9, 0.999, 1e-7)
