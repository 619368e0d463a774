"""Saving and loading: identical predictions, exact resumption, no pickle, crash safety."""
import gc
import json
import os
import warnings

import numpy as np
import pytest

import minilstm
from minilstm import (LSTM, AttentionDecoder, Dense, Input, Layer, RepeatVector, Sequential,
                      TimeDistributed, initializers)


def stacked_lstm():
    return Sequential([LSTM(6, return_sequences=True, input_shape=(7, 2)),
                       LSTM(5, go_backwards=True, unit_forget_bias=False), Dense(3)], seed=1)


def encoder_decoder():
    return Sequential([LSTM(6, input_shape=(None, 4), dtype="float64"),
                       RepeatVector(3, dtype="float64"),
                       LSTM(5, return_sequences=True, dtype="float64"),
                       TimeDistributed(Dense(4, activation="softmax", dtype="float64",
                                             bias_initializer=initializers.Constant(0.1)))],
                      seed=2)


def attention_model():
    return Sequential([LSTM(6, return_sequences=True, input_shape=(5, 4)),
                       AttentionDecoder(5, 4, output_length=3)], seed=3)


def attention_decoder_after_an_input():
    """The decoder can open a model only after an Input: the loaded model must keep it."""
    return Sequential([Input((5, 4)), AttentionDecoder(5, 4, output_length=3)], seed=5)


def lazily_built_mlp():
    model = Sequential([Dense(8, activation="relu"), Dense(2, use_bias=False)], seed=4)
    model.build((None, 3))
    return model


@pytest.mark.parametrize("make_model, input_shape", [
    (stacked_lstm, (4, 7, 2)), (encoder_decoder, (4, 6, 4)), (attention_model, (4, 5, 4)),
    (attention_decoder_after_an_input, (4, 5, 4)), (lazily_built_mlp, (4, 3))])
def test_a_loaded_model_predicts_exactly_what_the_saved_one_did(make_model, input_shape,
                                                                tmp_path):
    model = make_model()
    x = np.random.default_rng(0).standard_normal(input_shape)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = minilstm.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert [layer.get_config() for layer in loaded.layers] == \
        [layer.get_config() for layer in model.layers]
    assert loaded.loss is None                       # never compiled, so nothing to restore


