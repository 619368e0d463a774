"""Sequential: whole-model gradients, Keras's training loop semantics, summary, seeding."""
import copy
import functools
import io

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import minilstm
from conftest import GRADIENT_TOLERANCE, batches, features, seeds, steps, units
from minilstm import (LSTM, Dense, EncoderDecoder, Input, RepeatVector, Sequential,
                      TimeDistributed, gradcheck, losses)
from minilstm.layers.base import SUMMED_OVER_STEPS


def damped_sine_model(dtype="float32", seed=None, steps_=50, units_=20, outputs=5):
    """The stacked LSTM of tutorial 3, line for line as in Keras."""
    model = Sequential(seed=seed)
    model.add(LSTM(units_, return_sequences=True, input_shape=(steps_, 1), dtype=dtype))
    model.add(LSTM(units_, dtype=dtype))
    model.add(Dense(outputs, dtype=dtype))
    model.compile(loss="mae", optimizer="adam")
    return model


def encoder_decoder(features_, units_, out_steps, classes, last_activation="softmax"):
    return Sequential([
        LSTM(units_, input_shape=(None, features_), dtype="float64"),
        RepeatVector(out_steps, dtype="float64"),
        LSTM(units_, return_sequences=True, dtype="float64"),
        TimeDistributed(Dense(classes, activation=last_activation, dtype="float64")),
    ], seed=0)


# ---------------------------------------------------------------- gradients

@given(batches, steps, features, units, seeds)
def test_stacked_lstm_model_gradients_match_finite_differences(batch, steps_, features_,
                                                               units_, seed):
    rng = np.random.default_rng(seed)
    model = Sequential([LSTM(units_, return_sequences=True, dtype="float64"),
                        LSTM(units_, go_backwards=True, dtype="float64"),
                        Dense(3, activation="tanh", dtype="float64")], seed=seed)
    model.compile(loss="mse", optimizer="adam")
    x, y = rng.standard_normal((batch, steps_, features_)), rng.standard_normal((batch, 3))
    errors = gradcheck.check_model(model, x, y)
    assert len(errors) == 8 and max(errors.values()) < GRADIENT_TOLERANCE, errors


@pytest.mark.parametrize("last_activation", ["softmax", "sigmoid"])
@given(batches, steps, features, units, st.integers(1, 4), st.integers(2, 5), seeds)
def test_encoder_decoder_with_crossentropy_gradients_match_finite_differences(
        last_activation, batch, steps_, features_, units_, out_steps, classes, seed):
    """softmax: the fused logits path; sigmoid: cross-entropy through the probabilities."""
    rng = np.random.default_rng(seed)
    model = encoder_decoder(features_, units_, out_steps, classes, last_activation)
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    assert model._uses_fused_activation() == (last_activation == "softmax")
    x = rng.standard_normal((batch, steps_, features_))
    y = np.eye(classes)[rng.integers(0, classes, (batch, out_steps))]
    errors = gradcheck.check_model(model, x, y)
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


