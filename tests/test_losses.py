"""Losses: gradients against finite differences, values against Keras's formulas."""
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

from conftest import GRADIENT_TOLERANCE, batches, seeds, steps
from minilstm import (Adam, Dense, Sequential, activations, gradcheck, losses, metrics,
                      use_backend)

classes = st.integers(2, 5)


def one_hot(rng, shape, n_classes):
    return np.eye(n_classes)[rng.integers(0, n_classes, shape)]


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("name", ["mse", "mae", "mean_squared_error", "mean_absolute_error"])
@given(batches, st.one_of(st.just(None), steps), classes, seeds)
def test_regression_loss_gradients_match_finite_differences(backend, name, batch, steps_, width,
                                                            seed):
    """On both twins of the loss's kernel (``kernels.error_losses``)."""
    rng = np.random.default_rng(seed)
    shape = (batch, width) if steps_ is None else (batch, steps_, width)
    y_true, y_pred = rng.standard_normal((2,) + shape)
    assume(np.abs(y_true - y_pred).min() > 0.01)      # away from the kink of |.|
    with use_backend(backend):
        errors = gradcheck.check_loss(losses.get(name), y_true, y_pred)
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


ROBUST_LOSSES = {"huber": losses.Huber(), "huber, delta 0.3": losses.Huber(delta=0.3),
                 "log_cosh": losses.LogCosh()}


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("name", sorted(ROBUST_LOSSES))
@given(batches, st.one_of(st.just(None), steps), classes, seeds)
def test_huber_and_log_cosh_gradients_match_finite_differences(backend, name, batch, steps_,
                                                               width, seed):
    """Errors on both sides of Huber's delta (away from it, where h'' jumps)."""
    loss = ROBUST_LOSSES[name]
    rng = np.random.default_rng(seed)
    shape = (batch, width) if steps_ is None else (batch, steps_, width)
    y_true, y_pred = 2.0 * rng.standard_normal((2,) + shape)
    if isinstance(loss, losses.Huber):
        assume(np.abs(np.abs(y_pred - y_true) - loss.delta).min() > 0.01)
    with use_backend(backend):
        errors = gradcheck.check_loss(loss, y_true, y_pred)
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_huber_and_log_cosh_give_kerass_documented_values(backend):
    """The examples of Keras's documentation of ``Huber`` (0.155) and ``LogCosh`` (0.108),
    and their formulas by hand: h(e) = δ (|e| - ½ δ) past δ; log cosh 3 = 2.3093."""
    with use_backend(backend):
        assert losses.get("huber")([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) == \
            pytest.approx(0.155, abs=1e-12)
        assert losses.get("log_cosh")([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]]) == \
            pytest.approx(np.log(np.cosh(1.0)) / 4, rel=1e-12)
        assert round(losses.LogCosh()([[0.0]], [[1.0]]) / 4, 3) == 0.108
        assert losses.Huber(delta=0.5)([[0.0, 0.0]], [[2.0, 0.2]]) == \
            pytest.approx((0.5 * (2.0 - 0.25) + 0.5 * 0.04) / 2, rel=1e-12)
        assert losses.LogCosh()([[0.0]], [[3.0]]) == pytest.approx(np.log(np.cosh(3.0)),
                                                                   rel=1e-12)
        assert losses.LogCosh()([[0.0]], [[1000.0]]) == pytest.approx(1000.0 - np.log(2.0))
        # near 0, log cosh e = e²/2 - e⁴/12 + ..., with every digit (|e| - log 2 + ... would
        # cancel them away)
        assert losses.LogCosh()([[0.0]], [[1e-4]]) == pytest.approx(0.5e-8 - 1e-16 / 12,
                                                                    rel=1e-12)


@pytest.mark.parametrize("name", ["mse", "mae", "huber", "log_cosh"])
def test_each_error_loss_is_the_mean_of_its_rows(name):
    rng = np.random.default_rng(2)
    y_true, y_pred = 2.0 * rng.standard_normal((2, 3, 4, 5))
    loss = losses.get(name)
    rows = loss.per_row(y_true, y_pred)
    assert rows.shape == (3, 4)
    assert rows.mean() == pytest.approx(loss(y_true, y_pred), rel=1e-12)


