"""Dropout, the layer and an LSTM's on its inputs: Keras's training-time masks, their
gradient, and runs that repeat bit for bit."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minilstm
from conftest import GRADIENT_TOLERANCE, batches, features, seeds, steps, units
from minilstm import (LSTM, Bidirectional, Dense, Dropout, RepeatVector, Sequential,
                      TimeDistributed, gradcheck)
from minilstm.layers.dropout import dropout_mask
from minilstm.seeding import as_generator

rates = st.sampled_from([0.1, 0.5, 0.8])


def dropout_model(seed, rate=0.5, dtype="float64"):
    model = Sequential([LSTM(4, return_sequences=True, input_shape=(5, 3), dtype=dtype),
                        Dropout(rate, noise_shape=(None, 1, 4), dtype=dtype),
                        LSTM(3, dtype=dtype), Dropout(rate, dtype=dtype),
                        Dense(2, dtype=dtype)], seed=seed)
    model.compile(loss="mse", optimizer="adam")
    return model


def test_training_drops_a_share_of_rate_and_scales_the_rest_by_the_kept_share():
    x = np.random.default_rng(0).uniform(1.0, 2.0, (50, 40, 10))
    layer = Dropout(0.3, seed=1, dtype="float64")
    y = layer(x, training=True)
    dropped = y == 0
    assert abs(dropped.mean() - 0.3) < 0.01                   # 20,000 draws
    np.testing.assert_allclose(y[~dropped], x[~dropped] / 0.7, rtol=1e-15)
    np.testing.assert_array_equal(layer(x), x)                # not training: as it is
    np.testing.assert_array_equal(Dropout(0.0)(x, training=True), x.astype(np.float32))


def test_noise_shape_shares_one_draw_along_its_axes_of_one():
    x = np.ones((6, 8, 5))
    y = Dropout(0.5, noise_shape=(None, 1, 5), seed=2, dtype="float64")(x, training=True)
    np.testing.assert_array_equal(y, np.repeat(y[:, :1], 8, axis=1))   # the same every step
    assert 0 < (y == 0).mean() < 1


@given(batches, steps, features, rates, st.sampled_from([None, "steps", "features"]), seeds)
def test_dropout_gradients_match_finite_differences_in_training(batch, steps_, features_, rate,
                                                                shared, seed):
    noise_shape = {None: None, "steps": (None, 1, None), "features": (None, None, 1)}[shared]
    x = np.random.default_rng(seed).standard_normal((batch, steps_, features_))
    layer = Dropout(rate, noise_shape=noise_shape, seed=seed, dtype="float64")
    errors = gradcheck.check_layer(layer, x, training=True)
    assert errors["x"] < GRADIENT_TOLERANCE, errors


@given(batches, units, seeds)
def test_models_with_dropout_gradients_match_finite_differences(batch, units_, seed):
    """check_model runs the training pass: each evaluation of the loss draws the same masks
    (gradcheck holds the model's generator at one state), or the differences are noise."""
    rng = np.random.default_rng(seed)
    model = Sequential([LSTM(units_, return_sequences=True, dtype="float64"),
                        TimeDistributed(Dropout(0.4, dtype="float64")),
                        LSTM(units_, dtype="float64"), Dropout(0.4, dtype="float64"),
                        Dense(2, dtype="float64")], seed=seed)
    model.compile(loss="mse", optimizer="adam")
    errors = gradcheck.check_model(model, rng.standard_normal((batch, 4, 3)),
                                   rng.standard_normal((batch, 2)))
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_fit_trains_with_masks_and_predict_evaluate_run_without():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((16, 5, 3)), rng.standard_normal((16, 2))
    model = dropout_model(seed=0)
    model.fit(x, y, epochs=2, verbose=0)
    prediction = model.predict(x)
    np.testing.assert_array_equal(model.predict(x), prediction)
    np.testing.assert_array_equal(model(x), prediction)
    assert not np.array_equal(model(x, training=True), prediction)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(np.mean((prediction - y) ** 2),
                                                            rel=1e-12)
    assert model.compute_loss(x, y) != model.compute_loss(x, y)   # fresh masks each pass


def test_seeded_runs_with_dropout_repeat_bit_for_bit():
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((16, 5, 3)), rng.standard_normal((16, 2))
    runs = []
    for seed in (7, 7, 8):
        model = dropout_model(seed)
        model.fit(x, y, batch_size=4, epochs=2, verbose=0)
        runs.append(model.get_weights())
    for a, b in zip(runs[0], runs[1]):
        np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(a, c) for a, c in zip(runs[0], runs[2]))
    # unseeded, the package generator draws the masks: set_seed resets it for layers that
    # already hold it
    unseeded = [dropout_model(seed=None) for _ in range(2)]
    unseeded[1].set_weights(unseeded[0].get_weights())
    outputs = []
    for model in unseeded:
        minilstm.set_seed(3)
        outputs.append(model(x, training=True))
    np.testing.assert_array_equal(outputs[0], outputs[1])