@pytest.mark.parametrize("last_activation", ["sigmoid", "softmax", None])
@given(batches, steps, features, units, st.integers(1, 4), st.integers(1, 4), seeds)
def test_sequence_tagger_with_binary_crossentropy_gradients_match_finite_differences(
        last_activation, batch, steps_, features_, units_, out_steps, labels, seed):
    """sigmoid: the fused logits path; softmax: the binary cross-entropy through the
    probabilities; None: BinaryCrossentropy(from_logits=True) on a linear layer."""
    rng = np.random.default_rng(seed)
    model = encoder_decoder(features_, units_, out_steps, labels, last_activation)
    model.compile(loss=losses.BinaryCrossentropy(from_logits=last_activation is None),
                  optimizer="adam")
    assert model._uses_fused_activation() == (last_activation == "sigmoid")
    x = rng.standard_normal((batch, steps_, features_))
    y = (rng.random((batch, out_steps, labels)) > 0.5).astype(np.float64)
    errors = gradcheck.check_model(model, x, y)
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_sparse_labels_train_a_model_as_their_one_hot_rows_do():
    """Keras's sparse_categorical_crossentropy: targets as class indices, (n, T) or
    (n, T, 1); 'accuracy' is then the sparse accuracy."""
    rng = np.random.default_rng(3)
    x, labels = rng.standard_normal((20, 4, 3)), rng.integers(0, 5, (20, 2))
    histories = []
    for loss, y in (("categorical_crossentropy", np.eye(5)[labels]),
                    ("sparse_categorical_crossentropy", labels)):
        model = encoder_decoder(3, 4, 2, 5)
        model.compile(loss=loss, optimizer="adam", metrics=["accuracy"])
        histories.append(model.fit(x, y, batch_size=5, epochs=3, verbose=0,
                                   validation_split=0.25).history)
    assert histories[0] == histories[1]
    trailing_axis = model.evaluate(x, labels[..., None], verbose=0)
    assert trailing_axis == model.evaluate(x, labels, verbose=0)
    with pytest.raises(ValueError, match=r"^y must hold a class index for each row of the "
                                         r"model's output \(None, 2, 5\): shape \(None, 2\) "
                                         r"or \(None, 2, 1\); got shape \(20, 2, 5\)$"):
        model.evaluate(x, np.eye(5)[labels], verbose=0)


def record_backward_calls(model):
    """A list that each layer's ``backward`` then appends (layer name, input_gradient) to."""
    calls = []
    for layer in model.layers:
        def spy(d_out, _backward=layer.backward, _name=layer.name, **options):
            calls.append((_name, options.get("input_gradient", True)))
            return _backward(d_out, **options)
        layer.backward = spy
    return calls


@given(batches, features, units, seeds)
def test_backward_stops_at_the_first_layer_with_weights_and_asks_it_for_no_input_gradient(
        batch, features_, units_, seed):
    """RepeatVector first: it gets no backward call, and the LSTM after it no request for
    dL/dx; the weight gradients still match finite differences."""
    rng = np.random.default_rng(seed)
    model = Sequential([RepeatVector(3, input_shape=(features_,), dtype="float64"),
                        LSTM(units_, dtype="float64"), Dense(2, dtype="float64")], seed=seed)
    model.compile(loss="mse", optimizer="adam")
    calls = record_backward_calls(model)
    x, y = rng.standard_normal((batch, features_)), rng.standard_normal((batch, 2))
    errors = gradcheck.check_model(model, x, y)
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors
    names = [layer.name for layer in model.layers]
    assert calls[-2:] == [(names[2], True), (names[1], False)]
    assert names[0] not in {name for name, _ in calls}


def test_the_layer_after_a_repeat_vector_is_asked_for_its_input_gradient_summed_over_steps():
    """Which a RepeatVector takes as its own input gradient: the echo tutorial's decoder
    LSTM forms it with one product of B rows (the model's gradients against finite
    differences are checked by the encoder–decoder test above)."""
    model = encoder_decoder(3, 4, 2, 5)
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    calls = record_backward_calls(model)
    rng = np.random.default_rng(0)
    model.compute_gradients(rng.standard_normal((2, 6, 3)), np.eye(5)[rng.integers(0, 5, (2, 2))])
    names = [layer.name for layer in model.layers]
    assert calls == [(names[3], True), (names[2], SUMMED_OVER_STEPS), (names[1], True),
                     (names[0], False)]


@given(st.integers(1, 3), seeds)
def test_damped_sine_model_with_mae_gradients_match_finite_differences(batch, seed):
    rng = np.random.default_rng(seed)
    model = damped_sine_model("float64", seed=seed, steps_=6, units_=4)
    x, y = rng.uniform(0, 1, (batch, 6, 1)), rng.uniform(0, 1, (batch, 5))
    assume(np.abs(model.predict(x) - y).min() > 0.01)        # away from the kink of |.|
    errors = gradcheck.check_model(model, x, y)
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_gradcheck_refuses_float32_models():
    model = damped_sine_model("float32", steps_=3, units_=2)
    with pytest.raises(TypeError, match="dtype='float64'"):
        gradcheck.check_model(model, np.zeros((1, 3, 1)), np.zeros((1, 5)))


