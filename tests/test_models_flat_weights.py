"""One array for all weights: the update equals one update per weight, bit for bit."""
import copy
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minilstm
from minilstm import LSTM, Dense, Sequential, TimeDistributed
from minilstm.models.flat_weights import FlatWeights, staggered_zeros

OPTIMIZERS = {
    "sgd momentum": lambda **clip: minilstm.SGD(0.05, momentum=0.9, nesterov=True, **clip),
    "rmsprop": lambda **clip: minilstm.RMSprop(0.01, momentum=0.5, **clip),
    "adam": lambda **clip: minilstm.Adam(0.01, **clip),
}
CLIPPING = [{}, {"clipnorm": 0.05}, {"global_clipnorm": 0.05}, {"clipvalue": 0.01}]


def sequence_model(optimizer, dtype="float64"):
    model = Sequential([LSTM(4, return_sequences=True, input_shape=(3, 2), dtype=dtype),
                        TimeDistributed(Dense(2, dtype=dtype))], seed=3)
    model.compile(loss="mse", optimizer=optimizer)
    return model


def data(rng):
    return rng.standard_normal((6, 3, 2)), rng.standard_normal((6, 3, 2))


def train(model, x, y, steps=4):
    for _ in range(steps):
        model.train_on_batch(x, y)
    return model.get_weights()


@pytest.mark.parametrize("clipping", CLIPPING, ids=lambda c: ",".join(c) or "no clipping")
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_one_pass_over_all_weights_equals_one_update_per_weight(optimizer, clipping):
    x, y = data(np.random.default_rng(0))
    flat = sequence_model(OPTIMIZERS[optimizer](**clipping))
    per_weight = sequence_model(OPTIMIZERS[optimizer](**clipping))
    per_weight._flat_weights = lambda: None          # the update of each weight on its own
    for a, b in zip(train(flat, x, y), train(per_weight, x, y)):
        np.testing.assert_array_equal(a, b)
    assert flat._flat is not None


def test_packing_again_every_step_carries_weights_gradients_and_moments_over(monkeypatch):
    x, y = data(np.random.default_rng(1))
    once = sequence_model(minilstm.Adam(0.01))
    every_step = sequence_model(minilstm.Adam(0.01))
    expected = train(once, x, y)
    monkeypatch.setattr(FlatWeights, "holds", lambda self, layers: False)
    for a, b in zip(expected, train(every_step, x, y)):
        np.testing.assert_array_equal(a, b)


def test_layers_and_optimizer_state_are_views_of_the_shared_arrays():
    x, y = data(np.random.default_rng(2))
    model = sequence_model("adam")
    train(model, x, y, steps=1)
    flat, state = model._flat, model.optimizer.state
    keys = [key for key, _, _ in model.named_parameters()]
    assert [key for key, *_ in flat.layout] == keys == list(state)
    for key, param, grad in model.named_parameters():
        assert np.shares_memory(param, flat.params) and np.shares_memory(grad, flat.grads)
        assert all(np.shares_memory(state[key][slot], model.optimizer._flat_slots(flat)[slot])
                   for slot in ("m", "v"))
    model.set_weights([np.full_like(w, 0.25) for w in model.get_weights()])
    assert np.all(flat.params == 0.25)


def test_an_added_layer_is_packed_with_the_others_and_trained():
    rng = np.random.default_rng(3)
    model = Sequential([Dense(3, input_shape=(2,))], seed=1)
    model.compile(loss="mse", optimizer="adam")
    model.train_on_batch(rng.standard_normal((4, 2)), rng.standard_normal((4, 3)))
    first = model._flat
    model.add(Dense(1))
    before = model.get_weights()
    model.train_on_batch(rng.standard_normal((4, 2)), rng.standard_normal((4, 1)))
    assert model._flat is not first and model._flat.params.size == model.count_params()
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_layers_of_different_dtypes_are_updated_one_weight_at_a_time():
    rng = np.random.default_rng(4)
    model = Sequential([Dense(3, input_shape=(2,), dtype="float64"), Dense(1)], seed=1)
    model.compile(loss="mse", optimizer="adam")
    before = model.get_weights()
    model.train_on_batch(rng.standard_normal((4, 2)), rng.standard_normal((4, 1)))
    assert model._flat is None
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert [w.dtype for w in model.get_weights()] == [np.float64] * 2 + [np.float32] * 2


