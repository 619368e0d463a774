"""The tutorial examples run end to end and reach their acceptance figures."""
import importlib.util
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

import minilstm
from minilstm import EncoderDecoder
from minilstm.datasets import addition as addition_data
from minilstm.datasets import translation

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def run_example(name, *arguments):
    result = subprocess.run([sys.executable, str(EXAMPLES / name), *arguments],
                            capture_output=True, text=True, timeout=600, check=True)
    return result.stdout


def test_damped_sine_recipe_reaches_mae_below_0_03_with_5145_parameters():
    out = run_example("damped_sine.py", "--seed", "1", "--verbose", "0")
    assert "Total params: 5,145" in out
    mae = float(re.search(r"MAE on 1,000 fresh examples: ([0-9.]+)", out).group(1))
    assert mae <= 0.03, out
    assert "* expected" in out and "o predicted" in out


def load_example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_echo_quick_variant_both_models_learn_and_attention_wins():
    """1,500 steps, seed 0: a short version of the tutorial's recipe."""
    echo = load_example("echo_attention")
    runs = {kind: echo.train_and_evaluate(kind, seed=0, steps=1500, n_in=5, n_out=2,
                                          cardinality=50, units=150)
            for kind in ("baseline", "attention")}
    for run in runs.values():
        assert run["losses"][-300:].mean() < 0.8 * run["losses"][:300].mean()
    assert runs["attention"]["losses"][-300:].mean() < runs["baseline"]["losses"][-300:].mean()
    assert runs["attention"]["accuracy"] >= runs["baseline"]["accuracy"] + 10


def test_echo_example_reports_runs_means_spot_checks_curves_and_heatmap(capsys):
    echo = load_example("echo_attention")
    echo.main(["--repeats", "2", "--steps", "20", "--units", "8", "--cardinality", "6",
               "--n-in", "4", "--n-out", "2"])
    out = capsys.readouterr().out
    assert out.count("-> mean") == 2 and "published" not in out   # not the published setup
    assert "Spot checks, baseline" in out and "Spot checks, attention" in out
    assert "* baseline   o attention" in out and "out 4" in out
    assert "One 20-step run takes" in out


def test_damped_sine_quick_smoke_run_prints_the_tutorials_output():
    out = run_example("damped_sine.py", "--quick", "--seed", "2", "--verbose", "1")
    assert "Total params: 5,145" in out and "300/300 [====" in out
    assert "training: 3,000 examples" in out and "o predicted" in out


def test_addition_quick_smoke_run_covers_both_parts_and_the_readers_questions():
    out = run_example("addition_seq2seq.py", "--quick")
    assert "MLP: RMSE" in out and "LSTM: RMSE" in out
    assert out.count("expected") >= 20 and "exact match on 1,000 fresh samples" in out
    assert "on the 20 pairs never seen" in out
    assert re.search(r"[0-9.]+% padded, [0-9.]+% with the padding masked", out)


def test_addition_with_gru_layers_swaps_the_encoder_and_decoder_for_grus():
    """Keras's own addition tutorial invites trying a GRU or a SimpleRNN: ``--rnn gru`` builds
    part B's model with GRU layers, Keras's counts (100 units on 12 symbols, then 50 on
    100), and ``--rnn simple_rnn`` with SimpleRNN layers."""
    example = load_example("addition_seq2seq")
    model = example.define_seq2seq(2, 10, (100, 50), seed=1, rnn="gru")
    assert [type(layer).__name__ for layer in model.layers] == [
        "GRU", "RepeatVector", "GRU", "TimeDistributed"]
    assert model.count_params() == 3 * (100 * 112 + 200) + 3 * (50 * 150 + 100) + 50 * 12 + 12
    out = run_example("addition_seq2seq.py", "--quick", "--part", "b", "--rnn", "gru")
    assert "GRU units 100/50" in out and "exact match on 1,000 fresh samples" in out
    simple = example.define_seq2seq(2, 10, (100, 50), seed=1, rnn="simple_rnn")
    assert simple.count_params() == 100 * 113 + 50 * 151 + 50 * 12 + 12


