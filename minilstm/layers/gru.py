"""GRU layer: Keras's API and weight layout over the ``kernels.gru`` twins.

The equations and their backward pass are in ``minilstm/kernels/gru.py``; what the GRU
shares with the LSTM is ``recurrent_base.Recurrent``.
"""
from ..kernels import gru as gru_kernel
from .dropout import dropout_mask
from .recurrent_base import Recurrent


class GRU(Recurrent):
    """Gated recurrent unit (Cho et al., 2014), as Keras's ``GRU`` with ``reset_after=True``
    (its default): the reset gate scales h_{t-1} U + b_rec after the product.

    Args:
        units: size H of the state.
        activation: φ, on the candidate n_t, default ``'tanh'``; recurrent_activation: σ,
            on the gates z and r, default ``'sigmoid'``; each one of the LSTM's five
            (``kernels/recurrent_activations.py``).
        reset_after: only True, Keras's default (``reset_after=False``, the gate before the
            product, is refused).
        dropout: the share of the input's features dropped while training, one mask a
            sequence, as Keras 3's GRU drops them: without ``recurrent_dropout`` one mask
            for all three gates; with it, one mask a gate (Keras's "implementation 1").
        recurrent_dropout: the share of h_{t-1}'s units dropped inside the recurrence while
            training, one mask a gate and a sequence, q_t[g] = (h_{t-1} ⊙ m_g) U_g + b_rec[g]
            (h_t mixes the unmasked h_{t-1}, as in Keras).
        Every other argument is the ``LSTM``'s (but ``unit_forget_bias``, which the GRU has
        not): ``use_bias``, the initializers, ``return_sequences``, ``return_state``,
        ``go_backwards``, ``stateful``, ``seed``, ``input_shape`` and Keras 2's spellings,
        ``trainable``, ``dtype``, ``name``.

    Weights, as Keras's: ``kernel (I, 3H)``, ``recurrent_kernel (H, 3H)``, columns in the
    gate order z, r, n, and ``bias (2, 3H)``, the input's bias then the recurrent one.

    Call arguments: as the LSTM's, with one state: ``forward(x, initial_state=[h0])`` and,
    with ``return_state``, the output ``[output, h]`` and ``backward([d_output, d_h])``;
    ``d_initial_state`` holds ``[d_h0]``.

    Example::

        GRU(20, input_shape=(50, 1))          # 1,380 parameters, Keras's count
    """

    state_names = ("h",)
    initial_state_names = ("h0",)
    gates = 3
    kernel_module = gru_kernel

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, reset_after=True,
                 input_shape=None, input_dim=None, input_length=None, batch_input_shape=None,
                 trainable=True, dtype="float32", name=None):
        if reset_after is not True:
            raise ValueError(f"GRU implements reset_after=True (Keras's default: the reset "
                             f"gate after the recurrent product); got {reset_after!r}")
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, return_sequences,
                         return_state, go_backwards, stateful, dropout, recurrent_dropout, seed,
                         input_shape, input_dim, input_length, batch_input_shape, trainable,
                         dtype, name)

    def get_config(self):
        return {**super().get_config(), "reset_after": True}

    @property
    def _bias_shape(self):
        return (2, self.gates * self.units)

    def _draw_masks(self, x):
        """Dropout's masks while training, as Keras 3 draws them: without recurrent dropout
        one input mask (B, 1, I), applied to x here; with it, one mask a gate on the input
        (B, 3, I) and on the state (B, 3, H), for the kernel."""
        batch, _, features = x.shape
        if not self.recurrent_dropout:
            self._input_mask = dropout_mask(self.noise_generator, (batch, 1, features),
                                            self.dropout, x.dtype)           # (B, 1, I)
            return x * self._input_mask, (None, None)                        # (B, T, I)
        input_mask = None if not self.dropout else dropout_mask(
            self.noise_generator, (batch, self.gates, features), self.dropout, x.dtype)
        recurrent_mask = dropout_mask(self.noise_generator, (batch, self.gates, self.units),
                                      self.recurrent_dropout, x.dtype)       # (B, 3, H)
        return x, (input_mask, recurrent_mask)

    def _kernel_forward(self, x, initial, masks, step_mask):
        (h0,) = initial
        input_mask, recurrent_mask = (None, None) if masks is None else masks
        hidden, h_last, cache = self.kernel_module.forward(
            x, self.params["kernel"], self.params["recurrent_kernel"], self._bias, h0,
            self.go_backwards, input_mask, recurrent_mask, step_mask, self.activation,
            self.recurrent_activation)
        return hidden, [h_last], cache
