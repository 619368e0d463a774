"""The activations of the recurrent kernels: both forms agree, and each derivative, written
with the activation's output, is the derivative."""
import re

import numpy as np
import pytest
from numba import njit

from minilstm.kernels.recurrent_activations import (NAMES, activate, checked, derivative,
                                                    marker, reference)


@njit
def _jitted_forms(activation_marker, z, y, slope):
    """y = f(z) and f'(z) from y, by the jitted scalar forms, element by element."""
    for k in range(z.shape[0]):
        y[k] = activate(activation_marker, z[k])
        slope[k] = derivative(activation_marker, y[k])


# Points on both sides of every kink (0 for relu, ±3 for hard_sigmoid) and far out
POINTS = np.concatenate([np.linspace(-7.0, 7.0, 57), [-3.0001, -2.9999, -1e-4, 1e-4,
                                                      2.9999, 3.0001]])


@pytest.mark.parametrize("dtype, tolerance", [(np.float64, 1e-15), (np.float32, 4e-7)])
@pytest.mark.parametrize("name", NAMES)
def test_the_jitted_forms_equal_the_numpy_forms(name, dtype, tolerance):
    """In float32, tanh and sigmoid are ``fast_math``'s rational forms (error below 4e-7)."""
    z = POINTS.astype(dtype)
    y, slope = np.empty_like(z), np.empty_like(z)
    _jitted_forms(marker(name), z, y, slope)
    function, function_derivative = reference(name)
    assert function(z).dtype == function_derivative(function(z)).dtype == dtype
    np.testing.assert_allclose(y, function(z), rtol=0, atol=tolerance)
    np.testing.assert_allclose(slope, function_derivative(function(z)), rtol=0, atol=tolerance)


@pytest.mark.parametrize("name", NAMES)
def test_each_derivative_from_the_output_is_the_derivative(name):
    """Central differences of f at points away from its kinks, in float64."""
    function, function_derivative = reference(name)
    step = 1e-6
    away = POINTS[(np.abs(POINTS) > 2 * step) & (np.abs(np.abs(POINTS) - 3.0) > 2 * step)]
    numerical = (function(away + step) - function(away - step)) / (2 * step)
    np.testing.assert_allclose(function_derivative(function(away)), numerical, rtol=0,
                               atol=1e-8)


def test_names_are_checked_and_none_is_linear():
    assert checked("activation", None) == "linear"
    assert checked("activation", "relu") == checked("activation", "ReLU") == "relu"
    for bad in ("gelu", "re_lu", 3, ["relu"], np.array(["relu"])):
        with pytest.raises(ValueError, match=r"^recurrent_activation must be one of 'tanh', "
                                             r"'sigmoid', 'hard_sigmoid', 'relu', 'linear' "
                                             rf"\(or None for 'linear'\); got "
                                             rf"{re.escape(repr(bad))}$"):
            checked("recurrent_activation", bad)