def test_training_with_dropout_resumes_bit_for_bit_after_save_and_load(tmp_path):
    """The masks of a seeded model's Dropout come from the model's generator, which the file
    keeps: the reloaded layers draw from the restored one."""
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((16, 5, 3)), rng.standard_normal((16, 2))
    straight = dropout_model(seed=4)
    straight.fit(x, y, batch_size=4, epochs=2, verbose=0)
    resumed = dropout_model(seed=4)
    resumed.fit(x, y, batch_size=4, epochs=1, verbose=0)
    resumed.save(tmp_path / "halfway.npz")
    reloaded = minilstm.load_model(tmp_path / "halfway.npz")
    assert reloaded.layers[1].noise_generator is reloaded.rng
    assert reloaded.layers[1].get_config() == resumed.layers[1].get_config()
    reloaded.fit(x, y, batch_size=4, epochs=1, verbose=0)
    for a, b in zip(reloaded.get_weights(), straight.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_set_seed_resets_the_package_generator_in_place():
    generator = as_generator(None)
    minilstm.set_seed(11)
    first = generator.random(3)
    minilstm.set_seed(11)
    np.testing.assert_array_equal(as_generator(None).random(3), first)
    assert as_generator(None) is generator


def test_a_dropout_of_its_own_seed_draws_from_its_own_generator():
    x = np.ones((4, 6))
    masks = [Dropout(0.5, seed=9)(x, training=True) for _ in range(2)]
    np.testing.assert_array_equal(masks[0], masks[1])


@pytest.mark.parametrize("arguments, words", [
    ({"rate": 1.0}, r"rate must be in \[0, 1\), the share of values dropped; got 1.0"),
    ({"rate": -0.1}, r"rate must be in \[0, 1\)"),
    ({"rate": "0.2"}, r"rate must be a finite"),
    ({"rate": 0.2, "noise_shape": (None, 0)}, r"noise_shape must be a tuple of integers >= 1"),
    ({"rate": 0.2, "noise_shape": "batch"}, r"noise_shape must be a tuple"),
])
def test_dropout_refuses_bad_arguments_by_name(arguments, words):
    with pytest.raises(ValueError, match=words):
        Dropout(**arguments)


def test_a_noise_shape_that_does_not_fit_the_input_is_refused_by_name():
    with pytest.raises(ValueError, match=r"noise_shape \(None, 1\) of Dropout 'dropout' must "
                                         r"have one entry per axis of its input"):
        Sequential([Dropout(0.2, noise_shape=(None, 1), input_shape=(5, 3))])
    layer = Dropout(0.2, noise_shape=(None, 2, 3))
    with pytest.raises(ValueError, match=r"noise_shape \(None, 2, 3\) of Dropout 'dropout' "
                                         r"does not fit input shape \(4, 5, 3\)"):
        layer(np.ones((4, 5, 3)), training=True)


def test_dropout_counts_no_parameters_and_keeps_the_shape():
    model = Sequential([LSTM(20, return_sequences=True, input_shape=(50, 1)), Dropout(0.2),
                        LSTM(20), Dropout(0.2), Dense(5)])
    assert [layer.count_params() for layer in model.layers] == [1760, 0, 3280, 0, 105]
    assert model.layers[1].output_shape == (None, 50, 20)


def test_lstm_dropout_drops_input_features_with_one_mask_for_all_steps():
    """Keras 3's LSTM(dropout=p): x_t ⊙ m with one m a sequence, while training only."""
    x = np.random.default_rng(0).standard_normal((4, 6, 5))
    layer = LSTM(3, dropout=0.4, seed=8, return_sequences=True, dtype="float64")
    plain = LSTM(3, return_sequences=True, dtype="float64")
    layer.build((None, 6, 5))
    plain.build((None, 6, 5))
    plain.set_weights(layer.get_weights())
    mask = dropout_mask(np.random.default_rng(8), (4, 1, 5), 0.4, np.float64)    # (B, 1, I)
    np.testing.assert_allclose(layer(x, training=True), plain(x * mask), rtol=1e-13)
    np.testing.assert_array_equal(layer(x), plain(x))                  # not training: all of x


@given(batches, steps, features, units, st.booleans(), seeds)
def test_lstm_dropout_gradients_match_finite_differences(batch, steps_, features_, units_,
                                                         sequences, seed):
    x = np.random.default_rng(seed).standard_normal((batch, steps_, features_))
    layer = LSTM(units_, dropout=0.5, return_sequences=sequences, seed=seed, dtype="float64")
    errors = gradcheck.check_layer(layer, x, training=True)
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


@given(batches, units, seeds)
def test_models_of_lstms_with_dropout_gradients_match_finite_differences(batch, units_, seed):
    """After a RepeatVector (the input gradient summed over steps, times the one mask) and
    inside a Bidirectional (whose LSTMs' generators gradcheck holds too), with recurrent
    dropout besides (each direction of the Bidirectional its own mask)."""
    rng = np.random.default_rng(seed)
    model = Sequential([LSTM(units_, recurrent_dropout=0.5, input_shape=(None, 3),
                             dtype="float64"),
                        RepeatVector(3, dtype="float64"),
                        LSTM(units_, dropout=0.5, recurrent_dropout=0.3, return_sequences=True,
                             dtype="float64"),
                        Bidirectional(LSTM(2, dropout=0.3, recurrent_dropout=0.4,
                                           dtype="float64")),
                        Dense(2, dtype="float64")], seed=seed)
    model.compile(loss="mse", optimizer="adam")
    errors = gradcheck.check_model(model, rng.standard_normal((batch, 4, 3)),
                                   rng.standard_normal((batch, 2)))
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_lstm_dropout_options_are_checked_and_saved(tmp_path):
    with pytest.raises(ValueError, match=r"recurrent_dropout must be in \[0, 1\), the share "
                                         r"of values dropped; got 1.5"):
        LSTM(3, recurrent_dropout=1.5)
    with pytest.raises(ValueError, match=r"dropout must be in \[0, 1\)"):
        LSTM(3, dropout=1.0)
    model = Sequential([LSTM(3, dropout=0.25, recurrent_dropout=0.5, seed=4,
                             input_shape=(5, 2)), Dense(1)])
    model.compile(loss="mse", optimizer="adam")
    model.save(tmp_path / "m.npz")
    config = minilstm.load_model(tmp_path / "m.npz").layers[0].get_config()
    assert (config["dropout"], config["recurrent_dropout"], config["seed"]) == (0.25, 0.5, 4)


def test_lstm_recurrent_dropout_masks_h_before_the_recurrent_kernel_one_mask_a_sequence():
    """Keras 3's LSTM(recurrent_dropout=p): z_t = x_t W + b + (h_{t-1} ⊙ m) U with one m
    (B, H) a sequence, drawn after the input's mask, while training only: here a step of
    the cell written out with NumPy, the masks drawn from the layer's seed."""
    x = np.random.default_rng(0).standard_normal((4, 6, 5))
    layer = LSTM(3, dropout=0.3, recurrent_dropout=0.4, seed=8, return_sequences=True,
                 dtype="float64")
    plain = LSTM(3, return_sequences=True, dtype="float64")
    layer.build((None, 6, 5))
    plain.build((None, 6, 5))
    plain.set_weights(layer.get_weights())
    generator = np.random.default_rng(8)
    input_mask = dropout_mask(generator, (4, 1, 5), 0.3, np.float64)          # (B, 1, I)
    mask = dropout_mask(generator, (4, 3), 0.4, np.float64)                   # (B, H)
    assert 0 < np.count_nonzero(mask) < mask.size
    kernel, recurrent, bias = layer.get_weights()
    h, c, expected = np.zeros((4, 3)), np.zeros((4, 3)), []
    for t in range(6):
        z = (x[:, t] * input_mask[:, 0]) @ kernel + bias + (h * mask) @ recurrent  # (B, 4H)
        i, f, g, o = (1 / (1 + np.exp(-z[:, :3])), 1 / (1 + np.exp(-z[:, 3:6])),
                      np.tanh(z[:, 6:9]), 1 / (1 + np.exp(-z[:, 9:])))
        c = f * c + i * g
        h = o * np.tanh(c)
        expected.append(h)
    np.testing.assert_allclose(layer(x, training=True), np.stack(expected, axis=1), rtol=1e-12)
    np.testing.assert_array_equal(layer(x), plain(x))                  # not training: no masks


@given(batches, steps, features, units, st.booleans(), st.booleans(), seeds)
def test_lstm_recurrent_dropout_gradients_match_finite_differences(
        batch, steps_, features_, units_, sequences, with_state, seed):
    """With and without a given initial state (dh_0 = (dz_1 Uᵀ) ⊙ m)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, steps_, features_))
    state = [rng.standard_normal((batch, units_)) for _ in range(2)] if with_state else None
    layer = LSTM(units_, dropout=0.2, recurrent_dropout=0.5, return_sequences=sequences,
                 seed=seed, dtype="float64")
    errors = gradcheck.check_layer(layer, x, initial_state=state, training=True)
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_seeded_fits_with_recurrent_dropout_repeat_and_differ_from_fits_without():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((16, 5, 2)), rng.standard_normal((16, 1))

    def fitted(recurrent_dropout):
        model = Sequential([LSTM(8, recurrent_dropout=recurrent_dropout, input_shape=(5, 2)),
                            Dense(1)], seed=3)
        model.compile(loss="mse", optimizer="adam")
        return model.fit(x, y, epochs=3, batch_size=4, verbose=0).history["loss"]

    assert fitted(0.5) == fitted(0.5)
    assert fitted(0.5) != fitted(0.0)
