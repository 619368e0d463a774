"""Masks of steps, as Keras's: Embedding(mask_zero=True) and Masking make them, the
recurrent layers read them (their state carried over the steps not read), Dense, Dropout
and TimeDistributed hand them on, Bidirectional zeroes the steps, and a model's loss and
metrics leave out the steps its output's mask does not read."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import minilstm
from conftest import GRADIENT_TOLERANCE, batches, padded_indices, seeds, units
from minilstm import (GRU, LSTM, AttentionDecoder, Bidirectional, Dense, Dropout, Embedding,
                      Masking, RepeatVector, Sequential, SimpleRNN, TimeDistributed, gradcheck)

F64 = {"dtype": "float64"}


def test_masking_zeroes_the_steps_of_mask_value_and_marks_them_unread():
    """Its gradient is dL/dy ⊙ s, the mask s held as a constant of the data, as Keras holds
    it (finite differences would move a padded step off mask_value, and so read it)."""
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [0.0, 3.0]]])              # (1, 3, 2)
    layer = Masking(input_shape=(3, 2), **F64)
    np.testing.assert_array_equal(layer.compute_mask(x, None), [[True, False, True]])
    np.testing.assert_array_equal(layer(x), x)
    minus_one = Masking(mask_value=-1.0, **F64)
    y = np.array([[[1.0, 2.0], [-1.0, -1.0]]])
    np.testing.assert_array_equal(minus_one(y), [[[1.0, 2.0], [0.0, 0.0]]])
    np.testing.assert_array_equal(minus_one.backward(np.ones((1, 2, 2))), [[[1, 1], [0, 0]]])
    with pytest.raises(ValueError, match="mask_value must be a finite number; got nan"):
        Masking(mask_value=float("nan"))


def test_embedding_with_mask_zero_marks_index_zero_unread_and_is_saved(tmp_path):
    layer = Embedding(5, 2, mask_zero=True)
    x = np.array([[0, 3, 0, 1]])
    layer(x)
    np.testing.assert_array_equal(layer.compute_mask(x, None), [[False, True, False, True]])
    assert Embedding(5, 2).compute_mask(x, None) is None
    model = Sequential([Embedding(5, 2, mask_zero=True, input_length=4), LSTM(3), Dense(1)])
    model.compile(loss="mse", optimizer="adam")
    model.save(tmp_path / "m.npz")
    loaded = minilstm.load_model(tmp_path / "m.npz")
    assert loaded.layers[0].mask_zero
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


@pytest.mark.parametrize("layer_class", [LSTM, GRU, SimpleRNN])
@pytest.mark.parametrize("padding", ["pre", "post", "holes"])
@given(batches, st.integers(1, 6), units, seeds)
def test_a_recurrent_layer_after_mask_zero_reads_each_sequence_as_if_unpadded(
        layer_class, padding, batch, steps_, units_, seed):
    """Each padded sequence gives what its read steps give alone, forwards (the last h and
    every step's h, an unread step's being the h carried) and in every gradient."""
    rng = np.random.default_rng(seed)
    x = padded_indices(rng, batch, steps_, 7, padding)
    masked = Sequential([Embedding(7, 3, mask_zero=True, **F64),
                         layer_class(units_, return_sequences=True, **F64)], seed=seed)
    masked.build((None, steps_))
    plain = Sequential([Embedding(7, 3, **F64),
                        layer_class(units_, return_sequences=True, **F64)])
    plain.build((None, None))
    plain.set_weights(masked.get_weights())
    outputs = masked.predict(x)
    np.testing.assert_array_equal(masked._output_mask, x != 0)
    for b in range(batch):
        read = np.flatnonzero(x[b])
        alone = plain.predict(x[b:b + 1, read])[0]
        np.testing.assert_allclose(outputs[b, read], alone, rtol=0, atol=1e-12)
        carried = np.maximum.accumulate(np.where(x[b] != 0, np.arange(steps_), -1))
        expected = np.concatenate([np.zeros((1, units_)), outputs[b]])[carried + 1]
        np.testing.assert_array_equal(outputs[b], expected)


@given(batches, units, seeds, st.sampled_from(["pre", "post", "holes"]))
def test_masked_models_gradients_match_finite_differences(batch, units_, seed, padding):
    """The mask through an LSTM that returns sequences, a Dropout and a TimeDistributed
    Dense to a loss that leaves the unread steps out, with sample weights; and through a
    Bidirectional, an LSTM reading its last state, and a Dense."""
    rng = np.random.default_rng(seed)
    x = padded_indices(rng, batch, 5, 6, padding)
    sequences = Sequential([Embedding(6, 3, mask_zero=True, **F64),
                            LSTM(units_, return_sequences=True, recurrent_dropout=0.3, **F64),
                            Dropout(0.2, **F64), TimeDistributed(Dense(2, **F64))], seed=seed)
    sequences.compile(loss="mse", optimizer="adam")
    errors = gradcheck.check_model(sequences, x, rng.standard_normal((batch, 5, 2)),
                                   sample_weight=rng.random(batch))
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors
    features = rng.standard_normal((batch, 5, 2)) * (x != 0)[..., None]
    last = Sequential([Masking(input_shape=(5, 2), **F64),
                       Bidirectional(LSTM(units_, return_sequences=True, **F64)),
                       LSTM(2, **F64), Dense(1, **F64)], seed=seed)
    last.compile(loss="mae", optimizer="adam")
    errors = gradcheck.check_model(last, features, rng.standard_normal((batch, 1)) + 3.0)
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_a_masked_layer_gradient_check_takes_the_mask():
    rng = np.random.default_rng(0)
    mask = np.array([[True, False, True, True], [False, True, True, False]])
    for layer in (LSTM(3, return_sequences=True, **F64), Bidirectional(LSTM(2, **F64))):
        errors = gradcheck.check_layer(layer, rng.standard_normal((2, 4, 3)), mask=mask)
        assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_the_loss_and_metrics_of_a_masked_output_are_means_over_the_read_steps():
    """Keras's: L = Σ w m l / Σ m over a batch; each metric a mean over the read steps,
    averaged over batches by their read steps; the loss averaged by samples."""
    rng = np.random.default_rng(1)
    x = padded_indices(rng, 6, 4, 5, "post")
    y = rng.standard_normal((6, 4, 2))
    weights = rng.random(6)
    model = Sequential([Embedding(5, 3, mask_zero=True, input_length=4, **F64),
                        LSTM(3, return_sequences=True, **F64), Dense(2, **F64)], seed=2)
    model.compile(loss="mse", optimizer="adam", metrics=["mae"])
    output = model.predict(x)
    read = x != 0                                                         # (6, 4)
    squared = ((output - y) ** 2).mean(axis=-1)                           # (6, 4)
    expected = np.sum(weights[:, None] * read * squared) / read.sum()
    assert model.compute_loss(x, y, sample_weight=weights) == pytest.approx(expected, rel=1e-12)
    batches = [slice(0, 4), slice(4, 6)]
    losses = [np.sum(read[b] * squared[b]) / read[b].sum() for b in batches]
    maes = [np.abs(output - y).mean(axis=-1)[b][read[b]].mean() for b in batches]
    steps_read = [read[b].sum() for b in batches]
    loss, mae = model.evaluate(x, y, batch_size=4, verbose=0)
    assert loss == pytest.approx((4 * losses[0] + 2 * losses[1]) / 6, rel=1e-12)
    assert mae == pytest.approx(np.dot(maes, steps_read) / sum(steps_read), rel=1e-12)


def test_bidirectional_zeroes_the_unread_steps_of_its_sequences():
    """As Keras's Bidirectional, with return_sequences; each direction otherwise an LSTM
    reading the mask (the backward one its reversed sequence)."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 5, 3))
    mask = np.array([[True, True, False, True, False], [False, True, True, True, True]])
    layer = Bidirectional(LSTM(4, return_sequences=True, **F64), merge_mode=None)
    y_f, y_b = layer(x, mask=mask)
    forward = LSTM(4, return_sequences=True, **F64)
    forward.build((None, 5, 3))
    forward.set_weights(layer.forward_layer.get_weights())
    np.testing.assert_array_equal(y_f, forward(x, mask=mask) * mask[..., None])
    np.testing.assert_array_equal(y_b[~mask], 0.0)