def test_training_resumes_bit_for_bit_after_save_and_load(tmp_path):
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((40, 7, 2)), rng.standard_normal((40, 3))

    def compiled():
        model = stacked_lstm()
        model.compile(loss="mse", optimizer=minilstm.Adam(learning_rate=0.01), metrics=["mae"])
        return model

    straight = compiled()
    straight_history = straight.fit(x, y, batch_size=8, epochs=2, verbose=0)

    resumed = compiled()
    first = resumed.fit(x, y, batch_size=8, epochs=1, verbose=0)
    resumed.save(tmp_path / "halfway.npz")
    reloaded = minilstm.load_model(tmp_path / "halfway.npz")
    assert reloaded.optimizer.iterations == 5 and reloaded.metric_names == ["mae"]
    second = reloaded.fit(x, y, batch_size=8, epochs=1, verbose=0)

    assert first.history["loss"] + second.history["loss"] == straight_history.history["loss"]
    for a, b in zip(reloaded.get_weights(), straight.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_learning_rate_lowered_between_epochs_is_saved_and_loaded(tmp_path):
    """A NumPy number set as the rate (read from an array of rates, say) made save fail:
    'Object of type float32 is not JSON serializable'."""
    model = stacked_lstm()
    model.compile(loss="mse", optimizer="adam")
    x, y = np.zeros((4, 7, 2)), np.zeros((4, 3))
    model.fit(x, y, verbose=0)
    model.optimizer.learning_rate = np.geomspace(1e-3, 1e-5, 3, dtype=np.float32)[1]
    model.fit(x, y, verbose=0)
    model.save(tmp_path / "m.npz")
    loaded = minilstm.load_model(tmp_path / "m.npz")
    assert loaded.optimizer.learning_rate == float(np.float32(1e-4))


def test_include_optimizer_false_loads_a_fresh_optimizer(tmp_path):
    model = stacked_lstm()
    model.compile(loss="mae", optimizer="rmsprop")
    model.fit(np.zeros((4, 7, 2)), np.zeros((4, 3)), verbose=0)
    model.save(tmp_path / "m.npz", include_optimizer=False)
    loaded = minilstm.load_model(tmp_path / "m.npz")
    assert isinstance(loaded.optimizer, minilstm.RMSprop)
    assert loaded.optimizer.iterations == 0 and loaded.optimizer.state == {}


def test_the_file_is_plain_arrays_readable_without_pickle(tmp_path):
    stacked_lstm().save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as archive:
        assert all(archive[name].dtype != object for name in archive.files)
        description = json.loads(str(archive["description"]))
    assert description["format"] == "minilstm.model" and description["version"] == 1


def test_a_crash_while_saving_leaves_the_previous_file_and_no_debris(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    stacked_lstm().save(path)
    before = path.read_bytes()

    def crash(stream, **arrays):
        stream.write(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        encoder_decoder().save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.npz"]


def test_truncated_and_foreign_files_get_a_clear_error(tmp_path):
    path = tmp_path / "m.npz"
    stacked_lstm().save(path)
    (tmp_path / "truncated.npz").write_bytes(path.read_bytes()[:300])
    (tmp_path / "noise.npz").write_bytes(b"not a model at all")
    np.savez(tmp_path / "plain.npz", weights=np.zeros(3))
    with open(tmp_path / "one_array.npz", "wb") as stream:
        np.save(stream, np.zeros(3))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for name in ("truncated.npz", "noise.npz", "plain.npz", "one_array.npz"):
            with pytest.raises(ValueError, match="is not a readable minilstm model file") \
                    as refused:
                minilstm.load_model(tmp_path / name)
            # NumPy's advice for a file it takes for a pickle names an argument load_model
            # does not have, and would run the file's code
            assert "allow_pickle" not in str(refused.value)
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)], \
        "a failed load left its file open"
    with pytest.raises(FileNotFoundError):
        minilstm.load_model(tmp_path / "missing.npz")


def test_a_model_compiled_with_a_metric_function_loads_with_compile_false(tmp_path):
    """As in Keras, the file holds the function's name only: loading it compiled says how
    to go on rather than failing on an unknown name."""
    def largest_error(y_true, y_pred):
        return float(np.abs(y_true - y_pred).max())

    model = stacked_lstm()
    model.compile(loss="mse", optimizer="adam", metrics=["mae", largest_error])
    model.save(tmp_path / "m.npz")
    with pytest.raises(ValueError, match=r"compiled with the metric 'largest_error', a function "
                                         r".*load it with compile=False"):
        minilstm.load_model(tmp_path / "m.npz")
    loaded = minilstm.load_model(tmp_path / "m.npz", compile=False)
    x = np.ones((2, 7, 2))
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_a_file_with_pickled_objects_is_refused_not_executed(tmp_path):
    np.savez(tmp_path / "evil.npz", description=np.array([{"format": "x"}], dtype=object))
    with pytest.raises(ValueError, match="Object arrays cannot be loaded"):
        minilstm.load_model(tmp_path / "evil.npz")


def rewrite_description(source, target, **changes):
    with np.load(source, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    description = json.loads(str(arrays["description"]))
    description.update(changes)
    arrays["description"] = np.array(json.dumps(description))
    np.savez(target, **arrays)


def test_an_unknown_format_version_gets_a_clear_error(tmp_path):
    stacked_lstm().save(tmp_path / "m.npz")
    rewrite_description(tmp_path / "m.npz", tmp_path / "future.npz", version=99)
    with pytest.raises(ValueError, match="format version 99; this minilstm reads version 1"):
        minilstm.load_model(tmp_path / "future.npz")
    rewrite_description(tmp_path / "m.npz", tmp_path / "other.npz", format="keras")
    with pytest.raises(ValueError, match="not a minilstm model file"):
        minilstm.load_model(tmp_path / "other.npz")


def test_what_cannot_be_saved_says_why(tmp_path):
    with pytest.raises(ValueError, match="not built yet"):
        Sequential([LSTM(3)]).save(tmp_path / "m.npz")
    custom = Sequential([Dense(2, input_dim=3, kernel_initializer=lambda s, d, r: np.ones(s, d))])
    with pytest.raises(ValueError, match="cannot be saved: give it by name"):
        custom.save(tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []
    with pytest.raises(FileNotFoundError, match=r"cannot save the model to .*no-such-folder"):
        Sequential([Dense(2, input_dim=3)]).save(tmp_path / "no-such-folder" / "m.npz")
    (tmp_path / "a-file").write_text("")
    with pytest.raises(FileNotFoundError, match=r"its folder .*a-file' is not a folder"):
        Sequential([Dense(2, input_dim=3)]).save(tmp_path / "a-file" / "m.npz")
    with pytest.raises(IsADirectoryError, match=r"it is a folder; name a file in it, e\.g\. "
                                                r".*model\.npz'"):
        Sequential([Dense(2, input_dim=3)]).save(tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["a-file"]


def test_weights_saved_alone_load_into_a_model_made_again_in_code(tmp_path):
    """Keras's save_weights / load_weights. A model whose config cannot be saved (an
    initialiser of the user's) keeps its weights this way; a model file gives them too."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 7, 2))

    def made(seed):
        return Sequential([LSTM(6, return_sequences=True, input_shape=(7, 2)), LSTM(5),
                           Dense(3, bias_initializer=lambda s, d, r: np.full(s, 0.5, d))],
                          seed=seed)

    trained = made(1)
    trained.compile(loss="mse", optimizer="adam")
    trained.fit(x, rng.standard_normal((3, 3)), verbose=0)
    trained.save_weights(tmp_path / "m.weights.npz")
    other = made(2)
    assert not np.array_equal(other.predict(x), trained.predict(x))
    other.load_weights(tmp_path / "m.weights.npz")
    np.testing.assert_array_equal(other.predict(x), trained.predict(x))
    with np.load(tmp_path / "m.weights.npz", allow_pickle=False) as archive:
        description = json.loads(str(archive["description"]))
    assert description["layers"][2] == {"name": "dense", "shapes": [[5, 3], [3]]}

    stacked_lstm().save(tmp_path / "whole.npz")
    from_model_file = stacked_lstm()
    for weight in from_model_file.layers[0].params.values():
        weight += 1.0
    from_model_file.load_weights(tmp_path / "whole.npz")
    np.testing.assert_array_equal(from_model_file.predict(x), stacked_lstm().predict(x))


def test_weights_of_another_model_are_refused_and_change_nothing(tmp_path):
    stacked_lstm().save_weights(tmp_path / "w.npz")
    narrower = Sequential([LSTM(4, return_sequences=True, input_shape=(7, 2)),
                           LSTM(5, go_backwards=True), Dense(3)], seed=1)
    before = narrower.get_weights()
    with pytest.raises(ValueError, match=r"w\.npz does not fit model 'sequential': weight "
                                         r"'kernel' of layer 'lstm' must have shape \(2, 16\); "
                                         r"got \(2, 24\)$"):
        narrower.load_weights(tmp_path / "w.npz")
    for kept, weight in zip(before, narrower.get_weights()):
        np.testing.assert_array_equal(kept, weight)
    shorter = Sequential([LSTM(6, input_shape=(7, 2)), Dense(3)])
    with pytest.raises(ValueError, match=r"does not fit model 'sequential': model 'sequential' "
                                         r"expects 5 weight arrays; got 8$"):
        shorter.load_weights(tmp_path / "w.npz")
    with pytest.raises(ValueError, match="not built yet, so it has no weights to load"):
        Sequential([LSTM(6), Dense(3)]).load_weights(tmp_path / "w.npz")
    with pytest.raises(ValueError, match=r"w\.npz is not a minilstm model file \(format "
                                         r"'minilstm\.weights'\)"):
        minilstm.load_model(tmp_path / "w.npz")
    with pytest.raises(ValueError, match="not built yet, so it has no weights to save"):
        Sequential([LSTM(3)]).save_weights(tmp_path / "unbuilt.npz")


class Scale(Layer):
    """A layer of the user's, as the layer protocol allows: x ⊙ s, s of one per feature."""
    weight_names = ("scale",)

    def _create_weights(self, input_shape, rng):
        self._add_weight("scale", (input_shape[-1],), "ones", rng)

    def compute_output_shape(self, input_shape):
        return input_shape

    def forward(self, x, training=False):
        self._x = self._prepare_input(x)
        return self._x * self.params["scale"]

    def backward(self, d_out, input_gradient=True):
        self._add_grad("scale", (d_out * self._x).reshape(-1, self._x.shape[-1]).sum(axis=0))
        return d_out * self.params["scale"] if input_gradient else None


@pytest.mark.parametrize("scale", [lambda: Scale(), lambda: TimeDistributed(Scale())])
def test_a_layer_class_of_the_users_is_refused_by_save_and_kept_by_save_weights(tmp_path,
                                                                                scale):
    """save wrote the file, which load_model then could not read ('unknown layer class')."""
    def made():
        return Sequential([LSTM(3, return_sequences=True, input_shape=(4, 2)), scale(),
                           LSTM(2), Dense(1)], seed=7)

    model = made()
    model.compile(loss="mse", optimizer="adam")
    x = np.random.default_rng(8).standard_normal((5, 4, 2))
    model.fit(x, np.ones((5, 1)), verbose=0)
    with pytest.raises(ValueError, match=r"^layer '(scale|time_distributed)' of class 'Scale' "
                                         r"cannot be saved: .* model\.save_weights\(path\)"):
        model.save(tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []
    model.save_weights(tmp_path / "m.weights.npz")
    again = made()
    again.load_weights(tmp_path / "m.weights.npz")
    np.testing.assert_array_equal(again.predict(x), model.predict(x))


def test_a_loss_is_loaded_with_its_arguments_and_a_users_loss_says_how_to_load(tmp_path):
    """The file kept the loss's name alone: from_logits=True came back False (a second
    softmax on the logits); a Loss class of the user's came back as 'unknown loss'."""
    model = Sequential([Dense(3, input_shape=(2,))], seed=0)
    model.compile(loss=minilstm.losses.CategoricalCrossentropy(from_logits=True),
                  optimizer="adam")
    model.save(tmp_path / "logits.npz")
    assert minilstm.load_model(tmp_path / "logits.npz").loss.takes_logits

    class Squares(minilstm.losses.Loss):
        name = "squares"

        def __call__(self, y_true, y_pred):
            return float(np.sum((y_pred - y_true) ** 2))

        def gradient(self, y_true, y_pred):
            return 2 * (y_pred - y_true)

    model.compile(loss=Squares(), optimizer="adam")
    model.save(tmp_path / "squares.npz")
    with pytest.raises(ValueError, match=r"compiled with the loss 'squares', a Loss class of "
                                         r"its user's .* load it with compile=False"):
        minilstm.load_model(tmp_path / "squares.npz")
    assert minilstm.load_model(tmp_path / "squares.npz", compile=False).loss is None


def test_a_binary_crossentropy_model_loads_with_its_flag_and_binary_accuracy(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 2)), (rng.random((8, 3)) > 0.5).astype(np.float64)
    model = Sequential([Dense(3, input_shape=(2,))], seed=0)
    model.compile(loss=minilstm.losses.BinaryCrossentropy(from_logits=True), optimizer="adam",
                  metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=0)
    model.save(tmp_path / "tagger.npz")
    loaded = minilstm.load_model(tmp_path / "tagger.npz")
    assert isinstance(loaded.loss, minilstm.losses.BinaryCrossentropy)
    assert loaded.loss.takes_logits
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)


def test_a_sparse_crossentropy_model_loads_and_takes_class_indices(tmp_path):
    rng = np.random.default_rng(0)
    x, labels = rng.standard_normal((8, 2)), rng.integers(0, 3, 8)
    model = Sequential([Dense(3, activation="softmax", input_shape=(2,))], seed=0)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam",
                  metrics=["accuracy"])
    model.fit(x, labels, epochs=2, verbose=0)
    model.save(tmp_path / "classifier.npz")
    loaded = minilstm.load_model(tmp_path / "classifier.npz")
    assert loaded.evaluate(x, labels, verbose=0) == model.evaluate(x, labels, verbose=0)


def test_a_weight_made_infinite_by_the_last_step_is_refused_by_save_not_by_load(tmp_path):
    """fit stops at a non-finite loss, which only the step after shows: a last step can
    leave infinite weights. save wrote them; load_model then refused the file."""
    model = Sequential([Dense(1, input_shape=(2,))], seed=0)
    model.compile(loss="mse", optimizer=minilstm.SGD(learning_rate=1e38))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)           # NumPy's overflow
        model.fit(np.ones((4, 2)), np.full((4, 1), 10.0), batch_size=4, verbose=0)
    for save in (model.save, model.save_weights):
        with pytest.raises(ValueError, match=r"^cannot save model 'sequential': weight "
                                             r"'kernel' of layer 'dense' contains 2 non-finite "
                                             r"values \(NaN or inf\)"):
            save(tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []
