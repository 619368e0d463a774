"""AttentiveLSTM: gradients, shapes, initialisation, and clear errors for bad memory or
state."""
import numpy as np
import pytest
from hypothesis import given

from conftest import (GRADIENT_TOLERANCE, attention_batches, attention_features,
                      attention_steps, attention_units, seeds)
from minilstm import AttentiveLSTM, gradcheck, use_backend


def built_layer():
    layer = AttentiveLSTM(4, memory_dim=3, attention_units=2, dtype="float64")
    layer.build((None, None, 5), np.random.default_rng(0))
    return layer


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@given(attention_batches, attention_steps, attention_steps, attention_features,
       attention_features, attention_units, attention_units, seeds)
def test_layer_gradients_match_finite_differences(backend, batch, steps_out, steps_in, inputs,
                                                  memory_dim, units, scores, seed):
    """Every output counts, the final state too: its backward took [d_hidden, d_contexts]
    alone, so check_layer, which weighs all four outputs, could not check the layer."""
    rng = np.random.default_rng(seed)
    layer = AttentiveLSTM(units, memory_dim=memory_dim, attention_units=scores,
                          dtype="float64")
    layer.build((None, None, inputs), rng)
    state = list(rng.standard_normal((2, batch, units)))
    with use_backend(backend):
        errors = gradcheck.check_layer(layer, rng.standard_normal((batch, steps_out, inputs)),
                                       initial_state=state, seed=seed,
                                       memory=rng.standard_normal((batch, steps_in, memory_dim)))
    assert set(errors) == {"x", "memory", "initial_state[0]", "initial_state[1]",
                           *layer.weight_names}
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def test_outputs_hidden_contexts_and_attention_for_every_step():
    layer = built_layer()
    rng = np.random.default_rng(1)
    hidden, contexts, h, c = layer.forward(rng.standard_normal((2, 6, 5)),
                                           rng.standard_normal((2, 7, 3)),
                                           [np.zeros((2, 4)), np.zeros((2, 4))])
    assert hidden.shape == (2, 6, 4) and contexts.shape == (2, 6, 3)
    np.testing.assert_array_equal(hidden[:, -1], h)
    assert layer.attention_weights.shape == (2, 6, 7)
    assert layer.count_params() == 5 * 16 + 3 * 16 + 4 * 16 + 16 + 3 * 2 + 4 * 2 + 2
    np.testing.assert_array_equal(layer.params["bias"][4:8], 1.0)      # unit forget bias


@pytest.mark.parametrize("memory, state, message", [
    (np.zeros((2, 7, 9)), [np.zeros((2, 4))] * 2, r"memory .* \(2, time, 3\); got \(2, 7, 9\)"),
    (np.zeros((3, 7, 3)), [np.zeros((2, 4))] * 2, r"memory .* \(2, time, 3\); got \(3, 7, 3\)"),
    (np.zeros((2, 7, 3)), None, r"needs initial_state=\[h0, c0\]"),
    (np.zeros((2, 7, 3)), [np.zeros((2, 4)), np.zeros((2, 5))], r"c0 .* \(2, 4\); got \(2, 5\)"),
])
def test_bad_memory_or_state_gets_a_clear_error(memory, state, message):
    with pytest.raises(ValueError, match=message):
        built_layer().forward(np.zeros((2, 6, 5)), memory, state)


def test_backward_accumulates_every_weight_until_zero_grads():
    layer = built_layer()
    rng = np.random.default_rng(2)
    x, memory = rng.standard_normal((2, 6, 5)), rng.standard_normal((2, 7, 3))
    state = [rng.standard_normal((2, 4)), rng.standard_normal((2, 4))]
    d_hidden, d_contexts = rng.standard_normal((2, 6, 4)), rng.standard_normal((2, 6, 3))
    layer.zero_grads()
    layer.forward(x, memory, state)
    layer.backward([d_hidden, d_contexts])
    once = {name: grad.copy() for name, grad in layer.grads.items()}
    layer.forward(x, memory, state)
    layer.backward([d_hidden, d_contexts])
    assert all(np.abs(grad).max() > 0 for grad in once.values())
    for name in layer.weight_names:
        np.testing.assert_allclose(layer.grads[name], 2 * once[name], rtol=1e-12, err_msg=name)
    layer.zero_grads()
    assert not any(grad.any() for grad in layer.grads.values())


def test_backward_takes_none_for_a_zero_gradient_and_names_what_else_it_got():
    """It unpacked one array along the batch axis, failed with 'not enough values to
    unpack', or read None as an array of shape ()."""
    rng = np.random.default_rng(3)
    x, memory = rng.standard_normal((2, 6, 5)), rng.standard_normal((2, 7, 3))
    state = [rng.standard_normal((2, 4)), rng.standard_normal((2, 4))]
    d_hidden = rng.standard_normal((2, 6, 4))
    gradients = []
    for d_contexts in (np.zeros((2, 6, 3)), None):
        layer = built_layer()
        layer.forward(x, memory, state)
        gradients.append((layer.backward([d_hidden, d_contexts]), dict(layer.grads)))
    np.testing.assert_array_equal(gradients[0][0], gradients[1][0])
    for name, grad in gradients[0][1].items():
        np.testing.assert_array_equal(grad, gradients[1][1][name], err_msg=name)
    for d_out, got in ((d_hidden, "ndarray"), ([d_hidden], "a list of 1"),
                       ([d_hidden, None, None], "a list of 3")):
        with pytest.raises(ValueError, match=r"backward takes \[d_hidden, d_contexts\] or "
                                             r"\[d_hidden, d_contexts, d_h, d_c\] \(None for "
                                             rf"zero\); got {got}$"):
            layer.backward(d_out)
    layer.forward(x, memory, state)
    with pytest.raises(ValueError, match=r"d_c for layer 'attentive_lstm' must have the "
                                         r"output's shape \(2, 4\); got \(2, 5\)"):
        layer.backward([d_hidden, None, None, np.zeros((2, 5))])


def test_attention_units_of_zero_are_refused_rather_than_read_as_the_default():
    with pytest.raises(ValueError, match=r"attention_units must be a positive integer; got 0"):
        AttentiveLSTM(4, memory_dim=3, attention_units=0)
    assert AttentiveLSTM(4, memory_dim=3).attention_units == 4
