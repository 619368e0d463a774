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


def test_keras_2s_decay_lowers_the_rate_of_step_t_to_lr_over_1_plus_decay_times_t_minus_1():
    """Keras 2's ``SGD(lr=0.1, momentum=0.9, decay=0.5)``, of the tutorials' era, was refused
    as an unknown keyword; each rule takes the decayed rate where it took the rate."""
    def rate(t):
        return 0.1 / (1 + 0.5 * (t - 1))

    expected, param, velocity = [], START.copy(), np.zeros(3)
    for t, grad in enumerate(GRADS, start=1):
        velocity = 0.9 * velocity - rate(t) * grad
        param = param + velocity
        expected.append(param)
    assert_iterates(SGD(lr=0.1, momentum=0.9, decay=0.5), expected)
    expected, param, m, v = [], START.copy(), np.zeros(3), np.zeros(3)
    for t, grad in enumerate(GRADS, start=1):
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad ** 2
        alpha = rate(t) * math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        param = param - alpha * m / (np.sqrt(v) + 1e-7)
        expected.append(param)
    assert_iterates(Adam(learning_rate=0.1, decay=0.5), expected)
    assert RMSprop(decay=0.5).get_config()["decay"] == 0.5 and Adam().decay == 0.0
    with pytest.raises(ValueError, match=r"^decay must be a finite number >= 0; got -1$"):
        SGD(decay=-1)


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


@pytest.mark.parametrize("make, name, value, message", [
    (Adam, "learning_rate", "0.01", r"learning_rate must be a finite number > 0; got '0.01'"),
    (Adam, "lr", float("nan"), "lr must be a finite number > 0; got nan"),
    (SGD, "momentum", 1.5, r"momentum must be in \[0, 1\); got 1.5"),
    (SGD, "nesterov", "False", "nesterov must be True or False; got 'False'"),
    (RMSprop, "rho", -0.1, r"rho must be in \[0, 1\); got -0.1"),
    (Adam, "epsilon", 0, "epsilon must be a finite number > 0; got 0"),
    (Adam, "clipvalue", -1.0, "clipvalue must be a finite number > 0; got -1.0"),
])
def test_a_hyperparameter_set_later_is_checked_as_the_constructor_checks_it(
        make, name, value, message):
    """Keras users lower the rate between epochs (``model.optimizer.learning_rate = 1e-4``).
    A string reached the update kernel ("can't multiply sequence"), a NaN made every weight
    NaN; a refused value leaves the old one."""
    optimizer = make()
    before = optimizer.get_config()
    with pytest.raises(ValueError, match=message):
        setattr(optimizer, name, value)
    assert optimizer.get_config() == before


def test_a_learning_rate_set_later_is_the_one_the_next_step_uses():
    optimizer = SGD()
    optimizer.learning_rate = np.float32(0.5)
    param = np.array([1.0, 2.0])
    optimizer.apply([("w", param, np.array([1.0, -2.0]))])
    np.testing.assert_allclose(param, [1.0 - 0.5, 2.0 + 1.0], rtol=1e-7)
    assert type(optimizer.learning_rate) is float        # JSON writes it: model.save


@pytest.mark.parametrize("optimizer_class", [SGD, RMSprop, Adam])
def test_keras_2s_lr_attribute_reads_and_sets_the_learning_rate(optimizer_class):
    """``optimizer.lr`` was no attribute: reading it failed, and setting it made a new
    attribute that no step read, leaving the rate as it was."""
    optimizer = optimizer_class()
    optimizer.lr = 0.25
    assert optimizer.learning_rate == 0.25 and optimizer.lr == 0.25
    assert "lr" not in vars(optimizer)


def test_clipnorm_set_beside_a_global_clipnorm_is_refused_as_in_the_constructor():
    optimizer = Adam(global_clipnorm=1.0)
    with pytest.raises(ValueError, match="at most one of clipnorm and global_clipnorm"):
        optimizer.clipnorm = 2.0
    optimizer.global_clipnorm = None
    optimizer.clipnorm = 2.0
    assert optimizer.get_config()["clipnorm"] == 2.0
