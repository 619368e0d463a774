"""SimpleRNN layer: Keras's API and weight layout over the ``kernels.simple_rnn`` twins.

The equations and their backward pass are in ``minilstm/kernels/simple_rnn.py``; what it
shares with the LSTM and the GRU is ``recurrent_base.Recurrent``.
"""
from ..kernels import simple_rnn as simple_rnn_kernel
from .recurrent_base import Recurrent


class SimpleRNN(Recurrent):
    """The fully connected recurrent layer, as Keras's ``SimpleRNN``: h_t = φ(x_t W + b +
    h_{t-1} U).

    Args:
        units: size H of the state.
        activation: φ, ``'tanh'`` (Keras's default), ``'sigmoid'``, ``'hard_sigmoid'``,
            ``'relu'`` or ``'linear'`` (or None), as in Keras
            (``kernels/recurrent_activations.py``).
        dropout, recurrent_dropout: as the LSTM's (Keras 3's SimpleRNN draws its masks as
            its LSTM does): one mask a sequence on the input's features, x_t ⊙ d, and one
            on h_{t-1} inside the recurrence, (h_{t-1} ⊙ m) U.
        Every other argument is the ``LSTM``'s but ``recurrent_activation`` and
        ``unit_forget_bias``, which Keras's SimpleRNN has not: ``use_bias``, the
        initializers, ``return_sequences``, ``return_state``, ``go_backwards``,
        ``stateful``, ``seed``, ``input_shape`` and Keras 2's spellings, ``trainable``,
        ``dtype``, ``name``.

    Weights, as Keras's: ``kernel (I, H)``, ``recurrent_kernel (H, H)``, ``bias (H,)``.

    Call arguments: as the GRU's, with one state: ``forward(x, initial_state=[h0])``; with
    ``return_state`` the output ``[output, h]`` and ``backward([d_output, d_h])``;
    ``d_initial_state`` holds ``[d_h0]``.

    Example::

        SimpleRNN(20, input_shape=(50, 1))    # 440 parameters, Keras's count
    """

    state_names = ("h",)
    initial_state_names = ("h0",)
    gates = 1
    kernel_module = simple_rnn_kernel
    has_recurrent_activation = False

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, seed=None, input_shape=None, input_dim=None,
                 input_length=None, batch_input_shape=None, trainable=True, dtype="float32",
                 name=None):
        super().__init__(units, activation, None, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, return_sequences,
                         return_state, go_backwards, stateful, dropout, recurrent_dropout, seed,
                         input_shape, input_dim, input_length, batch_input_shape, trainable,
                         dtype, name)

    def _kernel_forward(self, x, initial, recurrent_mask, step_mask):
        (h0,) = initial
        hidden, h_last, cache = self.kernel_module.forward(
            x, self.params["kernel"], self.params["recurrent_kernel"], self._bias, h0,
            self.go_backwards, recurrent_mask, step_mask, self.activation)
        return hidden, [h_last], cache
