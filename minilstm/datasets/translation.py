"""Character-level translation data: pair files, vocabularies and one-hot sequences.

As in Chollet's tutorial: targets are wrapped in a start marker '\\t' and an end marker
'\\n'; the decoder reads the target from '\\t' on (teacher forcing) and learns to emit it
one step ahead, ending with '\\n'. Sequences are padded with spaces to a common length.
"""
import numpy as np

from ..checks import positive_int

START, END, PAD = "\t", "\n", " "


def load_pairs(path, num_samples=None):
    """``[(source, target), ...]`` from a tab-separated file ``source<TAB>target[<TAB>...]``.

    The file is read as UTF-8 (a byte-order mark at its start is dropped). Blank lines are
    skipped; a line that is not UTF-8, or any other line without a tab, is an error naming
    its number. ``num_samples``: read at most that many pairs (a positive integer), or all
    for None.
    """
    if num_samples is not None:
        num_samples = positive_int("num_samples", num_samples)
    pairs = []
    with open(path, "rb") as stream:
        for number, raw in enumerate(stream, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
            except UnicodeDecodeError as error:
                raise ValueError(f"{path}, line {number}: not UTF-8 text ({error.reason}: "
                                 f"byte {raw[error.start]:#04x} at offset {error.start} of "
                                 "the line); save the file as UTF-8") from None
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) < 2 or not fields[0] or not fields[1]:
                raise ValueError(f"{path}, line {number}: expected 'source<TAB>target', got "
                                 f"{line[:60]!r}")
            pairs.append((fields[0], fields[1]))
            if num_samples is not None and len(pairs) >= num_samples:
                break
    if not pairs:
        raise ValueError(f"{path} holds no translation pairs")
    return pairs


class Vocabulary:
    """The characters of a corpus, each with an index, and one-hot encoding both ways."""

    def __init__(self, characters):
        self.characters = sorted(set(characters) | {PAD})
        self.index = {char: i for i, char in enumerate(self.characters)}

    @classmethod
    def from_texts(cls, texts, markers=False):
        """Every character of ``texts``, plus the start and end markers if asked."""
        return cls("".join(texts) + (START + END if markers else ""))

    def __len__(self):
        return len(self.characters)

    def encode(self, texts, length):
        """Texts -> one-hot float32 ``(n, length, len(self))``, padded with spaces."""
        one_hot = np.zeros((len(texts), length, len(self)), dtype=np.float32)
        for row, text in enumerate(texts):
            if len(text) > length:
                raise ValueError(f"{text!r} has {len(text)} characters; at most {length} fit")
            for column, char in enumerate(text.ljust(length, PAD)):
                if char not in self.index:
                    raise ValueError(f"character {char!r} of {text!r} is not in the vocabulary "
                                     f"this model was trained with")
                one_hot[row, column, self.index[char]] = 1.0
        return one_hot

    def decode(self, indices):
        """Indices -> the string they spell; an index outside the vocabulary is a ValueError
        naming it (a negative one would have spelled a character from the end)."""
        size = len(self.characters)
        for index in indices:
            if not 0 <= index < size:
                raise ValueError(f"index {index!r} is not in this vocabulary of {size} "
                                 f"characters")
        return "".join(self.characters[i] for i in indices)


def teacher_forcing_arrays(pairs, source_vocabulary, target_vocabulary, source_length,
                           target_length):
    """Encoder input, decoder input ('\\t' + target) and decoder target (target + '\\n').

    ``target_length`` counts the markers: the decoder runs ``target_length - 1`` steps.
    """
    sources = [source for source, _ in pairs]
    targets = [START + target + END for _, target in pairs]
    encoder_input = source_vocabulary.encode(sources, source_length)
    decoder_sequences = target_vocabulary.encode(targets, target_length)
    return encoder_input, decoder_sequences[:, :-1], decoder_sequences[:, 1:]
