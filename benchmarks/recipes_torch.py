"""The tutorial recipes in plain PyTorch: the other half of bench_tutorials.py.

The same models as the minilstm examples, built from ``nn.LSTM``/``nn.Linear`` and trained
by autograd, with the same data (drawn by minilstm's dataset functions from the same seeds),
Keras's initialisers (glorot_uniform kernels, orthogonal recurrent kernels, zero biases
with the forget-gate bias at 1), Keras's optimiser settings (Adam / RMSprop with
epsilon 1e-7), batch sizes, shuffling, and the same metric. Same contract as
``recipes_minilstm``: each recipe takes ``(seed, warmup)`` and returns ``(seconds, metric)``.
"""
import functools
import math
import time

import numpy as np
import torch
from torch import nn

from recipes_minilstm import ADDITION_EPOCHS, ECHO_STEPS, SINE_EXAMPLES, translation_corpus
from minilstm.datasets import addition as addition_data
from minilstm.datasets import echo as echo_data
from minilstm.datasets.damped_sine import generate_examples

KERAS_EPSILON = 1e-7


def keras_lstm(features, units):
    """``nn.LSTM`` initialised as Keras initialises ``LSTM`` (gate order i, f, g, o in both)."""
    layer = nn.LSTM(features, units, batch_first=True)
    with torch.no_grad():
        nn.init.xavier_uniform_(layer.weight_ih_l0)       # (4H, I): Keras's kernel, transposed
        nn.init.orthogonal_(layer.weight_hh_l0)           # (4H, H)
        layer.bias_ih_l0.zero_()
        layer.bias_hh_l0.zero_()
        layer.bias_ih_l0[units:2 * units] = 1.0           # unit_forget_bias
    return layer


def keras_linear(features, units):
    layer = nn.Linear(features, units)
    with torch.no_grad():
        nn.init.xavier_uniform_(layer.weight)
        layer.bias.zero_()
    return layer


def parameter(shape, initializer):
    weight = nn.Parameter(torch.empty(shape))
    with torch.no_grad():
        if initializer == "glorot_uniform" and len(shape) == 1:
            limit = math.sqrt(3.0 / shape[0])             # Keras: fan_in = fan_out = n
            weight.uniform_(-limit, limit)
        else:
            {"glorot_uniform": nn.init.xavier_uniform_, "orthogonal": nn.init.orthogonal_,
             "zeros": nn.init.zeros_}[initializer](weight)
    return weight


class RepeatSeq2Seq(nn.Module):
    """LSTM -> RepeatVector -> LSTM(return_sequences) -> TimeDistributed(Dense): logits."""

    def __init__(self, features, encoder_units, decoder_units, steps_out, classes):
        super().__init__()
        self.encoder = keras_lstm(features, encoder_units)
        self.decoder = keras_lstm(encoder_units, decoder_units)
        self.dense = keras_linear(decoder_units, classes)
        self.steps_out = steps_out

    def forward(self, x):                                  # (B, T, I)
        _, (h, _) = self.encoder(x)                        # (1, B, He)
        repeated = h[-1].unsqueeze(1).expand(-1, self.steps_out, -1)   # (B, T_out, He)
        hidden, _ = self.decoder(repeated)                 # (B, T_out, Hd)
        return self.dense(hidden)                          # (B, T_out, K)