# ---------------------------------------------------------------- summary and weights

def test_summary_counts_equal_keras_for_the_damped_sine_model():
    lines = []
    damped_sine_model().summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "lstm (LSTM)" in text and "(None, 50, 20)" in text and "1760" in text
    assert "lstm_1 (LSTM)" in text and "(None, 20)" in text and "3280" in text
    assert "dense (Dense)" in text and "(None, 5)" in text and "105" in text
    assert "Total params: 5,145" in text
    assert damped_sine_model().count_params() == 5145


def test_set_weights_copies_a_model_exactly():
    rng = np.random.default_rng(0)
    source, target = damped_sine_model(seed=1), damped_sine_model(seed=2)
    x = rng.uniform(0, 1, (4, 50, 1))
    assert not np.array_equal(source.predict(x), target.predict(x))
    target.set_weights(source.get_weights())
    np.testing.assert_array_equal(source.predict(x), target.predict(x))
    assert [w.shape for w in source.get_weights()] == [(1, 80), (20, 80), (80,), (20, 80),
                                                       (20, 80), (80,), (20, 5), (5,)]


# ---------------------------------------------------------------- training loop

def sum_problem(rng, n=200):
    x = rng.uniform(0, 1, (n, 4, 1))
    return x, x.sum(axis=1) / 4.0


def test_fit_learns_and_returns_a_keras_history():
    rng = np.random.default_rng(0)
    x, y = sum_problem(rng)
    model = Sequential([LSTM(8, input_shape=(4, 1)), Dense(1)], seed=0)
    model.compile(loss="mse", optimizer="adam", metrics=["mae"])
    assert model.history is None
    history = model.fit(x, y, batch_size=10, epochs=6, verbose=0, validation_split=0.25)
    assert model.history is history          # Keras's model.history.history['loss']
    assert set(history.history) == {"loss", "mae", "val_loss", "val_mae"}
    assert history.epoch == list(range(6))
    # Keras's params (verbose, epochs, steps per epoch), the batches' sizes, and Keras 2's
    # names of what the logs hold
    assert history.params == {"verbose": 0, "epochs": 6, "steps": 15, "batch_size": 10,
                              "samples": 150, "metrics": ["loss", "mae", "val_loss", "val_mae"]}
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    # the validation figures are the last quarter of the samples, evaluated after the epoch
    val_loss, val_mae = model.evaluate(x[150:], y[150:], verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(val_loss, rel=1e-6)
    assert history.history["val_mae"][-1] == pytest.approx(val_mae, rel=1e-6)


def test_evaluate_train_and_test_on_batch_return_keras_shapes():
    rng = np.random.default_rng(1)
    x, y = sum_problem(rng, 20)
    model = Sequential([LSTM(3, input_shape=(4, 1)), Dense(1)], seed=0)
    model.compile(loss="mse", optimizer="sgd")
    assert isinstance(model.evaluate(x, y, verbose=0), float)
    assert isinstance(model.train_on_batch(x, y), float)
    model.compile(loss="mse", optimizer="sgd", metrics=["mae", "mse"])
    loss, mae, mse = model.test_on_batch(x, y)
    assert loss == pytest.approx(mse)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "mae", "mse"] and logs["mae"] == pytest.approx(mae)


def test_train_and_test_on_batch_return_a_dict_by_name_as_keras_does():
    """Keras's ``return_dict=True`` of train_on_batch and test_on_batch was refused as an
    unknown keyword, though evaluate took it."""
    rng = np.random.default_rng(1)
    x, y = sum_problem(rng, 20)
    model = Sequential([LSTM(3, input_shape=(4, 1)), Dense(1)], seed=0)
    model.compile(loss="mse", optimizer="sgd", metrics=["mae"])
    before = model.test_on_batch(x, y)
    assert model.test_on_batch(x, y, return_dict=True) == {"loss": before[0], "mae": before[1]}
    trained = model.train_on_batch(x, y, return_dict=True)
    assert list(trained) == ["loss", "mae"] and trained["loss"] == before[0]
    assert model.test_on_batch(x, y, return_dict=True)["loss"] < before[0]


