"""Keras's data helpers: the examples of Keras's documentation, and arguments refused by
name."""
import numpy as np
import pytest

from minilstm.utils import pad_sequences, to_categorical


def test_to_categorical_gives_keras_one_hot_rows():
    np.testing.assert_array_equal(to_categorical([0, 1, 2, 3], num_classes=4), np.eye(4))
    one_hot = to_categorical(np.array([[1], [0], [2]]))         # a trailing axis of 1 dropped
    assert one_hot.shape == (3, 3) and one_hot.dtype == np.float32
    np.testing.assert_array_equal(one_hot.argmax(axis=-1), [1, 0, 2])
    sequences = to_categorical(np.array([[1, 2], [0, 0]]), num_classes=3)
    assert sequences.shape == (2, 2, 3)
    np.testing.assert_array_equal(sequences.argmax(axis=-1), [[1, 2], [0, 0]])


@pytest.mark.parametrize("x, options, words", [
    ([0, -1], {}, r"integers in \[0, 1\); got -1$"),
    ([0, 1.5], {}, r"integers in \[0, 2\); got 1.5$"),
    ([0, 3], {"num_classes": 3}, r"integers in \[0, 3\); got 3$"),
    (["a"], {}, r"integers; got dtype <U1$"),
    ([0], {"num_classes": 0}, r"num_classes must be a positive integer; got 0$"),
])
def test_to_categorical_refuses_what_is_no_class_index(x, options, words):
    with pytest.raises(ValueError, match=words):
        to_categorical(x, **options)


def test_pad_sequences_follows_keras_examples():
    sequences = [[1], [2, 3], [4, 5, 6]]
    np.testing.assert_array_equal(pad_sequences(sequences), [[0, 0, 1], [0, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(pad_sequences(sequences, value=-1),
                                  [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(pad_sequences(sequences, padding="post"),
                                  [[1, 0, 0], [2, 3, 0], [4, 5, 6]])
    np.testing.assert_array_equal(pad_sequences(sequences, maxlen=2), [[0, 1], [2, 3], [5, 6]])
    np.testing.assert_array_equal(pad_sequences(sequences, maxlen=2, truncating="post"),
                                  [[0, 1], [2, 3], [4, 5]])
    assert pad_sequences(sequences).dtype == np.int32
    steps = pad_sequences([np.ones((2, 3)), np.ones((1, 3))], dtype="float32")
    assert steps.shape == (2, 2, 3) and steps[1, 0].sum() == 0      # whole steps padded
    np.testing.assert_array_equal(pad_sequences([[], [7]]), [[0], [7]])


@pytest.mark.parametrize("options, words", [
    ({"padding": "middle"}, r"padding must be 'pre' or 'post'; got 'middle'"),
    ({"truncating": "end"}, r"truncating must be 'pre' or 'post'; got 'end'"),
    ({"maxlen": 0}, r"maxlen must be a positive integer or None; got 0"),
    ({"value": "x"}, r"value must be a number; got 'x'"),
])
def test_pad_sequences_refuses_bad_arguments_by_name(options, words):
    with pytest.raises(ValueError, match=words):
        pad_sequences([[1, 2], [3]], **options)


def test_pad_sequences_refuses_steps_of_several_shapes():
    with pytest.raises(ValueError, match=r"steps of one shape; got steps of shapes "
                                         r"\[\(2,\), \(3,\)\]"):
        pad_sequences([np.ones((1, 2)), np.ones((1, 3))])
