"""Sample and class weights: Keras's weighted loss, its gradients, and weights refused by
name."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import GRADIENT_TOLERANCE, batches, seeds, units
from minilstm import LSTM, Dense, Sequential, TimeDistributed, gradcheck, losses

LOSSES = {  # name: (last activation, targets for an output of shape s)
    "mse": (None, lambda rng, s: rng.standard_normal(s)),
    # targets above every prediction: away from the kink of |p - y|, and no gradient zero
    # by the signs' cancelling (whose differences then measure only round-off)
    "mae": (None, lambda rng, s: rng.standard_normal(s) + 4.0),
    "categorical_crossentropy": ("softmax",
                                 lambda rng, s: np.eye(s[-1])[rng.integers(0, s[-1], s[:-1])]),
    "sparse_categorical_crossentropy": ("softmax",
                                        lambda rng, s: rng.integers(0, s[-1], s[:-1])),
    "binary_crossentropy": ("sigmoid", lambda rng, s: (rng.random(s) > 0.5).astype(float)),
}


def tagger(loss, activation, seed=1, units_=4):
    model = Sequential([LSTM(units_, return_sequences=True, input_shape=(4, 3),
                             dtype="float64"),
                        TimeDistributed(Dense(3, activation=activation, dtype="float64"))],
                       seed=seed)
    model.compile(optimizer="adam", loss=loss)
    return model


@pytest.mark.parametrize("name", sorted(LOSSES))
@given(batches, units, st.booleans(), seeds)
def test_weighted_loss_gradients_match_finite_differences(name, batch, units_, per_step, seed):
    """A weight a sample (n,) or a weight a step (n, T), on each loss, fused or not."""
    rng = np.random.default_rng(seed)
    activation, targets = LOSSES[name]
    model = tagger(name, activation, seed, units_)
    x, y = rng.standard_normal((batch, 4, 3)), targets(rng, (batch, 4, 3))
    weights = rng.random((batch, 4) if per_step else batch)
    errors = gradcheck.check_model(model, x, y, sample_weight=weights)
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_the_weighted_loss_is_keras_mean_of_weighted_row_losses(name):
    """L = 1/M Σ_r w_r l_r over the M rows (samples × steps), divided by M, not Σ w."""
    rng = np.random.default_rng(0)
    activation, targets = LOSSES[name]
    model = tagger(name, activation)
    x, y = rng.standard_normal((5, 4, 3)), targets(rng, (5, 4, 3))
    weights = rng.random((5, 4))
    output = model.predict(x)
    rows = np.array([[model.loss(y[i:i + 1, t:t + 1], output[i:i + 1, t:t + 1])
                      for t in range(4)] for i in range(5)])   # each row's unweighted loss
    np.testing.assert_allclose(model.loss.per_row(y, output), rows, rtol=1e-10)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(rows.mean(), rel=1e-10)
    assert model.evaluate(x, y, sample_weight=weights, verbose=0) == pytest.approx(
        np.mean(weights * rows), rel=1e-10)
    per_sample = rng.random(5)
    assert model.evaluate(x, y, sample_weight=per_sample, verbose=0) == pytest.approx(
        np.mean(per_sample[:, None] * rows), rel=1e-10)


def test_a_zero_weight_takes_a_padded_step_out_of_training():
    """Keras's temporal sample weights, the way to mask padding: what the targets hold at a
    step of weight zero changes nothing."""
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((6, 4, 3)), rng.standard_normal((6, 4, 3))
    weights = np.ones((6, 4))
    weights[:, 3] = 0.0                                             # the last step is padding
    garbage = y.copy()
    garbage[:, 3] = 1e3
    trained = []
    for targets in (y, garbage):
        model = tagger("mse", None)
        model.fit(x, targets, batch_size=3, epochs=2, verbose=0, sample_weight=weights)
        trained.append(model.get_weights())
    for a, b in zip(*trained):
        np.testing.assert_array_equal(a, b)


def test_class_weight_is_the_sample_weight_of_each_rows_class():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((8, 4, 3))
    labels = rng.integers(0, 3, 8)
    class_weight = {0: 2.0, 1: 0.5, 2: 1.0}
    histories = []
    for y, options in ((np.eye(3)[labels], {"class_weight": class_weight}),
                       (labels, {"class_weight": class_weight}),
                       (np.eye(3)[labels], {"sample_weight": np.array(
                           [class_weight[c] for c in labels])})):
        model = Sequential([LSTM(4, input_shape=(4, 3), dtype="float64"),
                            Dense(3, activation="softmax", dtype="float64")], seed=3)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy"
                      if y.ndim == 1 else "categorical_crossentropy")
        histories.append(model.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False,
                                   **options).history["loss"])
    np.testing.assert_allclose(histories[0], histories[2], rtol=1e-12)
    np.testing.assert_allclose(histories[1], histories[2], rtol=1e-12)


def test_validation_takes_its_own_weights_and_the_split_splits_them():
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((8, 4, 3)), rng.standard_normal((8, 4, 3))
    weights = rng.random(8)
    model = tagger("mse", None)
    history = model.fit(x, y, epochs=1, verbose=0, sample_weight=weights,
                        validation_split=0.25).history
    assert history["val_loss"][0] == pytest.approx(
        model.evaluate(x[6:], y[6:], sample_weight=weights[6:], verbose=0), rel=1e-12)
    history = model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y, weights)).history
    assert history["val_loss"][0] == pytest.approx(
        model.evaluate(x, y, sample_weight=weights, verbose=0), rel=1e-12)


@pytest.mark.parametrize("options, words", [
    ({"sample_weight": np.ones(7)}, r"sample_weight must have shape \(8,\) \(a weight a "
                                    r"sample\) or \(8, 4\) \(a weight a row of y\); got \(7,\)"),
    ({"sample_weight": -np.ones(8)}, r"sample_weight must hold finite numbers >= 0; got -1.0"),
    ({"sample_weight": np.full(8, np.nan)}, r"sample_weight must hold finite numbers >= 0"),
    ({"class_weight": {0: 1.0}}, r"class_weight gives no weight for class 1, which y holds; "
                                 r"it gives one for \[0\]"),
    ({"class_weight": [1.0, 2.0]}, r"class_weight must be a dict of a weight per class"),
    ({"class_weight": {"a": 1.0}}, r"class_weight must be a dict of a weight per class"),
])
def test_weights_are_refused_by_name_before_any_training(options, words):
    rng = np.random.default_rng(5)
    model = tagger("categorical_crossentropy", "softmax")
    x, y = rng.standard_normal((8, 4, 3)), np.eye(3)[np.arange(32).reshape(8, 4) % 3]
    with pytest.raises(ValueError, match=words):
        model.fit(x, y, verbose=0, **options)
    assert model.optimizer.iterations == 0


def test_a_loss_of_the_users_without_a_loss_per_row_takes_no_weights():
    class Squares(losses.Loss):
        name = "squares"

        def __call__(self, y_true, y_pred):
            return float(np.mean((y_pred - y_true) ** 2))

        def gradient(self, y_true, y_pred):
            return 2 * (y_pred - y_true) / y_pred.size

    model = tagger(Squares(), None)
    with pytest.raises(NotImplementedError, match=r"loss 'squares' gives no loss per row "
                                                  r"\(per_row\), which sample_weight"):
        model.fit(np.zeros((2, 4, 3)), np.zeros((2, 4, 3)), verbose=0,
                  sample_weight=np.ones(2))