def test_huber_and_log_cosh_by_their_names_and_delta_checked():
    assert type(losses.get("huber_loss")) is losses.Huber
    assert type(losses.get("logcosh")) is losses.LogCosh
    assert losses.Huber(delta=2).get_config() == {"delta": 2.0}
    with pytest.raises(ValueError, match="delta must be a finite number > 0; got 0"):
        losses.Huber(delta=0)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@given(batches, st.one_of(st.just(None), steps), classes, seeds)
def test_crossentropy_gradients_match_finite_differences(backend, batch, steps_, width, seed):
    """Both forms: on probabilities (Keras's clipping) and fused with the softmax (a
    kernel, so on both twins)."""
    rng = np.random.default_rng(seed)
    shape = (batch,) if steps_ is None else (batch, steps_)
    y_true = one_hot(rng, shape, width)
    y_pred = rng.uniform(0.05, 1.0, shape + (width,))   # unnormalised, as Keras allows
    with use_backend(backend):
        errors = gradcheck.check_loss(losses.get("categorical_crossentropy"), y_true, y_pred)
    assert set(errors) == {"y_pred", "logits"}
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@given(batches, st.one_of(st.just(None), steps), st.integers(1, 5), st.booleans(), seeds)
def test_binary_crossentropy_gradients_match_finite_differences(backend, batch, steps_, width,
                                                                soft, seed):
    """Both forms: on probabilities (Keras's clipping) and fused with the sigmoid (a kernel,
    so on both twins); 0/1 labels, or ``soft`` targets that are probabilities."""
    rng = np.random.default_rng(seed)
    shape = (batch, width) if steps_ is None else (batch, steps_, width)
    y_true = rng.random(shape) if soft else (rng.random(shape) > 0.5).astype(np.float64)
    y_pred = rng.uniform(0.05, 0.95, shape)   # where the differences' truncation is small
    with use_backend(backend):
        errors = gradcheck.check_loss(losses.get("binary_crossentropy"), y_true, y_pred)
        errors_of_logits = gradcheck.check_loss(losses.BinaryCrossentropy(from_logits=True),
                                                y_true, 3 * rng.standard_normal(shape))
    assert set(errors) == {"y_pred", "logits"}
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors
    assert max(errors_of_logits.values()) < GRADIENT_TOLERANCE, errors_of_logits


def test_binary_crossentropy_follows_keras_formula_reduction_and_clip():
    rng = np.random.default_rng(2)
    y_true = (rng.random((3, 4, 2)) > 0.5).astype(np.float64)
    y_pred = rng.uniform(0.01, 0.99, (3, 4, 2))
    per_step = -np.mean(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred), axis=-1)
    loss = losses.get("binary_crossentropy")
    assert loss(y_true, y_pred) == pytest.approx(per_step.mean(), rel=1e-12)
    logits = np.log(y_pred / (1 - y_pred))
    assert loss.from_logits(y_true, logits) == pytest.approx(per_step.mean(), rel=1e-12)
    # a certain mistake costs -log(1e-7), as Keras clips it, and moves nothing
    assert loss(np.array([[1.0, 0.0]]), np.array([[0.0, 0.5]])) == pytest.approx(
        (-np.log(1e-7) - np.log(0.5)) / 2)
    np.testing.assert_allclose(loss.gradient(np.array([[1.0, 0.0]]), np.array([[0.0, 0.5]])),
                               [[0.0, 1.0]])


