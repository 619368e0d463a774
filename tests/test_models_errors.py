"""Bad input to a model gets a clear error before any kernel runs."""
import copy
import re
import gc
import pickle
import weakref

import numpy as np
import pytest

import minilstm
from minilstm import LSTM, Dense, NotCompiledError, Sequential


@pytest.fixture
def model():
    model = Sequential([LSTM(4, input_shape=(3, 2)), Dense(1)], seed=0)
    model.compile(loss="mse", optimizer="adam", metrics=["mae"])
    return model


X = np.zeros((6, 3, 2))
Y = np.zeros((6, 1))


def test_fit_before_compile_says_to_compile():
    model = Sequential([LSTM(4, input_shape=(3, 2)), Dense(1)])
    with pytest.raises(NotCompiledError, match=r"must be compiled before fit"):
        model.fit(X, Y, verbose=0)
    assert issubclass(NotCompiledError, ValueError)


@pytest.mark.parametrize("x, y, error, message", [
    (X, np.zeros((5, 1)), ValueError, r"same number of samples; got x: 6, y: 5"),
    (X, np.zeros((6, 2)), ValueError, r"output shape \(None, 1\); got shape \(6, 2\)"),
    (X, np.zeros((6, 1, 1)), ValueError, r"output shape \(None, 1\); got shape \(6, 1, 1\)"),
    (np.zeros((6, 3)), Y, ValueError, r"rank 3 .* got shape \(6, 3\) \(rank 2\)"),
    (np.zeros((6, 3, 5)), Y, ValueError, r"2 features .* got shape \(6, 3, 5\)"),
    (np.zeros((6, 4, 2)), Y, ValueError, r"input shape \(None, 3, 2\); got shape \(6, 4, 2\)"),
    (np.where(np.arange(36).reshape(6, 3, 2) == 7, np.nan, 0.0), Y, ValueError,
     r"x contains 1 non-finite values \(NaN or inf\); the first at index \(1, 0, 1\)"),
    (X, np.full((6, 1), np.inf), ValueError, r"y contains 6 non-finite values"),
    (np.full((6, 3, 2), "a"), Y, TypeError, r"x must be a numeric array"),
    (X + 1j, Y, TypeError, r"x must be a real array; got complex128"),
    (np.zeros((0, 3, 2)), np.zeros((0, 1)), ValueError, r"x holds no samples"),
])
def test_bad_data_for_fit_gets_a_clear_error(model, x, y, error, message):
    with pytest.raises(error, match=message):
        model.fit(x, y, verbose=0)


def test_several_target_arrays_are_refused_as_the_one_output_they_are_not(model):
    """The error said 'the model takes 1 input array' of the targets."""
    with pytest.raises(ValueError, match=r"^y must be one array \(the model has one output\); "
                                         r"got a list of 2 arrays$"):
        model.fit(X, [Y, Y], verbose=0)


@pytest.mark.parametrize("call", [
    lambda model: model.fit(X, None, verbose=0),
    lambda model: model.fit(X, Y, validation_data=(X, None), verbose=0),
    lambda model: model.evaluate(X, None, verbose=0),
    lambda model: model.train_on_batch(X, None),
    lambda model: model.test_on_batch(X, None),
    lambda model: model.compute_gradients(X, None),
])
def test_targets_left_out_are_refused_by_name(model, call):
    with pytest.raises(TypeError, match=r"^y must be an array; got None$"):
        call(model)


def batches_of_x_and_y():
    while True:
        yield X, Y


@pytest.mark.parametrize("call, label, kind", [
    (lambda model: model.fit(batches_of_x_and_y(), verbose=0), "x", "generator"),
    (lambda model: model.evaluate(iter([X]), Y, verbose=0), "x", "list_iterator"),
    (lambda model: model.train_on_batch({"input": X}, Y), "x", "dict"),
    (lambda model: model.fit(X, {"dense": Y}, verbose=0), "y", "dict"),
    (lambda model: model.predict(batches_of_x_and_y()), "x", "generator"),
])
def test_generators_and_dicts_keras_takes_are_refused_saying_so(model, call, label, kind):
    """A generator given alone to fit was 'missing 1 required positional argument: y'; a
    dict was NumPy's 'float() argument must be a string or a real number, not dict'."""
    with pytest.raises(TypeError, match=rf"^{label} must be a numeric array; got a {kind}: "
                                        r"Keras takes dicts of arrays by name, generators and "
                                        r"datasets, minilstm arrays \(or nested lists\) alone$"):
        call(model)