def test_predict_on_batch_and_calling_the_model_are_predict_of_one_batch():
    """Keras's ``model(x)`` and ``predict_on_batch(x)``: neither was there."""
    rng = np.random.default_rng(2)
    x, _ = sum_problem(rng, 50)
    model = Sequential([LSTM(3, input_shape=(4, 1)), Dense(1)], seed=0)
    predicted = model.predict(x, batch_size=50)
    np.testing.assert_array_equal(model.predict_on_batch(x), predicted)
    np.testing.assert_array_equal(model(x), predicted)
    np.testing.assert_array_equal(model(x, training=False), predicted)
    with pytest.raises(ValueError, match=r"^training must be True or False; got 'no'$"):
        model(x, training="no")
    with pytest.raises(ValueError, match=r"x must match the model's input shape "
                                         r"\(None, 4, 1\); got shape \(50, 3, 1\)"):
        model.predict_on_batch(x[:, :3])


def test_a_metric_function_of_the_users_is_logged_under_its_name_as_in_keras():
    rng = np.random.default_rng(3)
    x, y = sum_problem(rng, 20)

    def largest_error(y_true, y_pred):
        return float(np.abs(y_true - y_pred).max())

    model = Sequential([LSTM(3, input_shape=(4, 1)), Dense(1)], seed=0)
    model.compile(loss="mse", optimizer="sgd",
                  metrics=[largest_error, losses.MeanAbsoluteError(), "mae"])
    history = model.fit(x, y, verbose=0, validation_split=0.25)
    assert list(history.history) == ["loss", "largest_error", "mean_absolute_error", "mae",
                                     "val_loss", "val_largest_error",
                                     "val_mean_absolute_error", "val_mae"]
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["largest_error"] == pytest.approx(
        float(np.abs(y.reshape(-1, 1) - model.predict(x)).max()), rel=1e-6)
    assert logs["mean_absolute_error"] == logs["mae"]


class WorstError:
    """A metric as a callable object, which Keras names by its class in snake case."""

    def __call__(self, y_true, y_pred):
        return float(np.abs(y_true - y_pred).max())


def test_a_partial_and_a_callable_object_are_logged_under_names_of_their_own():
    """Both were logged as 'metric', so two of them were refused as of one name."""
    def error_power(y_true, y_pred, power):
        return float(np.mean(np.abs(y_true - y_pred) ** power))

    model = Sequential([Dense(1, input_shape=(2,))], seed=0)
    model.compile(loss="mse", optimizer="sgd",
                  metrics=[functools.partial(error_power, power=3), WorstError()])
    assert model.metrics_names == ["loss", "error_power", "worst_error"]
    x, y = np.ones((4, 2)), np.zeros((4, 1))
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["worst_error"] == pytest.approx(float(np.abs(model.predict(x)).max()))


def test_a_metric_function_of_per_sample_values_is_averaged_as_keras_averages_it():
    """Keras's custom metrics return a value per sample (``K.mean(..., axis=-1)``), and
    Keras logs their mean; so does minilstm, where the logs kept the array."""
    rng = np.random.default_rng(4)
    x, y = sum_problem(rng, 20)

    def absolute_error(y_true, y_pred):
        return np.abs(y_true - y_pred).mean(axis=-1)         # (samples,)

    model = Sequential([LSTM(3, input_shape=(4, 1)), Dense(1)], seed=0)
    model.compile(loss="mse", optimizer="sgd", metrics=[absolute_error, "mae"])
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert isinstance(logs["absolute_error"], float)
    assert logs["absolute_error"] == pytest.approx(logs["mae"], rel=1e-6)
    logged = model.fit(x, y, batch_size=8, verbose=0).history
    assert logged["absolute_error"][0] == pytest.approx(logged["mae"][0], rel=1e-6)