def test_binary_crossentropy_from_logits_trains_a_model_as_sigmoid_and_it_do():
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((12, 3)), (rng.random((12, 2)) > 0.5).astype(np.float64)
    with_sigmoid = Sequential([Dense(2, activation="sigmoid", input_shape=(3,))], seed=1)
    with_sigmoid.compile(optimizer=Adam(0.01), loss="binary_crossentropy", metrics=["acc"])
    on_logits = Sequential([Dense(2, input_shape=(3,))], seed=1)
    on_logits.compile(optimizer=Adam(0.01), loss=losses.BinaryCrossentropy(from_logits=True),
                      metrics=["acc"])
    expected = with_sigmoid.fit(x, y, epochs=3, verbose=0).history
    history = on_logits.fit(x, y, epochs=3, verbose=0).history
    np.testing.assert_allclose(history["loss"], expected["loss"], rtol=1e-6)
    assert history["acc"] == expected["acc"]          # logits read at 0, probabilities at ½
    flagged = Sequential([Dense(2, activation="sigmoid", input_shape=(3,))], seed=1)
    with pytest.warns(UserWarning, match=r"from_logits=True, but the last layer of model "
                                         r"'sequential', 'dense', ends in a sigmoid"):
        flagged.compile(optimizer=Adam(0.01), loss=losses.BinaryCrossentropy(from_logits=True),
                        metrics=["acc"])
    flagged_history = flagged.fit(x, y, epochs=3, verbose=0).history
    np.testing.assert_allclose(flagged_history["loss"], expected["loss"], rtol=1e-6)
    assert flagged_history["acc"] == expected["acc"]  # its output is probabilities


@pytest.mark.parametrize("loss, logits", [("binary_crossentropy", False),
                                          (losses.BinaryCrossentropy(from_logits=True), True)])
def test_accuracy_of_a_binary_crossentropy_is_keras_binary_accuracy(loss, logits):
    """Keras resolves 'accuracy' by the loss: over several sigmoid labels, the share of
    values on their target's side (of ½, or of 0 for logits); 'categorical_accuracy' stays
    the rows' argmax."""
    model = Sequential([Dense(3, activation=None if logits else "sigmoid",
                              input_shape=(2,))])
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy", "categorical_accuracy",
                                                        "binary_accuracy"])
    y_true = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    y_pred = np.array([[0.9, 0.2, 0.6], [0.4, 0.9, 0.8]])
    if logits:
        y_pred = np.log(y_pred / (1 - y_pred))
    logs = model._logs(0.0, y_pred, y_true)
    assert logs == {"loss": 0.0, "accuracy": 5 / 6, "categorical_accuracy": 0.5,
                    "binary_accuracy": 5 / 6}


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@given(batches, st.one_of(st.just(None), steps), classes, st.booleans(), seeds)
def test_sparse_crossentropy_is_the_categorical_one_of_the_one_hot_targets(
        backend, batch, steps_, width, trailing_axis, seed):
    """Class indices ``(...)``, or ``(..., 1)`` with ``trailing_axis``, give the values and
    gradients that their one-hot rows give, in both forms; and its gradients match finite
    differences."""
    rng = np.random.default_rng(seed)
    shape = (batch,) if steps_ is None else (batch, steps_)
    labels = rng.integers(0, width, shape)
    targets = labels[..., None] if trailing_axis else labels
    y_pred = rng.uniform(0.05, 1.0, shape + (width,))
    logits = 3 * rng.standard_normal(shape + (width,))
    sparse, dense = losses.get("sparse_categorical_crossentropy"), losses.get(
        "categorical_crossentropy")
    one_hot = np.eye(width)[labels]
    with use_backend(backend):
        assert sparse(targets, y_pred) == dense(one_hot, y_pred)
        np.testing.assert_array_equal(sparse.gradient(targets, y_pred),
                                      dense.gradient(one_hot, y_pred))
        value, gradient = sparse.value_and_gradient_from_logits(targets, logits)
        assert value == dense.from_logits(one_hot, logits)
        np.testing.assert_array_equal(gradient, dense.gradient_from_logits(one_hot, logits))
        on_logits = losses.SparseCategoricalCrossentropy(from_logits=True)
        assert on_logits(targets, logits) == value
        errors = gradcheck.check_loss(sparse, targets, y_pred)
    assert set(errors) == {"y_pred", "logits"}
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


