"""Encoder–decoder for sequence to sequence (Chollet's character translation model).

Training (teacher forcing), with inputs ``[encoder_input, decoder_input]``::

    _, h, c   = LSTM(latent, return_state=True)(encoder_input)
    sequence  = LSTM(latent, return_sequences=True, return_state=True)(
                    decoder_input, initial_state=[h, c])[0]
    output    = Dense(num_decoder_tokens, softmax)(sequence)      # one step ahead

The backward pass runs the other way: the decoder's ``d_initial_state`` is the
gradient the encoder receives for the final state it handed over.

With ``attention=True`` the encoder also returns its whole output sequence, the
decoder is an ``AttentiveLSTM`` reading an additive-attention context of it at each
step, and the output layer reads ``[h_t, context_t]``; the encoder then receives
gradients both for its final state and, through the attention, for every output.

With ``rnn='gru'`` both are GRUs, whose one state h is handed over (Chollet's answer to
"what if I want to use a GRU layer instead of a LSTM?" in the post the tutorial comes from).

Inference reuses the same layers: ``encode`` maps an input to the decoder's starting
states (``[h, c]``, ``[h]`` with GRUs, plus the encoder outputs with attention);
``decode_step`` takes one token per sequence and the states, and returns next-token
probabilities and new states; ``greedy_decode`` and ``beam_search`` build on them.
"""
import heapq

import numpy as np

from ..checks import flag, positive_int
from ..layers import GRU, LSTM, AttentiveLSTM, Dense
from . import data
from .model import Model