@pytest.mark.parametrize("shuffle", [False, True, "batch"])
def test_fit_visits_the_batches_in_the_order_shuffle_asks_for(shuffle):
    """True: a new permutation of the samples each epoch, from the model's generator;
    'batch' (Keras 2): the batches of consecutive samples in a new order, the smaller last
    one still last; False: in order. Each gives the weights of ``train_on_batch`` on those
    batches in that order."""
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((11, 4)), rng.standard_normal((11, 1))

    def make():
        model = Sequential([Dense(1, input_shape=(4,), dtype="float64")], seed=7)
        model.compile(loss="mse", optimizer=minilstm.SGD(learning_rate=0.1))
        return model

    fitted, stepped = make(), make()
    draws = copy.deepcopy(fitted.rng)
    fitted.fit(x, y, batch_size=3, epochs=2, shuffle=shuffle, verbose=0)
    for _ in range(2):
        if shuffle == "batch":
            order = np.concatenate([np.arange(3 * batch, 3 * batch + 3)
                                    for batch in draws.permutation(3)] + [np.arange(9, 11)])
        else:
            order = draws.permutation(11) if shuffle else np.arange(11)
        assert (order == np.arange(11)).all() == (not shuffle)
        for start in range(0, 11, 3):
            batch = order[start:start + 3]
            stepped.train_on_batch(x[batch], y[batch])
    np.testing.assert_array_equal(fitted.get_weights()[0], stepped.get_weights()[0])