def test_steps_other_than_the_built_ones_are_refused_and_none_takes_any():
    """A model built for 3 steps (its output shape, which y must match, follows from them)
    refuses 4 in every call, as Keras does; ``input_shape=(None, 2)`` takes any number of
    steps; a model given no input shape is built for the steps of the first data it sees."""
    fixed = Sequential([LSTM(4, return_sequences=True, input_shape=(3, 2)), Dense(1)], seed=0)
    fixed.compile(loss="mse", optimizer="adam")
    message = r"x must match the model's input shape \(None, 3, 2\); got shape \(6, 4, 2\)"
    for call in (lambda: fixed.fit(np.zeros((6, 4, 2)), np.zeros((6, 4, 1)), verbose=0),
                 lambda: fixed.evaluate(np.zeros((6, 4, 2)), np.zeros((6, 4, 1)), verbose=0),
                 lambda: fixed.predict(np.zeros((6, 4, 2)))):
        with pytest.raises(ValueError, match=message):
            call()
    free = Sequential([LSTM(4, input_shape=(None, 2)), Dense(1)], seed=0)
    assert [free.predict(np.zeros((2, steps, 2))).shape for steps in (3, 7)] == [(2, 1)] * 2
    inferred = Sequential([LSTM(4), Dense(1)], seed=0)
    inferred.predict(np.zeros((2, 3, 2)))
    with pytest.raises(ValueError, match=r"input shape \(None, 3, 2\); got shape \(2, 5, 2\)"):
        inferred.predict(np.zeros((2, 5, 2)))


@pytest.mark.parametrize("batch_size", [0, -3, 2.5, True])
def test_batch_size_below_one_is_refused(model, batch_size):
    with pytest.raises(ValueError, match=r"batch_size must be an integer >= 1"):
        model.fit(X, Y, batch_size=batch_size, verbose=0)
    with pytest.raises(ValueError, match=r"batch_size must be an integer >= 1"):
        model.predict(X, batch_size=batch_size)


@pytest.mark.parametrize("compile_kwargs, message", [
    ({"loss": "hinge"}, r"unknown loss 'hinge'; valid names are: 'binary_crossentropy', "
                        r"'categorical_crossentropy'"),
    ({"loss": "mse", "optimizer": "adagrad"}, r"unknown optimizer 'adagrad'; valid names"),
    ({"loss": "mse", "metrics": ["auc"]}, r"unknown metric 'auc'; valid names are: .*'acc'"),
    ({}, r"compile needs a loss"),
    ({"loss": "mse", "metrics": "mae"}, r"metrics must be a list of names, e\.g\. "
                                        r"metrics=\['mae'\]; got the string 'mae'"),
    ({"loss": "mse", "metrics": np.max}, r"metrics must be a list, e\.g\. metrics=\[max\]; "
                                         r"got the function max alone"),
])
def test_unknown_names_in_compile_list_the_valid_ones(model, compile_kwargs, message):
    with pytest.raises(ValueError, match=message):
        model.compile(**compile_kwargs)


def loss(y_true, y_pred):
    """A metric function of the user's that happens to be named as the loss is logged."""
    return 0.0


@pytest.mark.parametrize("metrics, message", [
    (["mae", "MAE"], r"two metrics are named 'mae'"),
    ([lambda t, p: 0.0, lambda t, p: 1.0], r"two metrics are named '<lambda>'"),
    ([loss], r"a metric is named 'loss', the loss's own name in the logs"),
    (3, r"metrics must be a list, e\.g\. metrics=\['mae'\]; got int 3"),
    (["mse", "f1"], r"unknown metric 'f1'"),
])
def test_a_refused_compile_names_the_metric_and_leaves_the_model_as_it_was(
        model, metrics, message):
    """Two metrics of one name (or one named 'loss') would share one entry of the logs:
    one value would replace the other's silently."""
    compiled = (model.loss, model.optimizer, model.metrics_names)
    with pytest.raises(ValueError, match=message):
        model.compile(loss="mae", optimizer="sgd", metrics=metrics)
    assert (model.loss, model.optimizer, model.metrics_names) == compiled