class EncoderDecoder(Model):
    """Args:
        latent_dim: units of the encoder and decoder LSTMs.
        num_encoder_tokens, num_decoder_tokens: one-hot sizes of the input and output.
        attention: decode with additive attention over the encoder's outputs.
        attention_units: size of the attention scores (default ``latent_dim``).
        rnn: the encoder's and decoder's layer, ``'lstm'`` (Chollet's) or ``'gru'`` (one
            state handed over; no attention with it: the attentive decoder is an LSTM).
        dtype, name, seed: as for ``Sequential``.
    """

    n_inputs = 2
    RECURRENT_LAYERS = {"lstm": LSTM, "gru": GRU}

    def __init__(self, latent_dim, num_encoder_tokens, num_decoder_tokens, attention=False,
                 attention_units=None, dtype="float32", name="encoder_decoder", seed=None,
                 rnn="lstm"):
        super().__init__(name=name, seed=seed)
        self.latent_dim = positive_int("latent_dim", latent_dim)
        self.num_encoder_tokens = positive_int("num_encoder_tokens", num_encoder_tokens)
        self.num_decoder_tokens = positive_int("num_decoder_tokens", num_decoder_tokens)
        attention = flag("attention", attention)
        if attention_units is not None and not attention:
            raise ValueError(f"attention_units={attention_units!r} sizes the attention's "
                             "scores: it needs attention=True")
        if rnn not in self.RECURRENT_LAYERS:
            raise ValueError(f"rnn must be one of {sorted(self.RECURRENT_LAYERS)}; got {rnn!r}")
        if attention and rnn != "lstm":
            raise ValueError(f"attention=True decodes with an AttentiveLSTM: it needs "
                             f"rnn='lstm'; got rnn={rnn!r}")
        self.attention, self.rnn = attention, rnn
        recurrent = self.RECURRENT_LAYERS[rnn]
        self.encoder = recurrent(latent_dim, return_sequences=self.attention, return_state=True,
                                 dtype=dtype, name="encoder")
        if self.attention:
            self.decoder = AttentiveLSTM(latent_dim, latent_dim, attention_units, dtype=dtype,
                                         name="decoder")
        else:
            self.decoder = recurrent(latent_dim, return_sequences=True, return_state=True,
                                     dtype=dtype, name="decoder")
        self.output_layer = Dense(num_decoder_tokens, activation="softmax", dtype=dtype,
                                  name="decoder_dense")
        self.encoder.build((None, None, num_encoder_tokens), self.rng)
        self.decoder.build((None, None, num_decoder_tokens), self.rng)
        read = 2 * latent_dim if self.attention else latent_dim       # [h_t, context_t]
        self.output_layer.build((None, None, read), self.rng)

    @property
    def layers(self):
        return [self.encoder, self.decoder, self.output_layer]

    built = True

    @property
    def input_shapes(self):
        return [self.encoder.input_shape, self.decoder.input_shape]

    @property
    def output_shape(self):
        return (None, None, self.num_decoder_tokens)

    def _ensure_built(self, xs):
        """Built at construction: the token counts fix every weight's shape."""

    def _checked_data(self, x, y):
        """``Model``'s checks, and the targets' steps: the decoder's, one per step of
        ``decoder_input`` (the output shape leaves the steps open)."""
        xs, y = super()._checked_data(x, y)
        if y.shape[1] != xs[1].shape[1]:
            raise ValueError(f"y must have one step per step of the decoder's input, "
                             f"{xs[1].shape[1]}; got shape {y.shape}")
        return xs, y

    def get_config(self):
        return {"name": self.name, "latent_dim": self.latent_dim,
                "num_encoder_tokens": self.num_encoder_tokens,
                "num_decoder_tokens": self.num_decoder_tokens, "attention": self.attention,
                "attention_units": self.decoder.attention_units if self.attention else None,
                "rnn": self.rnn, "dtype": str(self.encoder.dtype), **self._generator_config()}

    @classmethod
    def from_config(cls, config):
        model = cls(config["latent_dim"], config["num_encoder_tokens"],
                    config["num_decoder_tokens"], attention=config["attention"],
                    attention_units=config["attention_units"], dtype=config["dtype"],
                    name=config["name"], seed=cls._generator_to_restore(config),
                    rnn=config.get("rnn", "lstm"))          # absent from earlier files
        model._restore_generator(config)
        return model

    # ---------------------------------------------------------------- training
    def _forward(self, xs, training):
        encoder_input, decoder_input = xs
        return self._decode(decoder_input, self._encode(encoder_input, training), training)[0]

    def _decode(self, decoder_input, states, training=False):
        """Output probabilities ``(B, T, K)`` and the decoder's final states."""
        if self.attention:
            h, c, memory = states
            hidden, contexts, h, c = self.decoder.forward(decoder_input, memory, [h, c],
                                                          training=training)
            read, states = np.concatenate([hidden, contexts], axis=-1), [h, c, memory]
        else:
            read, *states = self.decoder.forward(decoder_input, initial_state=states,
                                                 training=training)
        return self.output_layer.forward(read, training=training), states

    def _backward(self, d_out, skip_activation=False):
        d_read = self.output_layer.backward(d_out, skip_activation=skip_activation)
        if self.attention:
            units = self.latent_dim
            self.decoder.backward([d_read[..., :units], d_read[..., units:]],
                                  input_gradient=False)       # its input is data
            d_outputs = self.decoder.d_memory                 # through the attention
        else:
            self.decoder.backward([d_read] + [None] * len(self.decoder.state_names),
                                  input_gradient=False)
            d_outputs = None
        d_states = self.decoder.d_initial_state               # the state hand-over
        self.encoder.backward([d_outputs, *d_states], input_gradient=False)

    # ---------------------------------------------------------------- inference
    def encode(self, encoder_input, training=False):
        """Encoder inputs ``(B, T, num_encoder_tokens)`` -> the decoder's starting states:
        ``[h, c]`` (``[h]`` with GRUs), or ``[h, c, encoder_outputs]`` with attention. The
        inputs are checked as ``predict`` checks them: a NaN is refused, not decoded into
        tokens."""
        return self._encode(self._checked("encoder_input", encoder_input), training)

    def _encode(self, encoder_input, training):
        outputs, *states = self.encoder.forward(encoder_input, training=training)
        return states + [outputs] if self.attention else states

    def _checked(self, argument, array):
        """``array`` as the model's dtype, finite, with at least one sample; else an error
        naming ``argument`` (``data.as_arrays``)."""
        (array,) = data.as_arrays(array, argument, self.encoder.dtype)
        return array

    def decode_step(self, tokens, states):
        """One decoder step: token indices ``(B,)`` and the states (``encode``'s, or the
        last step's) -> probabilities ``(B, K)`` and the new states."""
        tokens = self._token_indices("tokens", tokens)
        if tokens.ndim != 1:
            raise ValueError(f"tokens must be a 1-D array of token indices, one per sequence; "
                             f"got shape {tokens.shape}")
        names = list(self.encoder.state_names) + (["encoder_outputs"] if self.attention else [])
        if not isinstance(states, (list, tuple)) or len(states) != len(names):
            given = f"a {type(states).__name__}" + (
                f" of {len(states)}" if isinstance(states, (list, tuple)) else "")
            raise ValueError(f"states must be the list [{', '.join(names)}], as encode "
                             f"returns it; got {given}")
        return self._step(tokens, [self._checked(f"states[{index}] ({name})", state)
                                   for index, (name, state) in enumerate(zip(names, states))])

    def _step(self, tokens, states):
        """``decode_step`` on tokens known to be indices of the vocabulary: the decoding
        loops' own (``start`` checked once, the rest from argmax and argsort)."""
        one_hot = np.zeros((len(tokens), 1, self.num_decoder_tokens), dtype=self.decoder.dtype)
        one_hot[np.arange(len(tokens)), 0, tokens] = 1.0
        probabilities, states = self._decode(one_hot, states)
        return probabilities[:, 0], states

    def _token_indices(self, argument, tokens):
        """``tokens`` (one index or an array of them) as integers, each a token of the
        decoder's vocabulary, in [0, num_decoder_tokens); else an error naming
        ``argument``."""
        indices = np.asarray(tokens)
        if indices.dtype.kind not in "iu" or indices.size and (
                indices.min() < 0 or indices.max() >= self.num_decoder_tokens):
            kind = "a token index" if indices.ndim == 0 else "token indices"
            raise ValueError(f"{argument} must be {kind} in [0, {self.num_decoder_tokens}); "
                             f"got {tokens!r}")
        return indices

    def _check_start_and_end(self, start, end):
        """Decoding's ``start`` and ``end`` must be tokens of the decoder's vocabulary."""
        for argument, token in (("start", start), ("end", end)):
            self._token_indices(argument, token)

    def attention_map(self, encoder_input, decoder_input):
        """The attention weights ``(B, T_out, T_in)`` while reading ``decoder_input``."""
        if not self.attention:
            raise ValueError("attention_map needs a model built with attention=True")
        states = self.encode(encoder_input)
        decoder_input = self._checked("decoder_input", decoder_input)
        if len(decoder_input) != len(states[0]):
            raise ValueError(f"encoder_input and decoder_input must hold the same number of "
                             f"sequences; got {len(states[0])} and {len(decoder_input)}")
        self._decode(decoder_input, states)
        return self.decoder.attention_weights

    def greedy_decode(self, encoder_input, start, end, max_length):
        """For each input sequence, the tokens chosen one argmax at a time after ``start``,
        stopping at ``end`` (included) or after ``max_length`` tokens."""
        self._check_start_and_end(start, end)
        max_length = positive_int("max_length", max_length)
        states = self.encode(encoder_input)
        batch = states[0].shape[0]
        tokens = np.full(batch, start)
        decoded, finished = [[] for _ in range(batch)], np.zeros(batch, dtype=bool)
        for _ in range(max_length):
            probabilities, states = self._step(tokens, states)
            tokens = probabilities.argmax(axis=-1)
            for row in np.flatnonzero(~finished):
                decoded[row].append(int(tokens[row]))
            finished |= tokens == end
            if finished.all():
                break
        return decoded

    def beam_search(self, encoder_input, start, end, max_length, beam_width=3):
        """The ``beam_width`` most probable decodings of one input ``(1, T, K_in)``.

        Returns ``[(tokens, log_probability), ...]``, best first; ``log_probability`` is
        the sum of log p(token | input, earlier tokens) over the tokens, ``end`` included.
        A beam ends at ``end`` or after ``max_length`` tokens.
        """
        beam_width = positive_int("beam_width", beam_width)
        max_length = positive_int("max_length", max_length)
        self._check_start_and_end(start, end)
        states = self.encode(encoder_input)
        if states[0].shape[0] != 1:
            raise ValueError(f"beam_search decodes one sequence at a time; got a batch of "
                             f"{states[0].shape[0]}")
        alive = [(0.0, [], [state[0] for state in states])]     # (log p, tokens, states)
        done = []
        for _ in range(max_length):
            last = np.array([tokens[-1] if tokens else start for _, tokens, _ in alive])
            stacked = [np.stack([beam[2][k] for beam in alive]) for k in range(len(states))]
            probabilities, states = self._step(last, stacked)
            log_probabilities = np.log(np.maximum(probabilities.astype(np.float64), 1e-300))
            candidates = []
            for row, (score, tokens, _) in enumerate(alive):
                for token in np.argsort(log_probabilities[row])[::-1][:beam_width]:
                    candidates.append((score + log_probabilities[row, token],
                                       tokens + [int(token)], [state[row] for state in states]))
            best = heapq.nlargest(beam_width, candidates, key=lambda beam: beam[0])
            done += [beam for beam in best if beam[1][-1] == end]
            alive = [beam for beam in best if beam[1][-1] != end]
            if not alive or len(done) >= beam_width and \
                    max(beam[0] for beam in alive) <= sorted(b[0] for b in done)[-beam_width]:
                break
        finished = heapq.nlargest(beam_width, done + alive, key=lambda beam: beam[0])
        return [(tokens, float(score)) for score, tokens, _ in finished]
