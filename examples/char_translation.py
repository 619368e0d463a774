"""Tutorial 4: character-level translation with an LSTM encoder–decoder (teacher forcing).

Chollet's recipe: an encoder LSTM reads the source one character at a time; its final
[h, c] start a decoder LSTM that reads the target from a start marker and learns to emit
it one character ahead; RMSprop, categorical cross-entropy, latent 256, batch 64,
validation_split 0.2. Inference encodes the input, then decodes one character at a time
from the start marker, feeding back its argmax (or keeping the k best: --beam k).

--attention goes beyond the tutorial: at every step the decoder scores all encoder
outputs (additive attention), reads their weighted context, and shows where it looked.
--rnn gru is Chollet's own answer to "what if I want to use a GRU layer instead of a LSTM?":
GRUs in both places, the encoder's one state h handed over.

By default the corpus is numbers written in English and French, made here: 8,000
numbers for training, and the exact-match accuracy is measured on numbers never seen.
--data FILE reads a tab-separated 'source<TAB>target' file instead (the original's fra.txt).

    python examples/char_translation.py                    # number words, 15 epochs
    python examples/char_translation.py --attention        # with attention, and a heatmap
    python examples/char_translation.py --beam 3           # beam search decoding
    python examples/char_translation.py --rnn gru          # GRUs instead of LSTMs
    python examples/char_translation.py --data fra.txt --num-samples 10000
    python examples/char_translation.py --quick            # a small, fast version (CI)
"""
import argparse
import time

import numpy as np

from minilstm import EncoderDecoder, RMSprop
from minilstm.checks import (existing_file_argument, non_negative_int_argument,
                             output_file_argument, positive_int_argument)
from minilstm.datasets import number_words, translation
from minilstm.plotting import load_pyplot
from minilstm.textplot import heatmap


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=non_negative_int_argument, default=1)
    parser.add_argument("--epochs", type=positive_int_argument, default=15)
    parser.add_argument("--latent", type=positive_int_argument, default=256, help="LSTM units")
    parser.add_argument("--batch-size", type=positive_int_argument, default=64)
    parser.add_argument("--train", type=positive_int_argument,
                        default=8000, help="training pairs (number words)")
    parser.add_argument("--held-out", type=positive_int_argument,
                        default=2000, help="held-out pairs to decode")
    parser.add_argument("--data", metavar="FILE", type=existing_file_argument,
                        help="tab-separated pairs instead of numbers")
    parser.add_argument("--num-samples", type=positive_int_argument,
                        default=10000, help="pairs read from --data")
    parser.add_argument("--attention", action="store_true", help="decode with attention")
    parser.add_argument("--rnn", choices=["lstm", "gru"], default="lstm",
                        help="the encoder's and decoder's layer (gru: without --attention)")
    parser.add_argument("--attention-units", type=positive_int_argument, default=32,
                        help="with --attention, the size A of the attention scores: 32 "
                             "halves the epoch time of A = 256 on this machine")
    parser.add_argument("--beam", type=non_negative_int_argument, default=0,
                        help="beam width (0: greedy)")
    parser.add_argument("--plot", metavar="FILE", type=output_file_argument,
                        help="save the attention heatmap as a PNG")
    parser.add_argument("--show", type=non_negative_int_argument, default=10,
                        help="translations to print")
    parser.add_argument("--quick", action="store_true", help="small model, 2 epochs: a smoke test")
    parser.add_argument("--verbose", type=int, default=2, choices=[0, 1, 2])
    args = parser.parse_args(argv)
    if args.attention and args.rnn != "lstm":
        parser.error(f"--attention decodes with an attentive LSTM: it needs --rnn lstm; got "
                     f"--rnn {args.rnn}")
    return args


def corpus(args, rng):
    """Training pairs and held-out pairs the model never sees while training."""
    if args.data:
        pairs = translation.load_pairs(args.data, args.num_samples)
        if len(pairs) < 3:
            raise ValueError(f"--data {args.data} holds {len(pairs)} translation pair(s); the "
                             "example needs at least 3: 90% to train on (a fifth of them to "
                             "validate) and 10% held out")
        order = rng.permutation(len(pairs))
        split = int(0.9 * len(pairs))
        return [pairs[i] for i in order[:split]], [pairs[i] for i in order[split:]]
    numbers = rng.permutation(number_words.LARGEST + 1)
    return (number_words.number_pairs(numbers[:args.train]),
            number_words.number_pairs(numbers[args.train:args.train + args.held_out]))


def translate(model, texts, vocabularies, lengths, beam_width):
    """Decoded strings for ``texts``: greedy for all at once, or one beam search each."""
    source, target = vocabularies
    encoder_input = source.encode(texts, lengths[0])
    start, end = target.index[translation.START], target.index[translation.END]
    max_length = lengths[1] - 1
    if beam_width:
        decoded = [model.beam_search(encoder_input[i:i + 1], start, end, max_length,
                                     beam_width)[0][0] for i in range(len(texts))]
    else:
        decoded = model.greedy_decode(encoder_input, start, end, max_length)
    return [target.decode(tokens).split(translation.END)[0] for tokens in decoded]


