"""minilstm.gradcheck is a public tool: it must measure right and catch wrong gradients."""
import numpy as np
import pytest

from minilstm import LSTM, AttentiveLSTM, Dense, Sequential, gradcheck, losses


def test_relative_error_is_scaled_by_the_largest_entry():
    assert gradcheck.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert gradcheck.relative_error([0.0, 4.0], [1e-3, 4.0]) == pytest.approx(1e-3 / 4.0)
    assert gradcheck.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError, match="shapes differ"):
        gradcheck.relative_error(np.zeros(2), np.zeros(3))


def test_numerical_gradient_is_fourth_order_accurate_and_restores_the_array():
    x = np.array([0.3, -1.2, 2.0])
    gradient = gradcheck.numerical_gradient(lambda: float(np.sum(np.sin(x) * x)), x)
    np.testing.assert_allclose(gradient, np.cos(x) * x + np.sin(x), rtol=1e-11)
    np.testing.assert_array_equal(x, [0.3, -1.2, 2.0])


class DenseWithWrongBiasGradient(Dense):
    def backward(self, d_out, skip_activation=False):
        d_x = super().backward(d_out, skip_activation)
        self.grads["bias"] *= 1.01                     # a 1% error
        return d_x


def test_check_layer_catches_a_one_percent_error_in_one_parameter():
    rng = np.random.default_rng(0)
    layer = DenseWithWrongBiasGradient(3, activation="tanh", dtype="float64")
    errors = gradcheck.check_layer(layer, rng.standard_normal((4, 2)))
    assert errors["kernel"] < 1e-8 and errors["x"] < 1e-8
    assert errors["bias"] > 1e-3


class AttentiveLSTMWithWrongMemoryGradient(AttentiveLSTM):
    def backward(self, d_out, input_gradient=True):
        d_x = super().backward(d_out, input_gradient)
        self.d_memory = self.d_memory * 1.01           # a 1% error
        return d_x


def test_check_layer_catches_a_one_percent_error_in_the_gradient_of_a_further_input():
    """A further input given by name (memory=) is checked through the layer's d_memory."""
    rng = np.random.default_rng(3)
    layer = AttentiveLSTMWithWrongMemoryGradient(3, memory_dim=2, dtype="float64")
    state = [rng.standard_normal((2, 3)), rng.standard_normal((2, 3))]
    errors = gradcheck.check_layer(layer, rng.standard_normal((2, 4, 5)), initial_state=state,
                                   memory=rng.standard_normal((2, 6, 2)))
    assert errors["memory"] > 1e-3
    assert max(error for name, error in errors.items() if name != "memory") < 1e-8


def test_check_loss_catches_a_wrong_loss_gradient():
    class HalvedGradient(losses.MeanSquaredError):
        def gradient(self, y_true, y_pred):
            return 0.5 * super().gradient(y_true, y_pred)

    rng = np.random.default_rng(1)
    errors = gradcheck.check_loss(HalvedGradient(), rng.standard_normal(5), rng.standard_normal(5))
    assert errors["y_pred"] == pytest.approx(0.5, rel=1e-6)


def test_a_nan_in_the_inputs_is_refused_by_name_where_every_error_was_nan():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 2))
    x[1, 0] = np.nan
    with pytest.raises(ValueError, match=r"^x contains 1 non-finite values \(NaN or inf\); "
                                         r"the first at index \(1, 0\)$"):
        gradcheck.check_layer(Dense(2, dtype="float64"), x)
    state = [np.zeros((1, 2)), np.full((1, 2), np.inf)]
    with pytest.raises(ValueError, match=r"^initial_state\[1\] contains 2 non-finite"):
        gradcheck.check_layer(LSTM(2, dtype="float64"), np.ones((1, 3, 2)), initial_state=state)
    with pytest.raises(ValueError, match=r"^y_pred contains 1 non-finite"):
        gradcheck.check_loss("mse", np.ones(3), [0.5, np.nan, 0.5])
    with pytest.raises(ValueError, match=r"^y_true contains 1 non-finite"):
        gradcheck.check_loss("mae", [np.inf, 0.0], np.ones(2))


def test_a_gradient_that_is_not_finite_is_refused_naming_its_array():
    """A weight set to NaN behind set_weights's back makes the output NaN, so the
    differences are NaN: the error names the first array checked (x), where every error
    was NaN."""
    layer = Dense(2, dtype="float64")
    layer.build((None, 3))
    layer.params["bias"][0] = np.nan
    with pytest.raises(ValueError, match=r"^the numerical gradient of x contains 6 "):
        gradcheck.check_layer(layer, np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"^the numerical gradient contains 1 non-finite"):
        gradcheck.relative_error(np.zeros(2), [0.0, np.inf])
    with pytest.raises(ValueError, match=r"^the analytic gradient of kernel contains 1 "):
        gradcheck.relative_error([np.nan, 0.0], np.zeros(2), "kernel")


def test_checks_refuse_float32():
    with pytest.raises(TypeError, match="float64"):
        gradcheck.check_layer(Dense(2), np.zeros((1, 2)))


@pytest.mark.parametrize("step", [0, -1e-3, float("nan"), float("inf"), "1e-3", True])
def test_a_step_that_is_no_finite_number_above_zero_is_refused_by_name(step):
    layer = Dense(2, dtype="float64")
    x = np.ones((3, 4))
    model = Sequential([Dense(1, input_shape=(4,), dtype="float64")])
    model.compile(loss="mse", optimizer="sgd")
    checks = [lambda: gradcheck.numerical_gradient(lambda: 0.0, np.zeros(3), step=step),
              lambda: gradcheck.check_layer(layer, x, step=step),
              lambda: gradcheck.check_loss(losses.get("mse"), np.zeros((2, 1)),
                                           np.ones((2, 1)), step=step),
              lambda: gradcheck.check_model(model, x, np.zeros((3, 1)), step=step)]
    for check in checks:
        with pytest.raises(ValueError, match=r"step must be a finite number > 0; got"):
            check()


def test_check_loss_takes_a_loss_by_the_name_compile_takes():
    rng = np.random.default_rng(2)
    y_true, y_pred = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    assert gradcheck.check_loss("mse", y_true, y_pred) == \
        gradcheck.check_loss(losses.get("mse"), y_true, y_pred)
    with pytest.raises(ValueError, match="unknown loss 'mean_error'"):
        gradcheck.check_loss("mean_error", y_true, y_pred)


def test_check_layer_refuses_what_is_no_layer_naming_what_it_lacks():
    with pytest.raises(TypeError, match=r"check_layer takes a layer .*; got str, without "
                                        r"forward, backward"):
        gradcheck.check_layer("lstm", np.zeros((1, 3, 2)))
