"""The tutorials' data: shapes, values and seeding."""
import numpy as np
import pytest

from minilstm.datasets import addition, damped_sine, echo, number_words, translation


def test_echo_pairs_echo_the_first_numbers_then_zeros():
    X, y = echo.get_pairs(50, n_in=5, n_out=2, cardinality=50, seed=0)
    assert X.shape == y.shape == (50, 5, 50) and X.dtype == np.float32
    sequences, targets = echo.one_hot_decode(X), echo.one_hot_decode(y)
    np.testing.assert_array_equal(targets[:, :2], sequences[:, :2])
    assert not targets[:, 2:].any()
    np.testing.assert_array_equal(X.sum(axis=-1), 1.0)


def test_echo_data_repeats_with_the_same_seed():
    a, b = echo.get_pair(5, 2, 50, seed=3), echo.get_pair(5, 2, 50, seed=3)
    np.testing.assert_array_equal(a[0], b[0])


@pytest.mark.parametrize("call, message", [
    (lambda: echo.one_hot_encode([1, 7], 5), r"values must be in \[0, 4\]; got values from 1 to 7"),
    (lambda: echo.one_hot_encode([0.5], 5), "must hold integers"),
    (lambda: echo.get_pairs(1, 3, 4, 10), "n_out must be at most n_in"),
    (lambda: echo.get_pairs(0, 3, 2, 10), "n_pairs must be a positive integer"),
    (lambda: echo.get_pairs(1, 3, 2, 0), r"^cardinality must be a positive integer; got 0$"),
    (lambda: echo.one_hot_encode([0], 0), r"^n_unique must be a positive integer; got 0$"),
])
def test_echo_bad_arguments_get_a_clear_error(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_damped_sine_examples_follow_the_formula():
    X, y = damped_sine.generate_examples(50, 20, 5, seed=1)
    assert X.shape == (20, 50, 1) and y.shape == (20, 5) and X.dtype == np.float32
    assert X[:, 0, 0] == pytest.approx(0.5)                 # sin(0) = 0 at i = 0
    wave = damped_sine.generate_sequence(55, period=10, decay=0.05)
    assert wave[5] == pytest.approx(0.5 + 0.5 * np.sin(np.pi) * np.exp(-0.25))
    with pytest.raises(ValueError, match="length must be a positive integer"):
        damped_sine.generate_examples(0, 1, 1)


def test_damped_sine_examples_are_the_sequences_of_their_drawn_period_and_decay():
    X, y = damped_sine.generate_examples(50, 200, 5, seed=3)
    rng = np.random.default_rng(3)                          # the same draws, in the same order
    periods, decays = rng.integers(10, 21, size=200), rng.uniform(0.01, 0.1, size=200)
    for n in range(200):
        wave = damped_sine.generate_sequence(55, int(periods[n]), float(decays[n]))
        np.testing.assert_array_equal(np.concatenate([X[n, :, 0], y[n]]),
                                      wave.astype(np.float32))


def test_addition_strings_are_padded_like_the_tutorial():
    X_text, y_text = addition.to_string([[3, 10], [7, 1]], [13, 8], n_numbers=2, largest=10)
    assert X_text == [" 3+10", "  7+1"] and y_text == ["13", " 8"]
    assert (addition.input_length(2, 100), addition.output_length(2, 100)) == (7, 3)


def test_addition_encoding_round_trips_through_one_hot():
    X, y = addition.generate_data(30, 2, 10, seed=2)
    assert X.shape == (30, 5, 12) and y.shape == (30, 2, 12)
    for source, target in zip(addition.invert(X), addition.invert(y)):
        a, b = (int(term) for term in source.split("+"))
        assert int(target) == a + b and 1 <= a <= 10 and 1 <= b <= 10


def test_addition_strings_too_long_for_their_padding_are_refused():
    """'300+10' made a 6-step input beside the 5-step ones, and a model built for 5 refused
    it only later, naming neither the sum nor the width."""
    with pytest.raises(ValueError, match=r"'300\+10' \(terms\) is longer than the 5 characters "
                                         r"that n_numbers=2, largest=10 allow"):
        addition.to_string([[300, 10]], [310], 2, 10)
    with pytest.raises(ValueError, match=r"'301' \(sum\) is longer than the 2 characters"):
        addition.encode_pairs(np.array([[300, 1]]), np.array([301]), 2, 10)


def test_addition_one_hot_and_invert_refuse_what_they_cannot_read():
    with pytest.raises(ValueError, match=r"sequence values must be in \[0, 11\]; got values "
                                         r"from 3 to 12"):
        addition.one_hot_encode(np.array([[3, 12]]))
    with pytest.raises(ValueError, match=r"sequences must be one-hot or probability sequences "
                                         r"of shape \(n, length, 12\); got shape \(3, 12\)"):
        addition.invert(np.zeros((3, 12)))


@pytest.mark.parametrize("length, period, decay, message", [
    (5, 0, 0.1, r"period must be a finite number > 0; got 0"),
    (5, 10, float("nan"), r"decay must be a finite number; got nan"),
    (0, 10, 0.1, r"length must be a positive integer; got 0"),
])
def test_a_damped_sine_wave_of_no_period_or_decay_is_refused_rather_than_nan(
        length, period, decay, message):
    """A period of 0 gave five NaNs, with NumPy's warnings only."""
    with pytest.raises(ValueError, match=message):
        damped_sine.generate_sequence(length, period, decay)


def test_addition_unknown_character_gets_a_clear_error():
    with pytest.raises(ValueError,
                       match=r"character '-' at position 1 of '3-4' is not in the alphabet"):
        addition.integer_encode(["3-4"])
    with pytest.raises(ValueError, match=r"character 'é' at position 3 of '12\+é' is not"):
        addition.integer_encode(["1+21", "12+é"])
    with pytest.raises(ValueError, match="one length"):
        addition.integer_encode(["1+2", "10+2"])


@pytest.mark.parametrize("n, english, french", [
    (0, "zero", "zéro"), (21, "twenty-one", "vingt et un"), (71, "seventy-one", "soixante et onze"),
    (80, "eighty", "quatre-vingts"), (81, "eighty-one", "quatre-vingt-un"),
    (91, "ninety-one", "quatre-vingt-onze"), (200, "two hundred", "deux cents"),
    (205, "two hundred and five", "deux cent cinq"),
    (280, "two hundred and eighty", "deux cent quatre-vingts"),
    (1000, "one thousand", "mille"), (3000, "three thousand", "trois mille"),
    (7377, "seven thousand three hundred and seventy-seven",
     "sept mille trois cent soixante-dix-sept"),
])
def test_number_words_follow_the_english_and_french_rules(n, english, french):
    assert number_words.to_english(n) == english and number_words.to_french(n) == french


def test_number_words_refuse_numbers_outside_their_range():
    with pytest.raises(ValueError, match=r"n must be an integer in \[0, 9999\]; got 10000"):
        number_words.to_french(10_000)


def test_pair_files_load_with_a_limit_and_name_a_malformed_line(tmp_path):
    path = tmp_path / "fra.txt"
    path.write_text("Go.\tVa !\tCC-BY 2.0\nHi.\tSalut !\n\nRun!\tCours !\n", encoding="utf-8")
    assert translation.load_pairs(path) == [("Go.", "Va !"), ("Hi.", "Salut !"),
                                            ("Run!", "Cours !")]
    assert translation.load_pairs(path, num_samples=2) == [("Go.", "Va !"), ("Hi.", "Salut !")]
    with pytest.raises(ValueError, match=r"num_samples must be a positive integer; got 0"):
        translation.load_pairs(path, num_samples=0)          # read one pair before
    path.write_text("Go.\tVa !\nno tab here\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2: expected 'source<TAB>target'"):
        translation.load_pairs(path)


def test_pair_files_drop_a_byte_order_mark_and_name_a_line_that_is_not_utf8(tmp_path):
    """A BOM (as some editors save UTF-8) stuck to the first source text; a Latin-1 file
    failed inside the codec, naming neither the file nor the line."""
    path = tmp_path / "fra.txt"
    path.write_bytes("\ufeffGo.\tVa !\nCoffee.\tCafé.\n".encode("utf-8"))
    assert translation.load_pairs(path) == [("Go.", "Va !"), ("Coffee.", "Café.")]
    path.write_bytes("Go.\tVa !\nCoffee.\tCafé.\n".encode("latin-1"))
    message = (r"fra.txt, line 2: not UTF-8 text \(invalid continuation byte: byte 0xe9 "
               r"at offset 11 of the line\)")
    with pytest.raises(ValueError, match=message):
        translation.load_pairs(path)


def test_teacher_forcing_arrays_shift_the_target_by_one_step():
    pairs = [("ab", "xy"), ("b", "y")]
    source = translation.Vocabulary.from_texts([s for s, _ in pairs])
    target = translation.Vocabulary.from_texts([t for _, t in pairs], markers=True)
    encoder_input, decoder_input, decoder_target = translation.teacher_forcing_arrays(
        pairs, source, target, source_length=3, target_length=5)
    assert encoder_input.shape == (2, 3, 3) and decoder_input.shape == (2, 4, 5)
    assert target.decode(decoder_input[0].argmax(-1)) == "\txy\n"
    assert target.decode(decoder_target[0].argmax(-1)) == "xy\n "
    np.testing.assert_array_equal(decoder_input[:, 1:], decoder_target[:, :-1])
    with pytest.raises(ValueError, match="character 'z' of 'az' is not in the vocabulary"):
        source.encode(["az"], 3)
    for index in (5, -1):          # -1 spelled the last character; 5 was an IndexError
        with pytest.raises(ValueError, match=rf"^index {index} is not in this vocabulary of 5 "
                                             rf"characters$"):
            target.decode([1, index])