def prepare(args):
    """Training and held-out pairs, the two vocabularies, (source, target) lengths, and
    the training pairs as teacher-forcing arrays (encoder in, decoder in, decoder target)."""
    rng = np.random.default_rng(args.seed)
    train_pairs, held_out = corpus(args, rng)
    sources = [s for s, _ in train_pairs + held_out]
    targets = [t for _, t in train_pairs + held_out]
    vocabularies = (translation.Vocabulary.from_texts(sources),
                    translation.Vocabulary.from_texts(targets, markers=True))
    lengths = (max(map(len, sources)), max(map(len, targets)) + 2)
    arrays = translation.teacher_forcing_arrays(train_pairs, *vocabularies, *lengths)
    return train_pairs, held_out, vocabularies, lengths, arrays


def define_model(args, vocabularies):
    model = EncoderDecoder(args.latent, len(vocabularies[0]), len(vocabularies[1]),
                           attention=args.attention,
                           attention_units=args.attention_units if args.attention else None,
                           seed=args.seed, rnn=args.rnn)
    model.compile(optimizer=RMSprop(), loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def main(argv=None):
    args = parse_args(argv)
    if args.quick:
        args.epochs, args.latent, args.train, args.held_out, args.show = 2, 32, 1000, 200, 5
    train_pairs, held_out, vocabularies, lengths, arrays = prepare(args)
    print(f"{len(train_pairs):,} training pairs, {len(held_out):,} held out; "
          f"{len(vocabularies[0])} source and {len(vocabularies[1])} target characters; "
          f"longest source {lengths[0]}, target {lengths[1] - 2}")

    model = define_model(args, vocabularies)
    start = time.perf_counter()
    model.fit(list(arrays[:2]), arrays[2], batch_size=args.batch_size, epochs=args.epochs,
              validation_split=0.2, verbose=args.verbose)
    train_seconds = time.perf_counter() - start

    start = time.perf_counter()
    decoded = translate(model, [s for s, _ in held_out], vocabularies, lengths, args.beam)
    decode_seconds = time.perf_counter() - start
    correct = [d == t for d, (_, t) in zip(decoded, held_out)]
    for (source, expected), got, ok in list(zip(held_out, decoded, correct))[:args.show]:
        print(f"  {source!r}\n      expected {expected!r}\n      decoded  {got!r}"
              f"{'' if ok else '   <- wrong'}")
    method = f"beam search (width {args.beam})" if args.beam else "greedy decoding"
    accuracy = float(np.mean(correct))
    print(f"exact match on {len(held_out):,} held-out pairs, {method}: {accuracy:.1%}")
    epochs = f"{args.epochs} epoch{'s' if args.epochs != 1 else ''}"
    print(f"training {epochs}: {train_seconds:.1f} s "
          f"({train_seconds / args.epochs:.1f} s per epoch); decoding {decode_seconds:.1f} s")
    if args.attention:
        show_attention(model, held_out[0][0], decoded[0], vocabularies, lengths, args.plot)
    return accuracy


def show_attention(model, source, decoded, vocabularies, lengths, plot_path):
    """Where the decoder looked while writing ``decoded``: rows output, columns input."""
    if not decoded:                 # the end marker first: no output step to show
        print(f"\nNo attention to show: {source!r} was decoded as nothing.")
        return
    encoder_input = vocabularies[0].encode([source], lengths[0])
    decoder_input = vocabularies[1].encode([translation.START + decoded], len(decoded) + 1)
    # step t reads character t of '\t' + decoded and writes decoded[t]
    weights = model.attention_map(encoder_input, decoder_input)[0, :len(decoded), :len(source)]
    print(f"\nAttention while translating {source!r} -> {decoded!r} "
          "(rows: output characters; columns: input characters; darker = more weight):")
    # the same visible labels in both charts: a space or the end marker as a raw tick
    # label is blank (or breaks the line)
    row_labels = [repr(char) for char in decoded]
    column_labels = list(source.replace(" ", "_"))
    print(heatmap(weights, row_labels=row_labels, column_labels=column_labels))
    pyplot = load_pyplot(plot_path) if plot_path else None
    if pyplot is not None:
        figure, axes = pyplot.subplots(figsize=(max(6, len(source) / 3), max(4, len(decoded) / 3)))
        axes.imshow(weights, cmap="Greys")
        axes.set(xticks=range(len(source)), xticklabels=column_labels,
                 yticks=range(len(decoded)), yticklabels=row_labels,
                 xlabel="input character", ylabel="output character")
        figure.tight_layout()
        figure.savefig(plot_path)
        print(f"saved {plot_path}")


if __name__ == "__main__":
    main()
