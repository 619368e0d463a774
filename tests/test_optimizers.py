"""Optimisers: the first steps equal the published update rules computed by hand."""
import math

import numpy as np
import pytest

from minilstm import optimizers, use_backend
from minilstm.optimizers import SGD, Adam, RMSprop


@pytest.fixture(autouse=True, params=["numba", "numpy"])
def backend(request):
    """Every update rule is checked with both twins of the update kernels."""
    with use_backend(request.param):
        yield request.param


GRADS = [np.array([0.5, -2.0, 1e-4]), np.array([0.1, 0.3, -1e-4]), np.array([-1.0, 0.0, 2.0])]
START = np.array([1.0, -1.0, 0.5])


def run(optimizer):
    """Apply the three gradient steps to a copy of START; return every iterate."""
    param, iterates = START.copy(), []
    for grad in GRADS:
        optimizer.apply([("w", param, grad)])
        iterates.append(param.copy())
    return iterates


def assert_iterates(optimizer, expected):
    for got, want in zip(run(optimizer), expected):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_sgd_plain_step():
    expected, param = [], START.copy()
    for grad in GRADS:
        param = param - 0.1 * grad
        expected.append(param)
    assert_iterates(SGD(learning_rate=0.1), expected)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_steps(nesterov):
    expected, param, velocity = [], START.copy(), np.zeros(3)
    for grad in GRADS:
        velocity = 0.9 * velocity - 0.1 * grad
        param = param + (0.9 * velocity - 0.1 * grad if nesterov else velocity)
        expected.append(param)
    assert_iterates(SGD(learning_rate=0.1, momentum=0.9, nesterov=nesterov), expected)


@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_rmsprop_steps_keep_epsilon_outside_the_square_root(momentum):
    expected, param, mean_square, moving = [], START.copy(), np.zeros(3), np.zeros(3)
    for grad in GRADS:
        mean_square = 0.9 * mean_square + 0.1 * grad ** 2
        step = 0.001 * grad / (np.sqrt(mean_square) + 1e-7)
        moving = momentum * moving + step
        param = param - moving
        expected.append(param)
    assert_iterates(RMSprop(momentum=momentum), expected)


def test_adam_steps_follow_kingma_and_ba_with_keras_epsilon_hat():
    expected, param, m, v = [], START.copy(), np.zeros(3), np.zeros(3)
    for t, grad in enumerate(GRADS, start=1):
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad ** 2
        alpha = 0.001 * math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        param = param - alpha * m / (np.sqrt(v) + 1e-7)
        expected.append(param)
    assert_iterates(Adam(), expected)


def test_defaults_are_keras_defaults():
    adam, rmsprop, sgd = optimizers.get("adam"), optimizers.get("rmsprop"), optimizers.get("sgd")
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == (0.001, 0.9, 0.999, 1e-7)
    assert (rmsprop.learning_rate, rmsprop.rho, rmsprop.epsilon) == (0.001, 0.9, 1e-7)
    assert (sgd.learning_rate, sgd.momentum, sgd.nesterov) == (0.01, 0.0, False)


def test_clipnorm_rescales_each_gradient_to_its_own_norm():
    param = np.zeros(2)
    SGD(learning_rate=1.0, clipnorm=1.0).apply([("w", param, np.array([3.0, 4.0]))])
    np.testing.assert_allclose(param, [-0.6, -0.8])


def test_global_clipnorm_rescales_all_gradients_together():
    a, b = np.zeros(1), np.zeros(1)
    SGD(learning_rate=1.0, global_clipnorm=1.0).apply(
        [("a", a, np.array([3.0])), ("b", b, np.array([4.0]))])
    np.testing.assert_allclose(np.r_[a, b], [-0.6, -0.8])


def test_clipvalue_clips_each_element():
    param = np.zeros(3)
    SGD(learning_rate=1.0, clipvalue=0.5).apply([("w", param, np.array([2.0, -0.1, -3.0]))])
    np.testing.assert_allclose(param, [-0.5, 0.1, 0.5])


def test_float32_weights_stay_float32():
    param = np.ones(3, dtype=np.float32)
    Adam().apply([("w", param, np.ones(3, dtype=np.float32))])
    assert param.dtype == np.float32


@pytest.mark.parametrize("make, message", [
    (lambda: optimizers.get("adagrad"), "valid names are: 'adam', 'rmsprop', 'sgd'"),
    (lambda: Adam(learning_rate=-1), "learning_rate must be a finite number > 0"),
    (lambda: SGD(momentum=1.5), r"momentum must be in \[0, 1\)"),
    (lambda: Adam(clipnorm=1.0, global_clipnorm=1.0), "at most one of clipnorm"),
    (lambda: RMSprop(lr=0), "lr must be a finite number > 0; got 0"),
])
def test_bad_optimizer_arguments_get_a_clear_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("optimizer_class", [SGD, RMSprop, Adam])
def test_keras_2s_lr_is_the_learning_rate(optimizer_class):
    """Keras 2's code, the tutorials' era, names the learning rate ``lr``; it was refused."""
    made = optimizer_class(lr=0.025)
    assert made.learning_rate == 0.025 and made.get_config()["learning_rate"] == 0.025


def test_numpy_scalars_are_taken_as_hyperparameters_as_python_numbers_are():
    """np.float32(0.9) was refused as 'rho must be in [0, 1); got 0.9'."""
    made = RMSprop(learning_rate=np.float32(0.01), rho=np.float32(0.9), momentum=np.float64(0.5))
    assert made.get_config()["rho"] == pytest.approx(0.9) and made.momentum == 0.5
    assert Adam(beta_1=np.float32(0.8)).beta_1 == pytest.approx(0.8)
    with pytest.raises(ValueError, match=r"beta_2 must be in \[0, 1\); got True"):
        Adam(beta_2=True)