class AttentionDecoder(nn.Module):
    """The tutorial's Bahdanau decoder (TUTORIALS.md, section 1): probabilities out."""

    def __init__(self, features, units, classes):
        super().__init__()
        d, n, k = features, units, classes
        self.V_a = parameter((n,), "glorot_uniform")
        self.W_a = parameter((n, n), "glorot_uniform")
        self.U_a = parameter((d, n), "glorot_uniform")
        self.b_a = parameter((n,), "zeros")
        for gate in "rzp":
            setattr(self, f"C_{gate}", parameter((d, n), "orthogonal"))
            setattr(self, f"U_{gate}", parameter((n, n), "orthogonal"))
            setattr(self, f"W_{gate}", parameter((k, n), "orthogonal"))
            setattr(self, f"b_{gate}", parameter((n,), "zeros"))
        self.C_o = parameter((d, k), "orthogonal")
        self.U_o = parameter((n, k), "orthogonal")
        self.W_o = parameter((k, k), "orthogonal")
        self.b_o = parameter((k,), "zeros")
        self.W_s = parameter((d, n), "orthogonal")

    def forward(self, h):                                  # (B, T, D)
        uh = h @ self.U_a + self.b_a                       # (B, T, n)
        s = torch.tanh(h[:, 0] @ self.W_s)                 # (B, n)
        y = h.new_zeros(h.shape[0], self.b_o.shape[0])     # (B, K)
        outputs = []
        for _ in range(h.shape[1]):
            scores = torch.tanh((s @ self.W_a).unsqueeze(1) + uh) @ self.V_a   # (B, T)
            weights = torch.softmax(scores, dim=1)         # (B, T)
            context = torch.bmm(weights.unsqueeze(1), h).squeeze(1)           # (B, D)
            r = torch.sigmoid(y @ self.W_r + s @ self.U_r + context @ self.C_r + self.b_r)
            z = torch.sigmoid(y @ self.W_z + s @ self.U_z + context @ self.C_z + self.b_z)
            p = torch.tanh(y @ self.W_p + (r * s) @ self.U_p + context @ self.C_p + self.b_p)
            y = torch.softmax(y @ self.W_o + s @ self.U_o + context @ self.C_o + self.b_o, dim=1)
            s = (1 - z) * s + z * p
            outputs.append(y)
        return torch.stack(outputs, dim=1)                 # (B, T, K)


class EchoAttention(nn.Module):
    """LSTM(return_sequences) -> AttentionDecoder: probabilities out."""

    def __init__(self, features, units, classes):
        super().__init__()
        self.encoder = keras_lstm(features, units)
        self.decoder = AttentionDecoder(units, units, classes)

    def forward(self, x):
        hidden, _ = self.encoder(x)
        return self.decoder(hidden)


class StackedLSTM(nn.Module):
    """LSTM(20, return_sequences) -> LSTM(20) -> Dense(5)."""

    def __init__(self, units, outputs):
        super().__init__()
        self.first = keras_lstm(1, units)
        self.second = keras_lstm(units, units)
        self.dense = keras_linear(units, outputs)

    def forward(self, x):
        hidden, _ = self.first(x)
        _, (h, _) = self.second(hidden)
        return self.dense(h[-1])


class Translator(nn.Module):
    """Chollet's encoder-decoder: the encoder's [h, c] start the teacher-forced decoder."""

    def __init__(self, source_tokens, target_tokens, latent):
        super().__init__()
        self.encoder = keras_lstm(source_tokens, latent)
        self.decoder = keras_lstm(target_tokens, latent)
        self.dense = keras_linear(latent, target_tokens)

    def forward(self, inputs):
        encoder_input, decoder_input = inputs
        _, state = self.encoder(encoder_input)
        hidden, _ = self.decoder(decoder_input, state)
        return self.dense(hidden)


def crossentropy_from_logits(logits, target):
    return -(target * torch.log_softmax(logits, dim=-1)).sum(-1).mean()


def crossentropy_from_probabilities(probabilities, target):
    """Keras's categorical cross-entropy on probabilities (clipped to [eps, 1 - eps])."""
    clipped = probabilities.clamp(KERAS_EPSILON, 1 - KERAS_EPSILON)
    return -(target * torch.log(clipped)).sum(-1).mean()


def mean_absolute_error(prediction, target):
    return (prediction - target).abs().mean()


def adam(model):
    return torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=KERAS_EPSILON)