def test_initial_epoch_resumes_a_run_where_it_stopped_as_keras_counts_it(capsys):
    x, y = sum_problem(np.random.default_rng(6), 30)

    def make():
        model = Sequential([LSTM(3, input_shape=(4, 1), dtype="float64"),
                            Dense(1, dtype="float64")], seed=0)
        model.compile(loss="mse", optimizer="adam")
        return model

    whole, resumed = make(), make()
    whole.fit(x, y, batch_size=10, epochs=4, verbose=0)
    resumed.fit(x, y, batch_size=10, epochs=2, verbose=0)
    capsys.readouterr()
    history = resumed.fit(x, y, batch_size=10, epochs=4, initial_epoch=2, verbose=2)
    assert history.epoch == [2, 3] and len(history.history["loss"]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 3/4" and lines[2] == "Epoch 4/4" and len(lines) == 4
    for a, b in zip(whole.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    # nothing is left to run from the last epoch on, as in Keras
    history = resumed.fit(x, y, batch_size=10, epochs=4, initial_epoch=4, verbose=0)
    assert history.epoch == [] and history.history == {}
    for a, b in zip(whole.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_train_on_batch_changes_the_weights_by_one_optimizer_step():
    rng = np.random.default_rng(2)
    x, y = sum_problem(rng, 8)
    model = Sequential([Dense(1, input_shape=(4,), dtype="float64")], seed=0)
    model.compile(loss="mse", optimizer=minilstm.SGD(learning_rate=0.1))
    before = model.get_weights()
    _, grads = model.compute_gradients(x[:, :, 0], y)
    model.train_on_batch(x[:, :, 0], y)
    np.testing.assert_allclose(model.get_weights()[0], before[0] - 0.1 * grads["dense/kernel"])


def test_predict_does_not_depend_on_batch_size():
    rng = np.random.default_rng(3)
    model = damped_sine_model("float64", seed=0)
    x = rng.uniform(0, 1, (7, 50, 1))
    np.testing.assert_allclose(model.predict(x, batch_size=3), model.predict(x, batch_size=7),
                               rtol=1e-13)


def test_set_seed_makes_a_run_repeat_bit_for_bit():
    def run():
        minilstm.set_seed(1234)
        x, y = sum_problem(np.random.default_rng(0), 60)
        model = Sequential([LSTM(5, input_shape=(4, 1)), Dense(1)])
        model.compile(loss="mse", optimizer="adam")
        history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        return model.get_weights(), history.history["loss"]

    (weights_a, loss_a), (weights_b, loss_b) = run(), run()
    assert loss_a == loss_b
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_array_equal(a, b)


def test_seed_argument_gives_the_same_model_whatever_the_package_generator_did():
    minilstm.set_seed(1)
    first = damped_sine_model(seed=99).get_weights()
    minilstm.set_seed(2)
    second = damped_sine_model(seed=99).get_weights()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("verbose", [0, 1, 2])
def test_verbose_levels_print_like_keras(verbose, capsys):
    x, y = sum_problem(np.random.default_rng(4), 30)
    model = Sequential([LSTM(3, input_shape=(4, 1)), Dense(1)], seed=0)
    model.compile(loss="mse", optimizer="adam")
    model.fit(x, y, batch_size=10, epochs=2, verbose=verbose)
    lines = capsys.readouterr().out.splitlines()
    if verbose == 0:
        assert lines == []
    else:
        assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
        assert "loss: " in lines[1] and ("ms/step" in lines[1] or "us/step" in lines[1])
        assert ("[====" in lines[1]) == (verbose == 1)


def test_progress_bar_redraws_with_eta_on_a_terminal():
    from minilstm.models.progress import ProgressBar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    bar = ProgressBar(4, verbose=1, stream=stream)
    bar.update(1, {"loss": 0.5})
    bar.finish({"loss": 0.25})
    text = stream.getvalue()
    assert "\r1/4 [======>......................." in text
    assert "ETA:" in text and "loss: 0.5000" in text
    assert text.endswith("loss: 0.2500\n") and "4/4 [==============================]" in text


def test_an_input_entry_first_makes_the_model_that_input_shape_makes():
    """Keras 3's ``Sequential([Input((50, 1)), LSTM(20), ...])``: the same weights, summary
    and predictions as ``input_shape=(50, 1)`` on the first layer, with the Input none of
    the model's layers; ``model.add(Input(...))`` works too."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 50, 1)).astype(np.float32)
    with_input = Sequential([Input((50, 1)), LSTM(20, return_sequences=True), LSTM(20),
                             Dense(5)], seed=7)
    added = Sequential(seed=7)
    for entry in (Input((50, 1)), LSTM(20, return_sequences=True), LSTM(20), Dense(5)):
        added.add(entry)
    reference = damped_sine_model(seed=7)
    summaries = []
    for model in (with_input, added, reference):
        assert model.built and len(model.layers) == 3
        np.testing.assert_array_equal(model.predict(x), reference.predict(x))
        lines = []
        model.summary(print_fn=lines.append)
        summaries.append(lines)
    assert summaries[0] == summaries[1] == summaries[2]


@pytest.mark.parametrize("entries, message", [
    (lambda: [LSTM(3, input_shape=(4, 2)), Input((4, 2))], r"must be the first entry"),
    (lambda: [Input((4, 2)), Input((4, 2))], r"and its only Input"),
    (lambda: [Input((4, 2)), LSTM(3, input_shape=(5, 2))],
     r"input_shape \(5, 2\), but the model's Input has shape \(4, 2\)"),
    (lambda: [Input((0, 2))], r"Input's shape must be a non-empty tuple of positive ints"),
    (lambda: [Input(5)], r"Input's shape must be a non-empty tuple .*; got 5"),
])
def test_an_input_entry_out_of_place_or_of_no_shape_is_refused(entries, message):
    with pytest.raises(ValueError, match=message):
        Sequential(entries())


def test_get_layer_finds_a_layer_by_name_or_index_as_in_keras():
    model = Sequential([LSTM(3, input_shape=(4, 1), name="encoder"), Dense(1)])
    encoder, dense = model.layers
    assert model.get_layer("encoder") is encoder and model.get_layer("dense") is dense
    assert model.get_layer(index=1) is dense and model.get_layer(index=-2) is encoder
    no_such = (r"model 'sequential' has no layer named 'decoder'; its layers are: 'encoder', "
               r"'dense'$")
    for kwargs, message in (({"name": "decoder"}, no_such),
                            ({"index": 2}, r"index must be an integer from -2 to 1 \(model "
                                           r"'sequential' has 2 layers\); got 2"),
                            ({"index": 1.0}, r"index must be an integer"),
                            ({}, r"get_layer takes one of name and index; got neither"),
                            ({"name": "dense", "index": 1}, r"got both")):
        with pytest.raises(ValueError, match=message):
            model.get_layer(**kwargs)


def test_input_shape_is_kerass_batch_first_shape_or_a_list_for_two_inputs():
    """``model.input_shape`` was missing; Keras gives it beside ``output_shape``."""
    assert damped_sine_model().input_shape == (None, 50, 1)
    assert Sequential([Input((None, 3)), LSTM(2)]).input_shape == (None, None, 3)
    inferred = Sequential([LSTM(2), Dense(1)], seed=0)
    with pytest.raises(ValueError, match=r"is not built yet, so it has no input shape"):
        inferred.input_shape
    for what, call in [("input shape", lambda model: model.input_shape),
                       ("summary", lambda model: model.summary())]:
        with pytest.raises(ValueError, match=rf"^model 'sequential' has no layers, so it has "
                                             rf"no {what}: add some first$"):
            call(Sequential())             # it said: give the first layer input_shape=...
    inferred.predict(np.zeros((1, 4, 3)))
    assert inferred.input_shape == (None, 4, 3)
    assert EncoderDecoder(4, 5, 6).input_shape == [(None, None, 5), (None, None, 6)]


def test_metrics_names_name_what_evaluate_returns_in_its_order():
    assert Sequential([LSTM(2, input_shape=(3, 1))]).metrics_names == []   # not compiled
    model = damped_sine_model()
    assert model.metrics_names == ["loss"]
    model.compile(loss="mae", optimizer="adam", metrics=["mse", "acc"])
    x, y = np.zeros((2, 50, 1)), np.zeros((2, 5))
    values = model.evaluate(x, y, verbose=0)
    assert model.metrics_names == ["loss", "mse", "acc"] == list(
        model.evaluate(x, y, verbose=0, return_dict=True))
    assert len(values) == 3


def test_pop_removes_the_last_layer_and_a_new_head_trains_from_fresh_moments():
    """Keras's pop. The optimiser keeps moments by name: a new head named as the popped one
    ('dense') would have started from the popped layer's, of another shape."""
    rng = np.random.default_rng(9)
    x = rng.standard_normal((8, 4, 1))
    model = Sequential([LSTM(3, input_shape=(4, 1)), Dense(2)], seed=0)
    model.compile(loss="mse", optimizer="adam")
    model.fit(x, rng.standard_normal((8, 2)), verbose=0)
    head = model.layers[-1]
    assert model.pop() is head and model.output_shape == (None, 3)
    assert [key for key in model.optimizer.state] == ["lstm/kernel", "lstm/recurrent_kernel",
                                                      "lstm/bias"]
    model.add(Dense(5, name="dense"))
    model.fit(x, rng.standard_normal((8, 5)), verbose=0)
    assert model.optimizer.state["dense/kernel"]["m"].shape == (3, 5)
    model.pop()
    model.pop()
    with pytest.raises(TypeError, match=r"^model 'sequential' has no layers to pop$"):
        model.pop()


def test_weights_are_the_arrays_themselves_in_keras_order():
    """Keras's model.weights / layer.weights (its variables): every weight is trainable."""
    model = Sequential([LSTM(3, input_shape=(4, 2)), Dense(2)], seed=0)
    x = np.ones((1, 4, 2))
    assert [w.shape for w in model.weights] == [w.shape for w in model.get_weights()] == [
        (2, 12), (3, 12), (12,), (3, 2), (2,)]
    assert model.weights[3] is model.layers[1].params["kernel"]
    assert model.trainable_weights == model.weights and model.non_trainable_weights == []
    assert model.layers[0].trainable_weights[1] is model.layers[0].params["recurrent_kernel"]
    before = model.predict(x)
    model.layers[1].weights[1][...] += 1.0                       # as Variable.assign_add
    np.testing.assert_allclose(model.predict(x), before + 1.0, rtol=1e-6)