def test_a_mask_ends_with_a_warning_at_a_layer_that_takes_none():
    """As Keras 3 warns: here the attention decoder reads every step of the sequence."""
    model = Sequential([Embedding(5, 2, mask_zero=True, input_length=3),
                        LSTM(3, return_sequences=True), AttentionDecoder(3, 4)], seed=0)
    with pytest.warns(UserWarning, match=r"layer 'attention_decoder' \(AttentionDecoder\) "
                                         r"takes no mask: the mask of the steps its input "
                                         r"carried ends here"):
        model.predict(np.array([[0, 1, 2]]))
    assert model._output_mask is None
    last_state = Sequential([Embedding(5, 2, mask_zero=True, input_length=3), LSTM(3),
                             RepeatVector(2)], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        last_state.predict(np.array([[0, 1, 2]]))         # the LSTM consumed the mask


def test_a_mask_of_the_wrong_shape_is_refused_by_name():
    with pytest.raises(ValueError, match=r"mask for LSTM 'lstm' must have shape \(2, 3\) "
                                         r"\(batch, steps\) of its input; got \(3,\)"):
        LSTM(4)(np.ones((2, 3, 1)), mask=np.ones(3))


def test_fit_with_masks_learns_and_resumes_after_save_and_load(tmp_path):
    """A padded classification, Keras's usual form: Embedding(mask_zero) -> LSTM -> Dense."""
    rng = np.random.default_rng(0)
    x = padded_indices(rng, 64, 8, 4, "pre")
    y = ((x == 3).sum(axis=1) > (x == 2).sum(axis=1)).astype(float)[:, None]
    model = Sequential([Embedding(4, 8, mask_zero=True, input_length=8), LSTM(16),
                        Dense(1, activation="sigmoid")], seed=1)
    model.compile(loss="binary_crossentropy", optimizer=minilstm.Adam(0.02),
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0).history
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    model.save(tmp_path / "m.npz")
    loaded = minilstm.load_model(tmp_path / "m.npz")
    again = [m.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0).history["loss"]
             for m in (model, loaded)]
    assert again[0] == again[1]