def train_step(model, loss_function, optimizer, x, y):
    optimizer.zero_grad()
    loss = loss_function(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def fit_epoch(model, loss_function, optimizer, x, y, batch_size, generator):
    """One shuffled epoch, as Keras's ``fit(..., shuffle=True)``: the mean batch loss."""
    order = torch.randperm(len(y), generator=generator)
    losses = [train_step(model, loss_function, optimizer, _take(x, rows), y[rows])
              for rows in order.split(batch_size)]
    return float(np.mean(losses))


def _take(x, rows):
    return [part[rows] for part in x] if isinstance(x, list) else x[rows]


def tensor(array):
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))


def exact_match(probabilities, target):
    """Share of sequences whose every argmax step matches the target's."""
    return (probabilities.argmax(-1) == target.argmax(-1)).all(dim=1).float().mean()


def score(metric, model, x, y):
    """The metric of the model's output on held-out data, with no gradients recorded."""
    with torch.no_grad():
        return float(metric(model(x), y))


def seeded(seed):
    """Seed PyTorch's initialisers; a generator for shuffling and one for the data."""
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed), np.random.default_rng(seed)


def echo(kind, seed, warmup):
    _, rng = seeded(seed)
    start = time.perf_counter()
    if kind == "baseline":
        model, loss_function = RepeatSeq2Seq(50, 150, 150, 5, 50), crossentropy_from_logits
    else:
        model, loss_function = EchoAttention(50, 150, 50), crossentropy_from_probabilities
    optimizer = adam(model)
    for _ in range(2 if warmup else ECHO_STEPS):
        X, y = echo_data.get_pair(5, 2, 50, seed=rng)
        train_step(model, loss_function, optimizer, tensor(X), tensor(y))
    X, y = echo_data.get_pairs(100, 5, 2, 50, seed=rng)
    return time.perf_counter() - start, score(exact_match, model, tensor(X), tensor(y))


def addition(seed, warmup):
    generator, rng = seeded(seed)
    start = time.perf_counter()
    steps_out = addition_data.output_length(2, 10)
    symbols = len(addition_data.ALPHABET)
    model = RepeatSeq2Seq(symbols, 100, 50, steps_out, symbols)
    optimizer = adam(model)
    for _ in range(1 if warmup else ADDITION_EPOCHS):
        X, y = addition_data.generate_data(1000, 2, 10, rng)
        fit_epoch(model, crossentropy_from_logits, optimizer, tensor(X), tensor(y), 10, generator)
    X, y = addition_data.generate_data(1000, 2, 10, rng)
    return time.perf_counter() - start, score(exact_match, model, tensor(X), tensor(y))


def sine(seed, warmup):
    generator, rng = seeded(seed)
    start = time.perf_counter()
    model = StackedLSTM(20, 5)
    X, y = generate_examples(50, 20 if warmup else SINE_EXAMPLES, 5, seed=rng)
    fit_epoch(model, mean_absolute_error, adam(model), tensor(X), tensor(y), 10, generator)
    X, y = generate_examples(50, 1000, 5, seed=rng)
    return time.perf_counter() - start, score(mean_absolute_error, model, tensor(X), tensor(y))


def translation(seed, warmup):
    """One epoch of the plain recipe: the last 20% held out for validation, as Keras does."""
    args, vocabularies, arrays = translation_corpus(seed, warmup)
    generator, _ = seeded(seed)
    encoder_input, decoder_input, decoder_target = map(tensor, arrays)
    split = int(len(decoder_target) * (1.0 - 0.2))
    start = time.perf_counter()
    model = Translator(len(vocabularies[0]), len(vocabularies[1]), args.latent)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=KERAS_EPSILON)
    fit_epoch(model, crossentropy_from_logits, optimizer,
              [encoder_input[:split], decoder_input[:split]], decoder_target[:split],
              args.batch_size, generator)
    validation_loss = score(crossentropy_from_logits, model,
                            [encoder_input[split:], decoder_input[split:]], decoder_target[split:])
    return time.perf_counter() - start, validation_loss


RECIPES = {"echo baseline": functools.partial(echo, "baseline"),
           "echo attention": functools.partial(echo, "attention"),
           "addition": addition, "damped sine": sine, "translation epoch": translation}