@pytest.mark.parametrize("make, message", [
    (lambda model: model.compile(loss="mse", metrics=["mae", Dense(1)]),
     r"^metric must be one of the names .* or a function \(y_true, y_pred\) -> float; "
     r"got Dense$"),
    (lambda model: model.compile(loss="mse", metrics=[model]),
     r"^metric must be one of the names .*; got Sequential$"),
    (lambda model: Dense(2, kernel_initializer=LSTM(3)),
     r"^kernel_initializer: initializer must be one of the names .* or a function "
     r"\(shape, dtype, rng\) -> array; got LSTM$"),
])
def test_a_layer_or_a_model_is_no_metric_or_initializer_function_though_callable(
        model, make, message):
    """Layers and models are called on arrays as Keras's are; a Dense layer given as a
    metric would have been taken as a function and logged its output."""
    with pytest.raises(TypeError, match=message):
        make(model)


def test_an_optimiser_that_trains_another_model_is_refused_until_that_model_lets_it_go(model):
    """Both models name their weights 'lstm/kernel', ...: one optimiser would have trained
    the second from the first one's moments, and mixed them from then on."""
    optimizer = minilstm.Adam(0.01)
    model.compile(loss="mse", optimizer=optimizer)
    model.fit(X, Y, verbose=0)
    other = Sequential([LSTM(4, input_shape=(3, 2)), Dense(1)], name="other")
    with pytest.raises(ValueError, match=r"^this Adam already trains another model, "
                                         r"'sequential', .* \(Adam\(\.\.\.\) again, or "
                                         r"optimizer='adam'\)$"):
        other.compile(loss="mse", optimizer=optimizer)
    assert other.optimizer is None
    model.compile(loss="mae", optimizer=optimizer)          # its own, compiled again
    assert optimizer.iterations == 1 and optimizer.state    # keeps its moments
    model.compile(loss="mae", optimizer="sgd")              # lets it go
    other.compile(loss="mse", optimizer=optimizer)
    assert optimizer.owner is other


def test_an_optimiser_handed_to_another_model_starts_afresh_there():
    """It kept the first model's moments by name: the second model's 'lstm/kernel' of
    another shape failed in NumPy ('could not broadcast input array from shape (2,16) into
    shape (2,24)'), and one of the same shape would have started from them."""
    optimizer = minilstm.Adam(0.01)
    first = Sequential([LSTM(4, input_shape=(3, 2)), Dense(1)], seed=0)
    first.compile(loss="mse", optimizer=optimizer)
    first.fit(X, Y, verbose=0)
    del first
    gc.collect()
    wider = Sequential([LSTM(6, input_shape=(3, 2)), Dense(1)], seed=0)
    wider.compile(loss="mse", optimizer=optimizer)
    assert optimizer.iterations == 0 and optimizer.state == {}
    wider.fit(X, Y, verbose=0)
    fresh = Sequential([LSTM(6, input_shape=(3, 2)), Dense(1)], seed=0)
    fresh.compile(loss="mse", optimizer=minilstm.Adam(0.01))
    fresh.fit(X, Y, verbose=0)
    for handed, new in zip(wider.get_weights(), fresh.get_weights()):
        np.testing.assert_array_equal(handed, new)


def test_an_optimiser_holds_its_model_weakly_and_a_copy_of_it_alone_has_no_owner():
    """The owner is no state of the optimiser: copying the optimiser copied its model, and
    the optimiser kept a model alive that nothing else held."""
    optimizer = minilstm.Adam()
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(loss="mse", optimizer=optimizer)
    assert copy.deepcopy(optimizer).owner is None
    assert pickle.loads(pickle.dumps(optimizer)).owner is None
    held = weakref.ref(model)
    del model
    gc.collect()
    assert held() is None and optimizer.owner is None


@pytest.mark.parametrize("value", [None, "0.5", [], [1.0, "a"]])
def test_a_metric_that_returns_no_number_is_refused_by_name(model, value):
    def odd(y_true, y_pred):
        return value

    model.compile(loss="mse", optimizer="sgd", metrics=[odd])
    with pytest.raises(TypeError, match=r"metric 'odd' must return a number or an array of "
                                        r"numbers; got "):
        model.evaluate(X, Y, verbose=0)


