"""Embedding: a row look-up that equals the one-hot product, its gradient, Keras's shapes
and counts, and indices refused by name."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minilstm
from conftest import GRADIENT_TOLERANCE, batches, seeds, steps, units
from minilstm import LSTM, Dense, Embedding, Sequential, TimeDistributed, gradcheck

vocabularies = st.integers(1, 12)


@given(batches, steps, vocabularies, units, seeds)
def test_the_look_up_and_its_gradient_are_the_one_hot_products(
        batch, steps_, vocabulary, width, seed):
    """y = onehot(i) E and dL/dE = onehot(i)ᵀ dL/dy, indices repeating as they will."""
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, vocabulary, (batch, steps_))
    layer = Embedding(vocabulary, width, dtype="float64")
    one_hot = np.eye(vocabulary)[indices]                                  # (B, T, V)
    y = layer(indices)
    np.testing.assert_allclose(y, one_hot @ layer.params["embeddings"], rtol=1e-15)
    d_y = rng.standard_normal(y.shape)
    layer.zero_grads()
    assert layer.backward(d_y) is None
    expected = one_hot.reshape(-1, vocabulary).T @ d_y.reshape(-1, width)   # (V, D)
    np.testing.assert_allclose(layer.grads["embeddings"], expected, rtol=1e-13, atol=1e-15)


@given(batches, steps, vocabularies, units, seeds)
def test_embedding_gradients_match_finite_differences(batch, steps_, vocabulary, width, seed):
    indices = np.random.default_rng(seed).integers(0, vocabulary, (batch, steps_))
    errors = gradcheck.check_layer(Embedding(vocabulary, width, dtype="float64"), indices)
    assert set(errors) == {"embeddings"}            # indices have no gradient to check
    assert errors["embeddings"] < GRADIENT_TOLERANCE, errors


@given(batches, steps, vocabularies, units, seeds)
def test_a_model_that_reads_indices_gradients_match_finite_differences(batch, steps_, vocabulary,
                                                                       width, seed):
    rng = np.random.default_rng(seed)
    model = Sequential([Embedding(vocabulary, 3, dtype="float64"),
                        LSTM(width, dtype="float64"), Dense(2, dtype="float64")], seed=seed)
    model.compile(loss="mse", optimizer="adam")
    errors = gradcheck.check_model(model, rng.integers(0, vocabulary, (batch, steps_)),
                                   rng.standard_normal((batch, 2)))
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_keras_shapes_counts_and_initializer():
    model = Sequential([Embedding(5000, 32, input_length=500), LSTM(100),
                        Dense(1, activation="sigmoid")])
    assert model.layers[0].output_shape == (None, 500, 32)
    assert [layer.count_params() for layer in model.layers] == [160_000, 53_200, 101]
    embeddings = model.layers[0].params["embeddings"]
    assert -0.05 <= embeddings.min() < embeddings.max() <= 0.05     # Keras's 'uniform'
    assert Embedding(7, 2)(np.zeros((3,), int)).shape == (3, 2)      # any rank of indices


def test_a_model_that_reads_indices_trains_saves_and_loads(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 20, (64, 6))
    y = (x[:, -1] < 10).astype(np.float64)                            # the last word decides
    model = Sequential([Embedding(20, 8, input_length=6), LSTM(8),
                        Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer=minilstm.Adam(0.02), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=20, verbose=0).history
    assert history["accuracy"][-1] > 0.9 and history["loss"][-1] < 0.5 * history["loss"][0]
    model.save(tmp_path / "m.npz")
    loaded = minilstm.load_model(tmp_path / "m.npz")
    assert loaded.layers[0].get_config() == model.layers[0].get_config()
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


@pytest.mark.parametrize("x, words", [
    ([[0, 1, 2.5]], r"must hold indices, integers in \[0, 5\); got 2.5$"),
    ([[0, 1, 5]], r"must hold indices, integers in \[0, 5\); got 5.0$"),
    ([[0, -1, 2]], r"must hold indices, integers in \[0, 5\); got -1.0$"),
    ([[0, 1]], r"must have shape \(None, 3\); got \(1, 2\)$"),
])
def test_indices_that_are_none_are_refused_by_name(x, words):
    """NumPy would have read -1 as the last row, and 2.5 as row 2."""
    model = Sequential([Embedding(5, 2, input_length=3)])
    with pytest.raises(ValueError, match=r"^x for Embedding 'embedding' " + words):
        model.predict(x)


def test_embedding_refuses_what_it_cannot_do_by_name():
    with pytest.raises(ValueError, match="give input_length or input_shape, not both"):
        Embedding(5, 2, input_length=3, input_shape=(3,))
    with pytest.raises(ValueError, match="reads the data's integer indices, which have no "
                                         "gradient: it must be the model's first layer"):
        Sequential([Dense(3, input_shape=(4,)), Embedding(5, 2)])
    with pytest.raises(ValueError, match="reads indices of any rank itself"):
        TimeDistributed(Embedding(5, 2))
    with pytest.raises(TypeError, match="must hold integer indices; got dtype <U1"):
        Embedding(5, 2)(np.array([["a"]]))