@pytest.mark.parametrize("loss, activation, classes", [
    ("mae", None, 2), ("categorical_crossentropy", "softmax", 3),
    ("sparse_categorical_crossentropy", "softmax", 3), ("binary_crossentropy", "sigmoid", 1)])
def test_every_loss_leaves_the_unread_steps_out_and_its_gradients_check(loss, activation,
                                                                        classes):
    """The fused cross-entropies (from the logits) too; the metrics over the read steps."""
    rng = np.random.default_rng(5)
    x = padded_indices(rng, 4, 5, 6, "holes")
    labels = rng.integers(0, max(classes, 2), (4, 5))
    y = {"mae": rng.standard_normal((4, 5, 2)), "binary_crossentropy": labels[..., None] * 1.0,
         "sparse_categorical_crossentropy": labels,
         "categorical_crossentropy": np.eye(max(classes, 2))[labels]}[loss]
    model = Sequential([Embedding(6, 3, mask_zero=True, input_length=5, **F64),
                        LSTM(4, return_sequences=True, **F64),
                        Dense(classes, activation=activation, **F64)], seed=3)
    model.compile(loss=loss, optimizer="adam", metrics=["accuracy"] if activation else None)
    read = x != 0
    output = model.predict(x)
    rows = model.loss.per_row(y, output)                                     # (4, 5)
    assert model.compute_loss(x, y) == pytest.approx(np.sum(rows * read) / read.sum(),
                                                     rel=1e-12)
    if activation:
        expected = minilstm.metrics.get("accuracy", model.loss)(y[read], output[read])
        assert model.evaluate(x, y, verbose=0)[1] == pytest.approx(expected, rel=1e-12)
    errors = gradcheck.check_model(model, x, y)
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_a_loss_of_ones_own_without_rows_is_refused_under_a_mask_by_name():
    class Squares(minilstm.losses.Loss):
        def __call__(self, y_true, y_pred):
            return float(np.mean((y_pred - y_true) ** 2))

        def gradient(self, y_true, y_pred):
            return 2 * (y_pred - y_true) / y_pred.size

    model = Sequential([Masking(input_shape=(3, 1)), LSTM(2, return_sequences=True)])
    model.compile(loss=Squares(), optimizer="adam")
    with pytest.raises(NotImplementedError, match=r"gives no loss per row \(per_row\), which "
                                                  r"sample_weight, class_weight and a mask"):
        model.fit(np.ones((2, 3, 1)), np.ones((2, 3, 2)), verbose=0)