def test_validation_arguments_are_checked(model):
    with pytest.raises(ValueError, match=r"validation_split must be in \(0, 1\)"):
        model.fit(X, Y, validation_split=1.5, verbose=0)
    with pytest.raises(ValueError, match=r"validation_split must be in \(0, 1\); got '0\.2'"):
        model.fit(X, Y, validation_split="0.2", verbose=0)
    with pytest.raises(ValueError, match=r"validation_data must be \(x_val, y_val\), or "
                                         r"\(x_val, y_val, val_sample_weight\)"):
        model.fit(X, Y, validation_data=X, verbose=0)
    with pytest.raises(ValueError, match=r"epochs must be an integer >= 1"):
        model.fit(X, Y, epochs=0, verbose=0)
    for initial_epoch in (-1, 1.5, None):
        with pytest.raises(ValueError, match=r"initial_epoch must be an integer >= 0; got "):
            model.fit(X, Y, initial_epoch=initial_epoch, verbose=0)
    # a string Keras does not know would be true, and shuffle
    for shuffle in ("no", 1, None):
        with pytest.raises(ValueError,
                           match=r"shuffle must be True, False or 'batch'; got " + repr(shuffle)):
            model.fit(X, Y, shuffle=shuffle, verbose=0)


@pytest.mark.parametrize("seed", [-1, 2.5, "1", True])
def test_a_seed_that_is_no_integer_from_zero_up_is_refused_by_name(seed):
    with pytest.raises((ValueError, TypeError), match=r"seed must be"):
        minilstm.set_seed(seed)
    with pytest.raises((ValueError, TypeError), match=r"seed must be"):
        Sequential([Dense(1, input_shape=(2,))], seed=seed)


@pytest.mark.filterwarnings("ignore:overflow encountered")
@pytest.mark.parametrize("make_call, message", [
    (lambda: Dense(2, activation=np.tanh),
     r"activation must be one of the names 'hard_sigmoid', 'linear', .* 'tanh'; got ufunc"),
    (lambda: Sequential([Dense(1, input_dim=2)]).compile(loss="mse", metrics=[3]),
     r"metric must be one of the names 'acc', .*, or a function \(y_true, y_pred\) -> float; "
     r"got int"),
    (lambda: Sequential([Dense(1, input_dim=2)]).compile(loss=3),
     r"loss must be one of the names .*, or a minilstm Loss; got int"),
])
def test_what_is_neither_a_known_name_nor_an_object_taken_lists_the_names(make_call, message):
    """It said 'must be a string name or an object; got function' for an activation
    function, which is an object, and which no activation may be."""
    with pytest.raises(TypeError, match=message):
        make_call()


def test_a_diverging_loss_stops_fit_naming_the_epoch_and_batch():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1e3, 1e3, (40, 4))
    y = rng.uniform(-1e3, 1e3, (40, 1))
    model = Sequential([Dense(8, input_shape=(4,)), Dense(1)], seed=0)
    model.compile(loss="mse", optimizer=minilstm.SGD(learning_rate=1e3))
    with pytest.raises(FloatingPointError, match=r"loss became (nan|inf) at epoch \d+, batch \d+"):
        model.fit(x, y, batch_size=4, epochs=5, verbose=0)
    assert model.history.params["epochs"] == 5      # the epochs completed are kept there
    assert len(model.history.history.get("loss", [])) == len(model.history.epoch) < 5


def test_sequential_refuses_what_it_cannot_chain():
    with pytest.raises(TypeError, match=r"takes a minilstm Layer or Input; got str"):
        Sequential(["lstm"])
    with pytest.raises(ValueError, match=r"^Sequential passes one array from layer to layer; "
                                         r"LSTM 'lstm' has return_state=True, so its output "
                                         r"is a list \[output, h, c\]$"):
        Sequential([LSTM(3, return_state=True, input_shape=(2, 1))])
    for stack in (lambda layer: Sequential([minilstm.Input((2, 2)), layer]),
                  lambda layer: Sequential([Dense(2, input_shape=(2, 2)), layer]),
                  lambda layer: minilstm.TimeDistributed(layer)):
        with pytest.raises(ValueError, match=r"AttentiveLSTM 'decoder' reads a memory and an "
                                             r"initial state besides its input"):
            stack(minilstm.AttentiveLSTM(3, 3, name="decoder"))   # forward(x) failed in it
    with pytest.raises(ValueError, match=r"^TimeDistributed applies a layer of one input and "
                                         r"one output array; LSTM 'lstm' has return_state"):
        minilstm.TimeDistributed(LSTM(3, return_state=True))
    with pytest.raises(ValueError, match=r"only the first layer takes input_shape"):
        Sequential([LSTM(3, input_shape=(2, 1)), Dense(1, input_dim=3)])
    with pytest.raises(ValueError, match=r"'same' is taken"):
        Sequential([Dense(2, name="same", input_dim=1), Dense(1, name="same")])
    with pytest.raises(ValueError, match=r"not built yet"):
        Sequential([LSTM(3)]).summary()
    twice = Dense(3)
    with pytest.raises(ValueError, match=r"layer 'dense_1' is in model 'sequential' already"):
        Sequential([Dense(3, input_dim=3), twice, twice])