@pytest.mark.parametrize("change", ["rebuild", "replace an array"])
def test_a_rebuilt_layer_or_a_replaced_weight_array_is_packed_again(change):
    """``FlatWeights.holds`` notices the layer's new weight arrays: the next step packs and
    trains them, not the arrays it held before."""
    x, y = data(np.random.default_rng(5))
    model = sequence_model("adam")
    train(model, x, y, steps=1)
    first, lstm = model._flat, model.layers[0]
    if change == "rebuild":
        lstm.build((None, 3, 2), np.random.default_rng(0))
    else:
        lstm.params["kernel"] = lstm.params["kernel"].copy()
    new_kernel = lstm.params["kernel"].copy()
    train(model, x, y, steps=1)
    assert model._flat is not first
    assert np.shares_memory(lstm.params["kernel"], model._flat.params)
    assert not np.array_equal(lstm.params["kernel"], new_kernel)


@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda model: pickle.loads(
    pickle.dumps(model))], ids=["deepcopy", "pickle"])
@pytest.mark.parametrize("make", [
    lambda: sequence_model(minilstm.Adam(0.01), dtype="float32"),
    lambda: minilstm.EncoderDecoder(3, 2, 4, attention=True, seed=2)])
def test_a_copy_of_a_trained_model_trains_as_the_model_would_and_leaves_it_alone(make,
                                                                                 duplicate):
    """A copied view is an array of its own: a copy that kept its packed weights would
    update an array its layers no longer read, and not train at all."""
    rng = np.random.default_rng(7)
    model = make()
    if isinstance(model, minilstm.EncoderDecoder):
        model.compile(loss="categorical_crossentropy", optimizer="adam")
        eye = np.eye(4, dtype=np.float32)
        x = [np.eye(2, dtype=np.float32)[rng.integers(0, 2, (6, 3))],
             eye[rng.integers(0, 4, (6, 2))]]
        y = eye[rng.integers(0, 4, (6, 2))]
    else:
        x, y = data(rng)
    model.fit(x, y, batch_size=3, shuffle=False, verbose=0)
    trained = model.get_weights()
    twin = duplicate(model)
    assert twin.optimizer.owner is twin and model.optimizer.owner is model
    twin.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0)
    for before, now in zip(trained, model.get_weights()):
        np.testing.assert_array_equal(before, now)
    model.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0)
    for expected, copied in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(expected, copied)
    assert not any(np.array_equal(a, b) for a, b in zip(trained, twin.get_weights()))


@settings(max_examples=30, deadline=None)
@given(size=st.integers(1, 70_000), dtype=st.sampled_from(["float32", "float64"]),
       lane=st.integers(0, 9))
def test_a_staggered_array_starts_its_lane_of_kib_past_a_page_boundary(size, dtype, lane):
    array = staggered_zeros(size, dtype, lane)
    assert array.shape == (size,) and array.dtype == np.dtype(dtype)
    assert array.flags.c_contiguous and array.flags.writeable
    assert array.ctypes.data % 4096 == (lane % 4) * 1024
    assert not np.any(array)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_weights_gradients_and_moments_start_at_different_offsets_in_a_page(optimizer):
    """No two arrays of the optimiser's pass share the low 12 bits of their addresses
    (the 4K aliasing of the module docstring)."""
    x, y = data(np.random.default_rng(6))
    model = sequence_model(OPTIMIZERS[optimizer]())
    train(model, x, y, steps=1)
    flat = model._flat
    arrays = [flat.params, flat.grads, *model.optimizer._flat_slots(flat).values()]
    assert len(arrays) == 2 + len(model.optimizer.slot_names)
    assert [array.ctypes.data % 4096 for array in arrays] == [0, 1024, 2048, 3072][:len(arrays)]