def test_the_masking_question_s_models_start_alike_and_the_masked_one_skips_the_spaces():
    """From the same weights; with its spaces as rows of zeros, which Masking(mask_value=0.0)
    marks unread, the masked model reads '  7+1' as '7+1'."""
    example = load_example("addition_seq2seq")
    padded = example.define_seq2seq(2, 10, (8, 6), seed=3)
    masked = example.define_seq2seq(2, 10, (8, 6), seed=3, masked=True)
    for a, b in zip(padded.get_weights(), masked.get_weights()):
        np.testing.assert_array_equal(a, b)
    X, y = addition_data.encode_pairs(np.array([[7, 1], [10, 10]]), np.array([8, 20]), 2, 10)
    assert addition_data.invert(X) == ["  7+1", "10+10"]
    unpadded = minilstm.Sequential([
        minilstm.LSTM(8, input_shape=(None, 12)), minilstm.RepeatVector(2),
        minilstm.LSTM(6, return_sequences=True),
        minilstm.TimeDistributed(minilstm.Dense(12, activation="softmax"))])
    unpadded.set_weights(masked.get_weights())
    zeros = example.spaces_as_zeros(X)
    np.testing.assert_array_equal(zeros[0, :2], 0.0)
    np.testing.assert_array_equal(zeros[:, 2:], X[:, 2:])
    np.testing.assert_allclose(masked.predict(zeros[:1]), unpadded.predict(X[:1, 2:]),
                               rtol=1e-6)
    assert not np.allclose(padded.predict(X[:1]), unpadded.predict(X[:1, 2:]), rtol=1e-3)


def test_addition_seq2seq_recipe_reaches_99_percent_exact_match():
    """The published recipe (30 epochs of 1,000 fresh samples, batch 10), seed 1."""
    example = load_example("addition_seq2seq")
    model = example.define_seq2seq(2, 10, (100, 50), seed=1)
    rng = np.random.default_rng(1)
    example.train_seq2seq(model, 30, lambda n: addition_data.generate_data(n, 2, 10, rng),
                          verbose=False)
    accuracy, _, _ = example.exact_match(model, *addition_data.generate_data(1000, 2, 10, rng))
    assert accuracy >= 0.99


def test_translation_quick_smoke_runs_train_decode_and_report():
    out = run_example("char_translation.py", "--quick", "--verbose", "0")
    assert "1,000 training pairs, 200 held out" in out
    assert "expected" in out and "decoded" in out
    assert re.search(r"exact match on 200 held-out pairs, greedy decoding: [0-9.]+%", out)


def test_translation_quick_smoke_with_attention_beam_search_and_heatmap():
    out = run_example("char_translation.py", "--quick", "--attention", "--beam", "2",
                      "--verbose", "0")
    assert "beam search (width 2)" in out
    assert "Attention while translating" in out


def test_translation_quick_smoke_with_chollets_gru_variant():
    out = run_example("char_translation.py", "--quick", "--rnn", "gru", "--verbose", "0")
    assert re.search(r"exact match on 200 held-out pairs, greedy decoding: [0-9.]+%", out)