@pytest.mark.parametrize("layers", [
    lambda built: [Dense(3, input_dim=4), built],
    lambda built: [minilstm.Input((4,)), built],
    lambda built: [Dense(3, input_dim=4), minilstm.RepeatVector(2), built],
], ids=["after a layer", "after an Input", "of another rank"])
def test_a_layer_built_for_other_inputs_is_refused_where_it_is_added(layers):
    """It was taken, and the model's output shape reported, until data reached it."""
    built = Dense(2, name="built")
    built.build((None, 5))
    with pytest.raises(ValueError, match=r"^layer 'built' is built for input \(None, 5\), "
                                         r"but here it would receive \(None, "):
        Sequential(layers(built))
    unbuilt = Sequential([Dense(3), built])          # built by the first data
    unbuilt.compile(loss="mse", optimizer="sgd")
    with pytest.raises(ValueError, match=r"^layer 'built' is built for input \(None, 5\), "
                                         r"but here it would receive \(None, 3\)$"):
        unbuilt.fit(np.ones((2, 4)), np.ones((2, 2)), verbose=0)
    fitting = Dense(2)
    fitting.build((None, None, 3))                   # None fits any number of steps
    model = Sequential([Dense(3, input_dim=4), minilstm.RepeatVector(2), fitting])
    assert model.predict(np.ones((1, 4))).shape == (1, 2, 2)


def test_targets_without_the_trailing_unit_axis_are_accepted_like_keras(model):
    history = model.fit(X, np.zeros(6), verbose=0)
    assert len(history.history["loss"]) == 1
    with pytest.raises(ValueError, match=r"output shape \(None, 1\); got shape \(6, 2\)"):
        model.fit(X, np.zeros((6, 2)), verbose=0)


def test_nested_lists_and_a_list_of_one_array_are_taken_as_one_array(model):
    """As ``np.asarray`` reads them, one sample too ([[...]] is one sample, not one input)."""
    x, y = np.arange(36.0).reshape(6, 3, 2) / 36, np.linspace(0, 1, 6).reshape(6, 1)
    expected = model.predict(x)
    np.testing.assert_array_equal(model.predict(x.tolist()), expected)
    np.testing.assert_array_equal(model.predict([x]), expected)
    np.testing.assert_array_equal(model.predict(x[:1].tolist()), expected[:1])
    assert model.test_on_batch(x.tolist(), y.tolist()) == model.test_on_batch(x, y)
    assert model.test_on_batch(x[:1].tolist(), y[:1].tolist()) == model.test_on_batch(x[:1], y[:1])


@pytest.mark.parametrize("x, message", [
    ([X, X], r"x must be one array \(the model takes 1 input array\); got a list of 2 arrays"),
    ((X,) * 3, r"x must be one array .*; got a tuple of 3 arrays"),
])
def test_several_arrays_for_a_model_of_one_input_are_refused(model, x, message):
    with pytest.raises(ValueError, match=message):
        model.predict(x)


@pytest.mark.parametrize("verbose", [5, -1, "loud", None, 1.5])
def test_a_verbosity_keras_does_not_know_is_refused_by_name(model, verbose):
    for call in (lambda: model.fit(X, Y, verbose=verbose),
                 lambda: model.evaluate(X, Y, verbose=verbose),
                 lambda: model.predict(X, verbose=verbose)):
        with pytest.raises(ValueError, match=r"verbose must be 0, 1, 2 or 'auto'; got"):
            call()


def test_verbose_auto_is_verbose_one_as_in_keras(model, capsys):
    """Keras 3's default, "auto", shows the progress bar (it printed verbose=2's line)."""
    model.fit(X, Y, verbose="auto")
    model.evaluate(X, Y, verbose="auto")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/1"
    assert lines[1].startswith("1/1 [==============================] - ")
    assert lines[2].startswith("1/1 [==============================] - ")


def _with(weights, index, value):
    return [value if i == index else w for i, w in enumerate(weights)]


