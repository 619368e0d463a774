"""Freezing, Keras's ``trainable = False``: the optimiser leaves a frozen layer's weights as
they are, gradients still flow through it, and files keep it; pretrained embeddings."""
import io

import numpy as np
import pytest

import minilstm
from conftest import GRADIENT_TOLERANCE
from minilstm import (LSTM, Bidirectional, Dense, Embedding, Sequential, TimeDistributed,
                      gradcheck)


def stacked(frozen=None, seed=1):
    model = Sequential([LSTM(3, return_sequences=True, input_shape=(4, 2), dtype="float64"),
                        LSTM(3, dtype="float64"), Dense(2, dtype="float64")], seed=seed)
    if frozen is not None:
        model.layers[frozen].trainable = False
    model.compile(loss="mse", optimizer=minilstm.Adam(0.05))
    return model


def data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((6, 4, 2)), rng.standard_normal((6, 2))


def test_fit_leaves_a_frozen_layers_weights_and_trains_the_others():
    model, (x, y) = stacked(frozen=1), data()
    before = model.get_weights()
    model.fit(x, y, epochs=3, batch_size=2, verbose=0)
    changed = [not np.array_equal(a, b) for a, b in zip(before, model.get_weights())]
    assert changed == [True, True, True, False, False, False, True, True]
    assert [key for key, _, _ in model.named_parameters()] == [
        "lstm/kernel", "lstm/recurrent_kernel", "lstm/bias", "dense/kernel", "dense/bias"]
    assert len(model.trainable_weights) == 5 and len(model.non_trainable_weights) == 3
    assert model.non_trainable_weights[0] is model.layers[1].params["kernel"]


def test_gradients_flow_through_a_frozen_layer_to_the_layers_before_it():
    x, y = data()
    frozen, trained = stacked(frozen=1), stacked()
    _, frozen_gradients = frozen.compute_gradients(x, y)
    _, gradients = trained.compute_gradients(x, y)
    frozen_keys = {"lstm_1/kernel", "lstm_1/recurrent_kernel", "lstm_1/bias"}
    assert set(frozen_gradients) == set(gradients) - frozen_keys
    for key, gradient in frozen_gradients.items():
        np.testing.assert_array_equal(gradient, gradients[key])
    errors = gradcheck.check_model(frozen, x, y)
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_layers_before_the_first_trainable_one_get_no_backward_pass():
    x, y = data()
    model = stacked(frozen=0)
    calls, backward = [], model.layers[0].backward

    def counted(*args, **kwargs):
        calls.append(1)
        return backward(*args, **kwargs)

    model.layers[0].backward = counted
    model.fit(x, y, epochs=1, verbose=0)
    assert calls == []


def test_unfreezing_trains_the_layer_again():
    model, (x, y) = stacked(frozen=2), data()
    model.fit(x, y, epochs=1, verbose=0)
    kernel = model.layers[2].params["kernel"].copy()
    model.layers[2].trainable = True
    model.fit(x, y, epochs=1, verbose=0)
    assert not np.array_equal(model.layers[2].params["kernel"], kernel)


def test_summary_counts_the_frozen_parameters_as_keras_does():
    model = stacked(frozen=0)
    out = io.StringIO()
    model.summary(print_fn=lambda line: out.write(line + "\n"))
    text = out.getvalue()
    assert "Total params: 164" in text and "Trainable params: 92" in text
    assert "Non-trainable params: 72" in text


def test_a_file_keeps_which_layers_are_frozen(tmp_path):
    model, (x, y) = stacked(frozen=1), data()
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.npz")
    loaded = minilstm.load_model(tmp_path / "m.npz")
    assert [layer.trainable for layer in loaded.layers] == [True, False, True]
    frozen_kernel = loaded.layers[1].params["kernel"].copy()
    loaded.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_array_equal(loaded.layers[1].params["kernel"], frozen_kernel)


def test_pretrained_embeddings_frozen_as_keras_tutorials_give_them():
    """``Embedding(vocab, dim, weights=[matrix], trainable=False)``."""
    rng = np.random.default_rng(2)
    matrix = rng.standard_normal((12, 4))
    model = Sequential([Embedding(12, 4, weights=[matrix], input_length=5, trainable=False),
                        LSTM(3), Dense(1, activation="sigmoid")], seed=0)
    model.compile(loss="binary_crossentropy", optimizer="adam")
    np.testing.assert_array_equal(model.layers[0].params["embeddings"],
                                  matrix.astype(np.float32))
    model.fit(rng.integers(0, 12, (8, 5)), rng.random(8) > 0.5, epochs=2, verbose=0)
    np.testing.assert_array_equal(model.layers[0].params["embeddings"],
                                  matrix.astype(np.float32))
    with pytest.raises(ValueError, match=r"weights of Embedding 'embedding' must have shape "
                                         r"\(12, 5\); got \(12, 4\)"):
        Embedding(12, 5, weights=matrix)


def test_wrappers_freeze_the_layers_inside_them():
    wrapped = TimeDistributed(Dense(2))
    wrapped.trainable = False
    assert not wrapped.layer.trainable and not wrapped.trainable
    both = Bidirectional(LSTM(2))
    both.trainable = False
    assert not both.forward_layer.trainable and not both.backward_layer.trainable
    assert not Dense(2, trainable=False).trainable and not LSTM(2, trainable=False).trainable
    with pytest.raises(ValueError, match="trainable must be True or False; got 'no'"):
        LSTM(2).trainable = "no"