@pytest.mark.parametrize("labels, words", [
    ([[0, 3]], r"class indices, integers in \[0, 3\) for y_pred's 3 classes; got 3$"),
    ([[0, -1]], r"got -1$"),
    ([[0.0, 1.5]], r"got 1.5$"),
    ([[0.0, np.nan]], r"got nan$"),
    ([["a", "b"]], r"class indices, integers; got dtype <U1$"),
    ([[0, 1, 2]], r"one class index for each row of y_pred \(1, 2, 3\): shape \(1, 2\) or "
                  r"\(1, 2, 1\); got \(1, 3\)$"),
])
def test_sparse_crossentropy_refuses_targets_that_are_no_class_indices(labels, words):
    """NumPy would have read -1 as the last class, and 1.5 as class 1."""
    loss = losses.get("sparse_categorical_crossentropy")
    y_pred = np.full((1, 2, 3), 1 / 3)
    for call in (loss, loss.gradient, loss.from_logits):
        with pytest.raises(ValueError, match=words):
            call(labels, y_pred)


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@given(batches, st.one_of(st.just(None), steps), classes, seeds)
def test_crossentropy_from_logits_takes_y_pred_as_logits(backend, batch, steps_, width, seed):
    """Keras's ``CategoricalCrossentropy(from_logits=True)``, for a last layer without
    activation: its value and gradient are the fused form's, checked against finite
    differences. The argument was refused ('takes no arguments')."""
    rng = np.random.default_rng(seed)
    shape = (batch,) if steps_ is None else (batch, steps_)
    y_true, logits = one_hot(rng, shape, width), 3 * rng.standard_normal(shape + (width,))
    loss = losses.CategoricalCrossentropy(from_logits=True)
    assert loss.get_config() == {"from_logits": True}
    with use_backend(backend):
        errors = gradcheck.check_loss(loss, y_true, logits)
        value, gradient = loss.value_and_gradient(y_true, logits)
        assert value == loss(y_true, logits) == loss.from_logits(y_true, logits)
        np.testing.assert_array_equal(gradient, loss.gradient_from_logits(y_true, logits))
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_crossentropy_from_logits_trains_a_model_as_softmax_and_crossentropy_do():
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((12, 3)), one_hot(rng, (12,), 4)
    with_softmax = Sequential([Dense(4, activation="softmax", input_shape=(3,))], seed=1)
    with_softmax.compile(optimizer=Adam(0.01), loss="categorical_crossentropy")
    on_logits = Sequential([Dense(4, input_shape=(3,))], seed=1)
    on_logits.compile(optimizer=Adam(0.01),
                      loss=losses.CategoricalCrossentropy(from_logits=True))
    expected = with_softmax.fit(x, y, epochs=3, verbose=0).history["loss"]
    np.testing.assert_allclose(on_logits.fit(x, y, epochs=3, verbose=0).history["loss"],
                               expected, rtol=1e-6)
    # the flag set over a softmax, as TF Keras takes it: a warning, and the softmax's logits
    flagged = Sequential([Dense(4, activation="softmax", input_shape=(3,))], seed=1)
    with pytest.warns(UserWarning, match=r"from_logits=True, but the last layer of model "
                                         r"'sequential', 'dense', ends in a softmax"):
        flagged.compile(optimizer=Adam(0.01),
                        loss=losses.CategoricalCrossentropy(from_logits=True))
    np.testing.assert_allclose(flagged.fit(x, y, epochs=3, verbose=0).history["loss"],
                               expected, rtol=1e-6)
    with pytest.raises(ValueError, match=r"^from_logits must be True or False; got 'yes'$"):
        losses.CategoricalCrossentropy(from_logits="yes")


@pytest.mark.parametrize("name", ["mse", "mae", "categorical_crossentropy",
                                  "binary_crossentropy"])
@given(batches, st.one_of(st.just(None), steps), classes, seeds)
def test_value_and_gradient_equal_the_loss_and_its_gradient(name, batch, steps_, width, seed):
    """What a training step calls equals the separate calls that gradcheck checks:
    ``value_and_gradient`` and, for cross-entropy, ``value_and_gradient_from_logits``."""
    rng = np.random.default_rng(seed)
    shape = (batch, width) if steps_ is None else (batch, steps_, width)
    loss = losses.get(name)
    y_true = one_hot(rng, shape[:-1], width) if loss.fused_activation \
        else rng.standard_normal(shape)
    y_pred = rng.uniform(0.05, 1.0, shape)
    value, gradient = loss.value_and_gradient(y_true, y_pred)
    assert value == loss(y_true, y_pred)
    np.testing.assert_array_equal(gradient, loss.gradient(y_true, y_pred))
    if loss.fused_activation:
        logits = rng.standard_normal(shape) * 3
        value, gradient = loss.value_and_gradient_from_logits(y_true, logits)
        assert value == pytest.approx(loss.from_logits(y_true, logits), rel=1e-12)
        np.testing.assert_array_equal(gradient, loss.gradient_from_logits(y_true, logits))


def test_values_follow_keras_reduction_over_samples_and_timesteps():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.standard_normal((2, 3, 4, 5))
    assert losses.get("mse")(y_true, y_pred) == pytest.approx(np.mean((y_true - y_pred) ** 2))
    assert losses.get("mae")(y_true, y_pred) == pytest.approx(np.mean(np.abs(y_true - y_pred)))
    labels = one_hot(rng, (3, 4), 5)
    probs = activations.softmax(y_pred)
    per_step = -np.log((labels * probs).sum(axis=-1))              # (3, 4)
    crossentropy = losses.get("categorical_crossentropy")
    assert crossentropy(labels, probs) == pytest.approx(per_step.mean(), rel=1e-12)
    assert crossentropy.from_logits(labels, y_pred) == pytest.approx(per_step.mean(), rel=1e-12)


def test_crossentropy_clips_a_zero_probability_like_keras():
    value = losses.get("categorical_crossentropy")(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))
    assert value == pytest.approx(-np.log(1e-7))


def test_fused_form_stays_finite_where_probabilities_underflow():
    logits = np.array([[-800.0, 800.0]])
    crossentropy = losses.get("categorical_crossentropy")
    assert crossentropy.from_logits(np.array([[1.0, 0.0]]), logits) == pytest.approx(1600.0)
    np.testing.assert_allclose(crossentropy.gradient_from_logits(np.array([[1.0, 0.0]]), logits),
                               [[-1.0, 1.0]])


@pytest.mark.parametrize("name", ["mse", "mae", "categorical_crossentropy",
                                  "binary_crossentropy"])
def test_no_loss_broadcasts_a_target_against_a_prediction(name):
    """(2, 3) against (3, 2, 3) broadcasts in NumPy: categorical cross-entropy on
    probabilities returned a number for it."""
    loss = losses.get(name)
    y_pred = np.full((3, 2, 3), 1 / 3)
    calls = [loss, loss.gradient] + ([loss.from_logits] if hasattr(loss, "from_logits") else [])
    for call in calls:
        with pytest.raises(ValueError,
                           match=r"y_true must have .* shape \(3, 2, 3\); got \(2, 3\)"):
            call(np.eye(3)[[0, 1]], y_pred)


def test_unknown_loss_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown loss 'hinge'; valid names are: .*'mae'"):
        losses.get("hinge")


def test_metrics_accuracy_is_categorical_per_timestep():
    y_true = np.eye(3)[[[0, 1], [2, 2]]]                 # (2, 2, 3)
    y_pred = np.eye(3)[[[0, 2], [2, 2]]] * 0.8 + 0.05
    assert metrics.get("accuracy")(y_true, y_pred) == 0.75
    sparse = metrics.get("sparse_categorical_accuracy")
    assert sparse(y_true.argmax(axis=-1), y_pred) == 0.75
    assert metrics.get("accuracy", losses.get("sparse_categorical_crossentropy")) is sparse
    assert metrics.get("acc") is metrics.get("accuracy")
    with pytest.raises(ValueError, match="unknown metric 'f1'; valid names are"):
        metrics.get("f1")


class Huber(losses.Loss):
    """A loss of the user's, as the README describes one: its value and its gradient."""

    name = "huber"

    def __call__(self, y_true, y_pred):
        error = y_pred - y_true
        return float(np.mean(np.where(np.abs(error) < 1.0, 0.5 * error ** 2,
                                      np.abs(error) - 0.5)))

    def gradient(self, y_true, y_pred):
        error = y_pred - y_true
        return (np.clip(error, -1.0, 1.0) / error.size).astype(y_pred.dtype)


def test_a_loss_of_the_users_is_checked_by_gradcheck_and_trains_a_model():
    rng = np.random.default_rng(6)
    y_true, y_pred = rng.standard_normal((5, 2)), 3.0 * rng.standard_normal((5, 2))
    assert gradcheck.check_loss(Huber(), y_true, y_pred)["y_pred"] < GRADIENT_TOLERANCE
    model = Sequential([Dense(1, input_shape=(2,))], seed=0)
    model.compile(loss=Huber(), optimizer=Adam(0.05))
    x = rng.standard_normal((32, 2))
    y = x @ np.array([[1.5], [-2.0]])
    history = model.fit(x, y, batch_size=8, epochs=30, verbose=0).history["loss"]
    assert history[-1] < 0.5 * history[0]
    targets = y.astype(np.float32)                  # as fit and evaluate read them
    assert model.evaluate(x, y, verbose=0) == Huber()(targets, model.predict(x))


@pytest.mark.parametrize("loss_class, probabilities", [
    (losses.CategoricalCrossentropy, "softmax"), (losses.BinaryCrossentropy, "sigmoid"),
    (losses.SparseCategoricalCrossentropy, "softmax")])
@pytest.mark.parametrize("activation", ["linear", "tanh", "relu"])
def test_crossentropy_on_outputs_that_are_no_probabilities_warns_at_compile(
        loss_class, probabilities, activation):
    """Normalised by row sums that may be negative or zero (categorical), or clipped to
    (0, 1) (binary), tanh or linear outputs gave a loss that never moved (its gradient
    zero), silently."""
    rng = np.random.default_rng(5)
    name = loss_class.name
    model = Sequential([Dense(3, activation=activation, input_shape=(2,))], seed=0)
    with pytest.warns(UserWarning, match=rf"^{name} takes probabilities, but the last layer of "
                                         rf"model 'sequential', 'dense', has activation "
                                         rf"'{activation}', whose outputs are none: give it "
                                         rf"activation='{probabilities}', or compile with "
                                         rf"losses.{loss_class.__name__}\(from_logits=True\)"):
        model.compile(optimizer="adam", loss=name)
    x, y = rng.standard_normal((4, 2)), one_hot(rng, (4,), 3)
    if name.startswith("sparse"):
        y = y.argmax(axis=-1)
    for quiet in ("softmax", "sigmoid"):
        model = Sequential([Dense(3, activation=quiet, input_shape=(2,))], seed=0)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model.compile(optimizer="adam", loss=name)
            model.fit(x, y, verbose=0)


def test_a_model_trains_on_huber_with_sample_weights_and_keeps_its_delta(tmp_path):
    """A line fitted through data with outliers: Huber's loss finds it (with sample weights),
    where the squared error is pulled away by the outliers."""
    import minilstm
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]]) + 0.1 * rng.standard_normal((32, 1))
    y[::8] += 20.0                                                  # outliers
    weights = rng.random(32)
    fitted = {}
    for name, loss in (("huber", losses.Huber(delta=0.5)), ("mse", "mse")):
        model = Sequential([Dense(1, input_shape=(3,), dtype="float64")], seed=0)
        model.compile(loss=loss, optimizer=Adam(0.05))
        model.fit(x, y, epochs=100, batch_size=8, sample_weight=weights, verbose=0)
        fitted[name] = np.append(*model.get_weights())              # (kernel..., bias)
    np.testing.assert_allclose(fitted["huber"], [1.0, -2.0, 0.5, 0.0], atol=0.2)
    assert np.abs(fitted["mse"] - [1.0, -2.0, 0.5, 0.0]).max() > 2.0
    model = Sequential([Dense(1, input_shape=(3,), dtype="float64")], seed=0)
    model.compile(loss=losses.Huber(delta=0.5), optimizer=Adam(0.05))
    model.save(tmp_path / "m.npz")
    loaded = minilstm.load_model(tmp_path / "m.npz")
    assert type(loaded.loss) is losses.Huber and loaded.loss.delta == 0.5
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