@pytest.mark.parametrize("change, error, message", [
    (lambda w: _with(w, 4, np.zeros(2)), ValueError,
     r"weight 'bias' of layer 'dense' must have shape \(1,\); got \(2,\)"),
    (lambda w: _with(w, 3, np.where(np.arange(4).reshape(4, 1) == 2, np.nan, w[3])), ValueError,
     r"weight 'kernel' of layer 'dense' contains 1 non-finite values \(NaN or inf\); "
     r"the first at index \(2, 0\)"),
    (lambda w: _with(w, 1, w[1] + 1j), TypeError,
     r"weight 'recurrent_kernel' of layer 'lstm' must hold real numbers; got dtype complex"),
    (lambda w: _with(w, 2, np.full(16, "a")), TypeError,
     r"weight 'bias' of layer 'lstm' must hold real numbers; got dtype <U1"),
    (lambda w: _with(w, 0, [[1.0, 2.0], [3.0]]), TypeError,
     r"weight 'kernel' of layer 'lstm' must be a numeric array"),
])
def test_set_weights_refuses_bad_weights_and_leaves_every_layer_as_it_was(
        model, change, error, message):
    """Every array is checked before any is copied: the arrays before the bad one (here
    the LSTM's, when the Dense layer's are bad) are not loaded either, and a NaN weight is
    refused rather than surfacing later as a NaN loss."""
    before = model.get_weights()
    ones = [np.ones_like(w) for w in before]
    with pytest.raises(error, match=message):
        model.set_weights(change(ones))
    assert all(np.array_equal(now, then) for now, then in zip(model.get_weights(), before))


def test_set_weights_casts_other_real_types_to_the_layers_dtype(model):
    model.set_weights([np.arange(w.size).reshape(w.shape) for w in model.get_weights()])
    kernel = model.layers[0].get_weights()[0]
    assert kernel.dtype == np.float32 and kernel.shape == (2, 16) and kernel[1, 3] == 19


@pytest.mark.parametrize("name", ["", 3, "encoder/lstm"])
@pytest.mark.parametrize("make", [lambda name: LSTM(3, name=name),
                                  lambda name: Dense(2, name=name),
                                  lambda name: Sequential(name=name),
                                  lambda name: minilstm.EncoderDecoder(2, 3, 4, name=name)],
                         ids=["LSTM", "Dense", "Sequential", "EncoderDecoder"])
def test_a_name_that_is_no_string_is_empty_or_holds_a_slash_is_refused(make, name):
    """'/' joins a layer's name to its weight's in the optimiser's keys ('lstm/kernel'), and
    Keras 3 refuses it; an empty name was taken for the default, and then not made unique
    (two such layers were refused as both named 'lstm'); a number was kept as a number."""
    with pytest.raises(ValueError, match=r"^name must be a non-empty string without '/'; got "):
        make(name)


def test_renaming_a_layer_is_checked_as_naming_it_is():
    layer = LSTM(3, name="encoder")
    with pytest.raises(ValueError, match=r"without '/'; got 'a/b'$"):
        layer.name = "a/b"
    assert layer.name == "encoder"


def test_summary_takes_keras_defaults_for_none_and_refuses_what_it_cannot_use(model, capsys):
    """line_length=None is Keras's default width (it failed multiplying None); a width that
    is no positive integer, or a print_fn that cannot be called, is refused by name."""
    lines = []
    model.summary(line_length=None, print_fn=lines.append)
    assert {len(line) for line in lines if line and set(line) <= set("_=")} == {65}
    model.summary(print_fn=None)
    assert capsys.readouterr().out.splitlines() == lines
    for line_length in (0, -5, "80", 2.5):
        with pytest.raises(ValueError, match=rf"^line_length must be a positive integer; "
                                             rf"got {line_length!r}$"):
            model.summary(line_length=line_length)
    with pytest.raises(TypeError, match=r"^print_fn must be a function of one line of text"):
        model.summary(print_fn="stdout")


def test_a_layer_refused_by_add_leaves_the_model_and_the_layer_as_they_were():
    """The refused LSTM stayed in the model, unbuilt: every later call failed on it."""
    model = Sequential([Dense(3, input_shape=(2,))])
    lstm = LSTM(3)
    with pytest.raises(ValueError, match=r"LSTM 'lstm' needs input shape \(batch, time, "
                                         r"features\)"):
        model.add(lstm)
    assert [layer.name for layer in model.layers] == ["dense"] and model.built
    assert not lstm.built and Sequential([lstm]).layers[0].name == "lstm"
    model.add(Dense(1))
    assert model.output_shape == (None, 1)