def test_counts_on_the_command_line_below_one_are_refused_naming_the_option():
    """argparse's error (exit status 2) before anything runs; ``--epochs 0`` made the
    addition example fail at its end with an UnboundLocalError."""
    for name, option in [("addition_seq2seq.py", "--epochs"), ("echo_attention.py", "--workers"),
                         ("damped_sine.py", "--examples"), ("char_translation.py", "--latent")]:
        result = subprocess.run([sys.executable, str(EXAMPLES / name), option, "0"],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 2, (name, result.stderr)
        assert f"argument {option}: must be an integer >= 1; got '0'" in result.stderr, name


@pytest.mark.parametrize("name, arguments, message", [
    ("damped_sine.py", ["--seed", "-1"], "argument --seed: must be an integer >= 0; got '-1'"),
    ("addition_seq2seq.py", ["--seed", "x"], "argument --seed: must be an integer >= 0; got 'x'"),
    ("char_translation.py", ["--beam", "-1"], "argument --beam: must be an integer >= 0"),
    ("char_translation.py", ["--show", "-1"], "argument --show: must be an integer >= 0"),
    ("char_translation.py", ["--attention", "--rnn", "gru"],
     "--attention decodes with an attentive LSTM: it needs --rnn lstm; got --rnn gru"),
    ("echo_attention.py", ["--n-in", "3", "--n-out", "4"],
     "--n-out (4) must be at most --n-in (3)"),
    ("char_translation.py", ["--data", "/no-such-folder/pairs.txt"],
     "argument --data: '/no-such-folder/pairs.txt' does not exist"),
    ("char_translation.py", ["--data", str(EXAMPLES)],
     f"argument --data: {str(EXAMPLES)!r} is a folder, not a file"),
    ("damped_sine.py", ["--plot", "/no-such-folder/sine.png"],
     "argument --plot: the folder '/no-such-folder' does not exist"),
    ("echo_attention.py", ["--plot", str(EXAMPLES)],
     f"argument --plot: {str(EXAMPLES)!r} is a folder: give a file name in it"),
])
def test_bad_seeds_widths_lengths_and_paths_are_refused_by_argparse_before_any_work(
        name, arguments, message):
    """Before: NumPy's 'expected non-negative integer' from deep in the seeding, a
    ValueError from beam search after training, the data's error after start-up; a
    missing --data file a traceback, and a --plot path that cannot be written an error
    after the training, with matplotlib installed."""
    result = subprocess.run([sys.executable, str(EXAMPLES / name), *arguments],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr


def test_a_pair_file_too_small_to_split_is_refused_saying_how_many_pairs_it_needs(tmp_path):
    """Two pairs left one to train on, and fit's validation split failed with 'leaves no
    samples on one side of the split of 1 samples'; three pairs split."""
    example = load_example("char_translation")
    path = tmp_path / "pairs.txt"
    path.write_text("Go.\tVa !\nHi.\tSalut !\n", encoding="utf-8")
    args = example.parse_args(["--data", str(path)])
    with pytest.raises(ValueError, match=r"holds 2 translation pair\(s\); the example needs "
                                         r"at least 3"):
        example.corpus(args, np.random.default_rng(0))
    path.write_text("Go.\tVa !\nHi.\tSalut !\nRun!\tCours !\n", encoding="utf-8")
    train_pairs, held_out = example.corpus(args, np.random.default_rng(0))
    assert (len(train_pairs), len(held_out)) == (2, 1)


def test_translation_heatmap_png_has_the_text_charts_visible_labels(monkeypatch, tmp_path):
    """A space as a raw tick label is blank: the PNG's rows were unlabelled where the model
    wrote spaces. Both charts now label a space '_' (input) or ' ' in quotes (output)."""
    example = load_example("char_translation")
    source_vocabulary = translation.Vocabulary.from_texts(["a b"])
    target_vocabulary = translation.Vocabulary.from_texts(["x y"], markers=True)
    model = EncoderDecoder(4, len(source_vocabulary), len(target_vocabulary), attention=True,
                           seed=0)
    labels = {}

    class Axes:
        def imshow(self, weights, cmap):
            labels["shape"] = weights.shape

        def set(self, **settings):
            labels.update(settings)

    class Figure:
        def tight_layout(self):
            pass

        def savefig(self, path):
            pass

    class PyPlot:
        def subplots(self, figsize):
            return Figure(), Axes()

    monkeypatch.setattr(example, "load_pyplot", lambda path: PyPlot())
    example.show_attention(model, "a b", "x y", (source_vocabulary, target_vocabulary), (3, 4),
                           str(tmp_path / "attention.png"))
    assert labels["shape"] == (3, 3)
    assert list(labels["xticklabels"]) == ["a", "_", "b"]
    assert list(labels["yticklabels"]) == ["'x'", "' '", "'y'"]


def test_translation_heatmap_of_an_empty_decoding_says_so(capsys):
    """A model that writes the end marker first decodes nothing: the heatmap had no rows,
    and the example failed in it after the whole training."""
    example = load_example("char_translation")
    source_vocabulary = translation.Vocabulary.from_texts(["ab"])
    target_vocabulary = translation.Vocabulary.from_texts(["xy"], markers=True)
    model = EncoderDecoder(4, len(source_vocabulary), len(target_vocabulary), attention=True,
                           seed=0)
    example.show_attention(model, "ab", "", (source_vocabulary, target_vocabulary), (2, 4),
                           None)
    assert "No attention to show: 'ab' was decoded as nothing." in capsys.readouterr().out


def test_univariate_forecasters_with_relu_learn_the_next_value():
    """The classic tutorials' vanilla, stacked and bidirectional relu LSTMs, two runs each:
    every forecast after 70, 80, 90 near the true 100 (an untrained model gives about 0)."""
    out = run_example("univariate_forecasting.py", "--repeats", "2")
    lines = {line.split(":")[0].strip(): line for line in out.splitlines()}
    assert set(lines) == {"vanilla", "stacked", "bidirectional"}
    for line in lines.values():
        forecasts = [float(value) for value in line.split(":")[1].split("->")[0].split(",")]
        assert len(forecasts) == 2
        assert all(95 < value < 110 for value in forecasts), line
