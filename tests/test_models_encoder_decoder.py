"""The encoder–decoder: gradients through the state hand-over, decoding, beam search, saving."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import minilstm
from conftest import GRADIENT_TOLERANCE, batches, features, seeds, steps, units
from minilstm import EncoderDecoder, gradcheck

classes = st.integers(2, 5)
# (attention, rnn): Chollet's LSTMs, with attention, and his GRU variant
VARIANTS = [(False, "lstm"), (True, "lstm"), (False, "gru")]


def one_hot(rng, shape, n):
    return np.eye(n)[rng.integers(0, n, shape)]


@pytest.mark.parametrize("attention, rnn", VARIANTS)
@given(batches, steps, steps, features, units, classes, seeds)
def test_encoder_decoder_gradients_match_finite_differences(attention, rnn, batch, steps_in,
                                                            steps_out, features_, units_,
                                                            classes_, seed):
    rng = np.random.default_rng(seed)
    model = EncoderDecoder(units_, features_, classes_, attention=attention, dtype="float64",
                           seed=seed, rnn=rnn)
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop")
    encoder_input = rng.standard_normal((batch, steps_in, features_))
    decoder_input = one_hot(rng, (batch, steps_out), classes_)
    target = one_hot(rng, (batch, steps_out), classes_)
    errors = gradcheck.check_model(model, [encoder_input, decoder_input], target)
    assert {"encoder/kernel", "encoder/recurrent_kernel", "encoder/bias"} <= set(errors)
    assert max(errors.values()) < GRADIENT_TOLERANCE, errors


def trained_toy_model(dtype="float64", attention=False, rnn="lstm"):
    """A small model trained a little, so its decodings are not uniform noise."""
    rng = np.random.default_rng(0)
    model = EncoderDecoder(8, 3, 5, attention=attention, dtype=dtype, seed=0, rnn=rnn)
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop")
    encoder_input = rng.standard_normal((32, 4, 3))
    sequences = one_hot(rng, (32, 7), 5)
    model.fit([encoder_input, sequences[:, :-1]], sequences[:, 1:], epochs=3, verbose=0)
    return model, encoder_input


@pytest.mark.parametrize("attention, rnn", VARIANTS)
def test_beam_search_with_width_one_is_exactly_greedy_decoding(attention, rnn):
    model, encoder_input = trained_toy_model(attention=attention, rnn=rnn)
    greedy = model.greedy_decode(encoder_input[:6], start=0, end=4, max_length=8)
    for row in range(6):
        (tokens, _), = model.beam_search(encoder_input[row:row + 1], 0, 4, 8, beam_width=1)
        assert tokens == greedy[row]


@pytest.mark.parametrize("attention, rnn", VARIANTS)
def test_beam_scores_are_the_true_sequence_log_probabilities(attention, rnn):
    model, encoder_input = trained_toy_model(attention=attention, rnn=rnn)
    beams = model.beam_search(encoder_input[:1], start=0, end=4, max_length=6, beam_width=3)
    assert len(beams) == 3
    assert [score for _, score in beams] == sorted((score for _, score in beams), reverse=True)
    for tokens, score in beams:
        decoder_input = np.eye(5)[[0] + tokens[:-1]][None]            # teacher forcing
        probabilities = model.predict([encoder_input[:1], decoder_input])[0]
        true_log_probability = np.log(probabilities[np.arange(len(tokens)), tokens]).sum()
        assert score == pytest.approx(true_log_probability, rel=1e-9)


@pytest.mark.parametrize("attention, rnn", VARIANTS)
def test_a_saved_encoder_decoder_decodes_the_same_after_loading(attention, rnn, tmp_path):
    model, encoder_input = trained_toy_model("float32", attention, rnn)
    model.save(tmp_path / "translator.npz")
    loaded = minilstm.load_model(tmp_path / "translator.npz")
    assert isinstance(loaded, EncoderDecoder) and loaded.optimizer.iterations == 3
    assert loaded.rnn == rnn and type(loaded.encoder).__name__ == rnn.upper()
    assert loaded.greedy_decode(encoder_input, 0, 4, 8) == \
        model.greedy_decode(encoder_input, 0, 4, 8)


def test_bad_inputs_get_clear_errors():
    model, encoder_input = trained_toy_model()
    with pytest.raises(ValueError, match="takes 2 input array"):
        model.fit(encoder_input, np.zeros((32, 6, 5)), verbose=0)
    with pytest.raises(ValueError,
                       match=r"same number of samples; got x\[0\]: 32, x\[1\]: 31, y: 32"):
        model.fit([encoder_input, np.zeros((31, 6, 5))], np.zeros((32, 6, 5)), verbose=0)
    with pytest.raises(ValueError, match="3 features"):
        model.encode(np.zeros((1, 4, 7)))
    for wrong in (5, 7):               # the loss's shape error named y_true and the logits
        with pytest.raises(ValueError, match=rf"^y must have one step per step of the "
                                             rf"decoder's input, 6; got shape \(32, {wrong}, 5\)"):
            model.fit([encoder_input, np.zeros((32, 6, 5))], np.zeros((32, wrong, 5)), verbose=0)
    with pytest.raises(ValueError, match="one sequence at a time"):
        model.beam_search(encoder_input[:2], 0, 4, 5)


@pytest.mark.parametrize("make_call, message", [
    (lambda: EncoderDecoder(None, 5, 6), "latent_dim must be a positive integer; got None"),
    (lambda: EncoderDecoder(4, 0, 6), "num_encoder_tokens must be a positive integer; got 0"),
    (lambda: EncoderDecoder(4, 5, 2.5), "num_decoder_tokens must be a positive integer"),
    (lambda: EncoderDecoder(4, 5, 6, attention="no"), r"attention must be True or False; "
                                                      r"got 'no'"),
    (lambda: EncoderDecoder(4, 5, 6, attention_units=8), r"attention_units=8 sizes the "
                                                         r"attention's scores: it needs "
                                                         r"attention=True"),
])
def test_sizes_that_are_not_positive_integers_are_refused_by_name(make_call, message):
    with pytest.raises(ValueError, match=message):
        make_call()


@pytest.mark.parametrize("decode, arguments, message", [
    ("greedy_decode", {"max_length": 0}, "max_length must be a positive integer; got 0"),
    ("greedy_decode", {"max_length": -1}, "max_length must be a positive integer; got -1"),
    ("beam_search", {"max_length": 0}, "max_length must be a positive integer; got 0"),
    ("beam_search", {"max_length": 5, "beam_width": 0}, "beam_width must be a positive integer"),
    ("beam_search", {"max_length": 5, "beam_width": 1.5},
     "beam_width must be a positive integer; got 1.5"),
])
def test_decoding_lengths_and_widths_below_one_are_refused_by_name(decode, arguments, message):
    model, encoder_input = trained_toy_model()
    with pytest.raises(ValueError, match=message):
        getattr(model, decode)(encoder_input[:1], 0, 4, **arguments)


@pytest.mark.parametrize("attention, rnn", VARIANTS)
def test_decode_step_refuses_a_scalar_token_and_states_not_from_encode(attention, rnn):
    """A scalar token was 'len() of unsized object'; two states for the attention model
    'not enough values to unpack'."""
    model, encoder_input = trained_toy_model(attention=attention, rnn=rnn)
    states = model.encode(encoder_input[:1])
    assert model.decode_step([0], states)[0].shape == (1, 5)
    with pytest.raises(ValueError, match=r"tokens must be a 1-D array .*; got shape \(\)"):
        model.decode_step(0, states)
    names = {(True, "lstm"): r"\[h, c, encoder_outputs\]", (False, "lstm"): r"\[h, c\]",
             (False, "gru"): r"\[h\]"}[attention, rnn]
    for wrong, described in [(states + states, f"a list of {2 * len(states)}"),
                             (states[0], "a ndarray")]:
        with pytest.raises(ValueError, match=rf"states must be the list {names}, as encode "
                                             rf"returns it; got {described}"):
            model.decode_step([0], wrong)


DECODING_CALLS = {
    "encode": lambda model, x: model.encode(x),
    "greedy_decode": lambda model, x: model.greedy_decode(x, 0, 4, 5),
    "beam_search": lambda model, x: model.beam_search(x[:1], 0, 4, 5),
    "attention_map": lambda model, x: model.attention_map(x, np.zeros((2, 6, 5))),
}


@pytest.mark.parametrize("attention, call", [
    (attention, call) for attention in (False, True) for call in DECODING_CALLS
    if attention or call != "attention_map"])
def test_a_nan_in_what_is_decoded_is_refused_by_name_not_decoded_into_tokens(attention, call):
    """predict refused a NaN; encode and the decoders took it, and greedy decoding of a NaN
    input returned tokens (the argmax of NaN probabilities: token 0)."""
    model, encoder_input = trained_toy_model(attention=attention)
    bad = encoder_input[:2].copy()
    bad[0, 1, 2] = np.nan
    with pytest.raises(ValueError, match=r"^encoder_input contains 1 non-finite values "
                                         r"\(NaN or inf\); the first at index \(0, 1, 2\)$"):
        DECODING_CALLS[call](model, bad)


@pytest.mark.parametrize("attention", [False, True])
def test_decode_step_and_attention_map_refuse_bad_arrays_by_name(attention):
    model, encoder_input = trained_toy_model(attention=attention)
    states = model.encode(encoder_input[:2])
    bad = [state.copy() for state in states]
    bad[1][1, 0] = np.inf
    with pytest.raises(ValueError, match=r"^states\[1\] \(c\) contains 1 non-finite"):
        model.decode_step([0, 0], bad)
    if attention:
        decoder_input = np.zeros((2, 6, 5))
        decoder_input[1, 0, 0] = np.nan
        with pytest.raises(ValueError, match=r"^decoder_input contains 1 non-finite"):
            model.attention_map(encoder_input[:2], decoder_input)
        with pytest.raises(ValueError, match=r"^encoder_input and decoder_input must hold "
                                             r"the same number of sequences; got 2 and 3$"):
            model.attention_map(encoder_input[:2], np.zeros((3, 6, 5)))


def test_decoding_takes_nested_lists_as_well_as_arrays():
    model, encoder_input = trained_toy_model()
    assert model.greedy_decode(encoder_input[:2].tolist(), 0, 4, 5) == \
        model.greedy_decode(encoder_input[:2], 0, 4, 5)
    assert model.beam_search(encoder_input[:1].tolist(), 0, 4, 5) == \
        model.beam_search(encoder_input[:1], 0, 4, 5)


def test_summary_lists_the_encoder_decoder_and_output_layer_with_keras_counts():
    """At Chollet's latent size, 256, with 71 input and 93 output characters: Keras counts
    4·u·(in + u + 1) for an LSTM and in·out + out for a Dense, so 4·256·(71 + 256 + 1),
    4·256·(93 + 256 + 1) and 256·93 + 93."""
    lines = []
    EncoderDecoder(256, 71, 93).summary(print_fn=lines.append)
    counts = [int(line.split()[-1]) for line in lines
              if line.startswith((" encoder ", " decoder ", " decoder_dense "))]
    assert counts == [335_872, 358_400, 23_901]
    assert "Total params: 718,173" in lines


def test_summary_keeps_the_counts_in_one_column_past_a_long_list_of_shapes():
    """The attentive decoder's four output shapes ran past the count column, which then
    stood at a different place on each row; a list of shapes is bracketed, as in Keras 2."""
    lines = []
    EncoderDecoder(8, 5, 6, attention=True).summary(print_fn=lines.append)
    header = next(line for line in lines if "Param #" in line)
    rows = [line for line in lines if line.startswith((" encoder ", " decoder"))]
    assert [row[header.index("Param #"):] for row in rows] == ["448", "872", "102"]
    assert "[(None, None, 8), (None, None, 8), (None, 8), (None, 8)]" in rows[1]
    assert len(lines[1]) == len(header) and set(lines[1]) == {"_"}


@pytest.mark.parametrize("decode", ["greedy_decode", "beam_search"])
def test_start_and_end_outside_the_vocabulary_are_refused_by_name(decode):
    """The toy model's decoder has 5 tokens: 5, -1 or 0.5 is no token of it."""
    model, encoder_input = trained_toy_model()
    for start, end, named in [(5, 4, "start"), (-1, 4, "start"), (0, 0.5, "end")]:
        with pytest.raises(ValueError, match=rf"{named} must be a token index in \[0, 5\)"):
            getattr(model, decode)(encoder_input[:1], start, end, 5)
    with pytest.raises(ValueError, match=r"tokens must be token indices in \[0, 5\); got"):
        model.decode_step(np.array([1, 5]), model.encode(encoder_input[:2]))


