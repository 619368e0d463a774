"""The AttentionDecoder layer: gradients in and out of models, shapes, counts, errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from conftest import (GRADIENT_TOLERANCE, attention_batches, attention_classes,
                      attention_features, attention_steps, attention_units, seeds)
from minilstm import LSTM, AttentionDecoder, Sequential, gradcheck, use_backend
from minilstm.kernels.attention import WEIGHT_NAMES


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@given(attention_batches, attention_steps, st.one_of(st.none(), attention_steps),
       attention_features, attention_units, attention_classes, st.booleans(), seeds)
def test_decoder_gradients_match_finite_differences(backend, batch, steps_in, output_length,
                                                    features, units, classes,
                                                    return_probabilities, seed):
    rng = np.random.default_rng(seed)
    layer = AttentionDecoder(units, classes, output_length=output_length,
                             return_probabilities=return_probabilities, dtype="float64",
                             bias_initializer="random_normal")
    layer.build((None, steps_in, features), rng)
    with use_backend(backend):
        errors = gradcheck.check_layer(layer, rng.standard_normal((batch, steps_in, features)),
                                       seed=seed)
    assert set(errors) == {"x", *WEIGHT_NAMES}
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


@given(attention_batches, attention_steps, st.one_of(st.none(), attention_steps),
       attention_features, attention_units, attention_classes, seeds)
def test_encoder_decoder_model_gradients_match_finite_differences(
        batch, steps_in, output_length, features, units, classes, seed):
    rng = np.random.default_rng(seed)
    model = Sequential([LSTM(units, return_sequences=True, input_shape=(steps_in, features),
                             dtype="float64"),
                        AttentionDecoder(units, classes, output_length=output_length,
                                         dtype="float64")], seed=seed)
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    steps_out = output_length or steps_in
    x = rng.standard_normal((batch, steps_in, features))
    y = np.eye(classes)[rng.integers(0, classes, (batch, steps_out))]
    errors = gradcheck.check_model(model, x, y)
    assert len(errors) == 3 + len(WEIGHT_NAMES)
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_echo_models_count_parameters_like_the_tutorial():
    model = Sequential([LSTM(150, input_shape=(5, 50), return_sequences=True),
                        AttentionDecoder(150, 50)])
    assert [layer.count_params() for layer in model.layers] == [120_600, 243_300]
    lines = []
    model.summary(print_fn=lines.append)
    assert "Total params: 363,900" in lines


def test_output_length_lifts_the_read_as_many_as_written_limit():
    x = np.random.default_rng(0).standard_normal((2, 5, 3))
    assert AttentionDecoder(4, 6).forward(x).shape == (2, 5, 6)
    layer = AttentionDecoder(4, 6, output_length=9)
    assert layer.forward(x).shape == (2, 9, 6)
    assert layer.attention_weights.shape == (2, 9, 5)
    np.testing.assert_allclose(layer.attention_weights.sum(axis=-1), 1.0, rtol=1e-6)
    assert AttentionDecoder(4, 6, output_length=2, return_probabilities=True).forward(x).shape \
        == (2, 2, 5)
    assert layer.compute_output_shape((None, None, 3)) == (None, 9, 6)


def test_weights_use_the_tutorials_initialisers():
    layer = AttentionDecoder(6, 4)
    layer.build((None, 5, 6), np.random.default_rng(1))
    assert [name for name in layer.params] == list(WEIGHT_NAMES)
    for name in ("U_r", "U_z", "U_p", "W_s", "C_r"):                 # square: orthogonal
        matrix = layer.params[name]
        np.testing.assert_allclose(matrix @ matrix.T, np.eye(6), atol=1e-5)
    assert not any(layer.params[name].any() for name in ("b_a", "b_r", "b_z", "b_p", "b_o"))
    assert np.abs(layer.params["W_a"]).max() <= np.sqrt(6.0 / 12)    # glorot_uniform


@pytest.mark.parametrize("make_call, message", [
    (lambda: AttentionDecoder(4, 3, output_length=0),
     "output_length must be None or an integer >= 1"),
    (lambda: AttentionDecoder(0, 3), "units must be a positive integer"),
    (lambda: AttentionDecoder(4, 3).forward(np.zeros((2, 5))),
     r"needs encoder outputs of shape \(batch, time, features\)"),
    (lambda: Sequential([AttentionDecoder(4, 3)]),
     r"cannot open a model without input_shape: it decodes the outputs of an encoder"),
])
def test_bad_input_gets_a_clear_error(make_call, message):
    with pytest.raises(ValueError, match=message):
        make_call()


def test_encoder_outputs_of_another_feature_size_are_refused():
    model = Sequential([LSTM(4, input_shape=(5, 3), return_sequences=True),
                        AttentionDecoder(4, 3)])
    decoder = model.layers[1]
    with pytest.raises(ValueError, match=r"4 features .* got shape \(2, 5, 7\)"):
        decoder.forward(np.zeros((2, 5, 7)))


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("shared_storage", [False, True])
def test_backward_accumulates_every_weight_until_zero_grads(backend, shared_storage):
    """The first backward after ``zero_grads`` writes each gradient in place; a second
    one adds to it (``Layer._add_grads``), inside a model's shared buffer too."""
    rng = np.random.default_rng(4)
    layer = AttentionDecoder(3, 4, dtype="float64", bias_initializer="random_normal")
    layer.build((None, 5, 2), rng)
    if shared_storage:
        size = layer.count_params()
        layer.share_storage(np.empty(size), np.empty(size))
    x, d_logits = rng.standard_normal((2, 5, 2)), rng.standard_normal((2, 5, 4))
    with use_backend(backend):
        layer.zero_grads()
        layer.forward(x)
        layer.backward(d_logits, skip_activation=True)
        once = {name: grad.copy() for name, grad in layer.grads.items()}
        layer.forward(x)
        layer.backward(d_logits, skip_activation=True)
    assert all(np.abs(grad).max() > 0 for grad in once.values())
    for name in WEIGHT_NAMES:
        np.testing.assert_allclose(layer.grads[name], 2 * once[name], rtol=1e-12, err_msg=name)
    layer.zero_grads()
    assert not any(grad.any() for grad in layer.grads.values())
