"""The tutorials' data: shapes, values and seeding."""
import numpy as np
import pytest

from minilstm.datasets import addition, damped_sine, echo


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


def test_addition_unknown_character_gets_a_clear_error():
    with pytest.raises(ValueError, match=r"character '-' at position 1 of '3-4' is not in the alphabet"):
        addition.integer_encode(["3-4"])
    with pytest.raises(ValueError, match="one length"):
        addition.integer_encode(["1+2", "10+2"])