def test_attention_weights_for_a_heatmap_are_distributions_over_the_input():
    model, encoder_input = trained_toy_model(attention=True)
    decoder_input = np.eye(5)[[[0, 1, 2]]]
    weights = model.attention_map(encoder_input[:1], decoder_input)
    assert weights.shape == (1, 3, 4)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-12)
    with pytest.raises(ValueError, match="attention=True"):
        trained_toy_model()[0].attention_map(encoder_input[:1], decoder_input)


def test_chollets_gru_variant_hands_the_one_state_over_and_refuses_attention():
    """With rnn='gru' the encoder's last h starts the decoder, as Chollet's answer to "what if
    I want to use a GRU layer instead of a LSTM?" writes it; the encoder's weights get the
    gradient of that hand-over (a change of encoder weight changes the loss)."""
    rng = np.random.default_rng(1)
    model = EncoderDecoder(4, 3, 5, rnn="gru", dtype="float64", seed=1)
    assert [type(layer).__name__ for layer in model.layers] == ["GRU", "GRU", "Dense"]
    assert model.count_params() == 3 * (4 * 7 + 8) + 3 * (4 * 9 + 8) + 4 * 5 + 5
    encoder_input = rng.standard_normal((2, 4, 3))
    (h,) = model.encode(encoder_input)
    np.testing.assert_array_equal(h, model.encoder(encoder_input)[1])
    probabilities, (h_next,) = model.decode_step([0, 1], [h])
    decoder_input = np.eye(5)[[[0], [1]]]
    expected, h_expected = model.decoder(decoder_input, initial_state=[h])
    np.testing.assert_allclose(h_next, h_expected, rtol=1e-12)
    np.testing.assert_allclose(probabilities, model.output_layer(expected)[:, 0], rtol=1e-12)
    with pytest.raises(ValueError, match=r"attention=True decodes with an AttentiveLSTM: it "
                                         r"needs rnn='lstm'; got rnn='gru'"):
        EncoderDecoder(4, 3, 5, attention=True, rnn="gru")
    with pytest.raises(ValueError, match=r"rnn must be one of \['gru', 'lstm'\]; got 'rnn'"):
        EncoderDecoder(4, 3, 5, rnn="rnn")