def test_data_that_a_lazily_built_model_refuses_builds_none_of_its_layers():
    """The Dense layer was built for the refused 2-D data, so the model refused the right
    3-D data from then on."""
    model = Sequential([Dense(3), LSTM(2)])
    model.compile(loss="mse", optimizer="adam")
    with pytest.raises(ValueError, match=r"LSTM 'lstm' needs input shape \(batch, time, "
                                         r"features\) with known features; got \(None, 3\)"):
        model.fit(np.zeros((4, 5)), np.zeros((4, 2)), verbose=0)
    assert not any(layer.built for layer in model.layers)
    model.fit(np.zeros((4, 6, 5)), np.zeros((4, 2)), verbose=0)
    assert model.input_shape == (None, 6, 5)


@pytest.mark.parametrize("layers", [LSTM(3, name="one"), "lstm"])
def test_sequential_of_one_layer_not_in_a_list_is_refused_saying_so(layers):
    """One layer failed as "'LSTM' object is not iterable"; a string was read letter by
    letter, each refused as no layer."""
    with pytest.raises(TypeError, match=r"^layers must be a list of layers, e\.g\. "
                                        r"Sequential\(\[layer\]\); got "):
        Sequential(layers)


FLAGS = {
    "return_sequences": lambda value: LSTM(3, return_sequences=value),
    "return_state": lambda value: LSTM(3, return_state=value),
    "go_backwards": lambda value: LSTM(3, go_backwards=value),
    "use_bias": lambda value: Dense(2, use_bias=value),
    "unit_forget_bias": lambda value: minilstm.AttentiveLSTM(3, 2, unit_forget_bias=value),
    "return_probabilities": lambda value: minilstm.AttentionDecoder(
        3, 2, return_probabilities=value),
    "nesterov": lambda value: minilstm.SGD(momentum=0.5, nesterov=value),
    "attention": lambda value: minilstm.EncoderDecoder(2, 3, 4, attention=value),
}


@pytest.mark.parametrize("argument", FLAGS)
def test_an_option_that_is_no_truth_value_is_refused_by_name(argument):
    """bool('False') is True: LSTM(3, return_sequences='False') returned sequences."""
    for value in ("False", None, 2):
        with pytest.raises(ValueError, match=rf"^{argument} must be True or False; got "
                                             rf"{re.escape(repr(value))}$"):
            FLAGS[argument](value)
    for value, expected in ((np.bool_(True), True), (0, False), (1, True)):
        assert getattr(FLAGS[argument](value), argument) is expected


def test_saving_loading_and_evaluate_options_that_are_no_truth_value_are_refused(
        model, tmp_path):
    with pytest.raises(ValueError, match=r"^include_optimizer must be True or False; "
                                         r"got 'no'$"):
        model.save(tmp_path / "m.npz", include_optimizer="no")
    model.save(tmp_path / "m.npz")
    with pytest.raises(ValueError, match=r"^compile must be True or False; got 'False'$"):
        minilstm.load_model(tmp_path / "m.npz", compile="False")
    for call in (lambda: model.evaluate(X, Y, verbose=0, return_dict="no"),
                 lambda: model.train_on_batch(X, Y, return_dict="no"),
                 lambda: model.test_on_batch(X, Y, return_dict="no")):
        with pytest.raises(ValueError, match=r"^return_dict must be True or False; got 'no'$"):
            call()


@pytest.mark.parametrize("make, message", [
    (lambda: Dense(2, dtype="foo"), r"^dtype must be one of \['float32', 'float64'\]; "
                                    r"got 'foo'$"),
    (lambda: minilstm.EncoderDecoder(2, 3, 4, dtype="double precision"), r"^dtype must be one "),
    (lambda: Dense(2, input_dim=3, input_shape=(4,)),
     r"^give input_dim or input_shape, not both; got input_dim=3 and input_shape=\(4,\)$"),
    (lambda: minilstm.Input((3,), name=""), r"^name must be a non-empty string"),
])
def test_layer_arguments_numpy_or_keras_would_misread_are_refused_by_name(make, message):
    """An unknown dtype name failed in NumPy ("data type 'foo' not understood"); input_dim
    beside another input_shape was dropped silently; Input took any name."""
    with pytest.raises(ValueError, match=message):
        make()
