"""Initialisers follow Keras's formulas and draw only from the generator they are given."""
import re

import numpy as np
import pytest

import minilstm
from minilstm import initializers


def test_glorot_uniform_stays_within_its_limit_and_fills_it():
    draw = initializers.get("glorot_uniform")((30, 50), np.float32, np.random.default_rng(0))
    limit = np.sqrt(6.0 / 80)
    assert draw.dtype == np.float32 and np.abs(draw).max() <= limit
    assert np.abs(draw).max() > 0.95 * limit


@pytest.mark.parametrize("shape", [(4, 4), (3, 12), (12, 3)])
def test_orthogonal_has_orthonormal_rows_or_columns(shape):
    q = initializers.get("orthogonal")(shape, np.float64, np.random.default_rng(1))
    small = min(shape)
    gram = q @ q.T if shape[0] <= shape[1] else q.T @ q
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)


def test_truncated_normals_stay_within_two_standard_deviations():
    draw = initializers.get("glorot_normal")((200, 200), np.float64, np.random.default_rng(2))
    stddev = np.sqrt(2.0 / 400) / 0.87962566103423978
    assert np.abs(draw).max() <= 2 * stddev
    assert draw.std() == pytest.approx(np.sqrt(2.0 / 400), rel=0.02)


def test_same_generator_seed_gives_the_same_weights():
    a = initializers.get("orthogonal")((5, 20), np.float32, np.random.default_rng(3))
    b = initializers.get("orthogonal")((5, 20), np.float32, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)


def test_constant_and_unknown_names():
    np.testing.assert_array_equal(initializers.Constant(0.5)((2,), np.float64), [0.5, 0.5])
    for value in (float("nan"), float("inf"), "0.5", None):   # NaN weights were made silently
        with pytest.raises(ValueError, match=rf"^Constant's value must be a finite number; "
                                             rf"got {re.escape(repr(value))}$"):
            initializers.Constant(value)
    with pytest.raises(ValueError, match="unknown initializer 'xavier'; valid names are"):
        initializers.get("xavier")


@pytest.mark.parametrize("make, argument", [
    (lambda value: minilstm.LSTM(3, kernel_initializer=value), "kernel_initializer"),
    (lambda value: minilstm.LSTM(3, recurrent_initializer=value), "recurrent_initializer"),
    (lambda value: minilstm.LSTM(3, bias_initializer=value), "bias_initializer"),
    (lambda value: minilstm.Dense(3, kernel_initializer=value), "kernel_initializer"),
    (lambda value: minilstm.Dense(3, bias_initializer=value), "bias_initializer"),
    (lambda value: minilstm.AttentiveLSTM(3, 2, kernel_initializer=value), "kernel_initializer"),
    (lambda value: minilstm.AttentiveLSTM(3, 2, recurrent_initializer=value),
     "recurrent_initializer"),
    (lambda value: minilstm.AttentionDecoder(3, 2, kernel_initializer=value),
     "kernel_initializer"),
    (lambda value: minilstm.AttentionDecoder(3, 2, recurrent_initializer=value),
     "recurrent_initializer"),
    (lambda value: minilstm.AttentionDecoder(3, 2, bias_initializer=value), "bias_initializer"),
])
def test_an_unknown_initializer_is_refused_where_the_layer_is_made_naming_the_argument(
        make, argument):
    """It was taken until the layer was built, at the first data, by an error that named
    no argument."""
    with pytest.raises(ValueError, match=rf"^{argument}: unknown initializer 'xavier'; "):
        make("xavier")
    with pytest.raises(TypeError, match=rf"^{argument}: initializer must be one of the names"):
        make(3)


@pytest.mark.parametrize("draw, error, message", [
    (lambda shape, dtype, rng: np.ones((5, 5)), ValueError,
     r"must have shape \(3, 2\); got \(5, 5\)$"),
    (lambda shape, dtype, rng: 0.5, ValueError, r"must have shape \(3, 2\); got \(\)$"),
    (lambda shape, dtype, rng: np.full(shape, np.nan), ValueError,
     r"contains 6 non-finite values \(NaN or inf\); the first at index \(0, 0\)$"),
    (lambda shape, dtype, rng: np.full(shape, "a"), TypeError, r"must hold real numbers"),
])
def test_what_an_initializer_of_the_users_draws_is_checked_as_set_weights_checks_it(
        draw, error, message):
    """A wrong shape was taken (a 5 x 5 kernel for 3 inputs and 2 units), a NaN too."""
    layer = minilstm.Dense(2, kernel_initializer=draw)
    with pytest.raises(error, match=r"^weight 'kernel' of layer 'dense' from its initializer "
                                    + message):
        layer.build((None, 3))
