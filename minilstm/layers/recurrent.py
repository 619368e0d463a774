"""LSTM layer: Keras's API and weight layout over the ``kernels.lstm`` twins.

The equations and their backward pass are in ``minilstm/kernels/lstm.py``; what the LSTM
shares with the GRU and the SimpleRNN (arguments, shapes, masks, states, the passes around
the kernel) is ``recurrent_base.Recurrent``.
"""
from ..checks import flag
from ..kernels import lstm as lstm_kernel
from .recurrent_base import Recurrent


class LSTM(Recurrent):
    """Long short-term memory layer (Hochreiter & Schmidhuber, 1997), as Keras's.

    Args:
        units: size H of the hidden and cell state.
        activation: φ, on the cell's input g_t and its output φ(c_t), default ``'tanh'``;
        recurrent_activation: σ, on the gates i, f, o, default ``'sigmoid'``. Each one of
            ``'tanh'``, ``'sigmoid'``, ``'hard_sigmoid'`` (Keras 3's), ``'relu'``,
            ``'linear'`` (or None), as in Keras (``kernels/recurrent_activations.py``
            writes out their derivatives); ``LSTM(50, activation="relu")`` is the LSTM of
            many forecasting tutorials.
        use_bias: add ``bias (4H,)``.
        kernel_initializer: for ``kernel (I, 4H)``, default ``'glorot_uniform'``.
        recurrent_initializer: for ``recurrent_kernel (H, 4H)``, default ``'orthogonal'``.
        bias_initializer: default ``'zeros'``.
        unit_forget_bias: add 1 to the forget-gate bias at initialisation (Keras).
        return_sequences: output every step ``(B, T, H)`` rather than the last ``(B, H)``.
        return_state: also return the final ``h`` and ``c``: ``[output, h, c]``.
        go_backwards: read the input from its last step to its first; the returned
            sequence is in that processing order, as in Keras.
        dropout: the share of the input's features dropped while training, one mask a
            sequence for all its steps, the rest scaled by 1 / (1 - dropout), as Keras 3's
            LSTM drops them (x_t ⊙ m before the kernel; dL/dx_t ⊙ m after it); the masks
            come from ``seed`` or the model's generator, as a ``Dropout``'s do.
        recurrent_dropout: the share of h_{t-1}'s units dropped inside the recurrence
            while training, as Keras 3's LSTM drops them: one mask m ``(B, H)`` a sequence,
            for every step and all four gates, z_t = x_t W + b + (h_{t-1} ⊙ m) U (the
            kernel's ``recurrent_mask``; the states carried out are h_t itself); drawn
            after the input's mask, from the same generator.
        stateful: start each batch from the final states of the batch before (sequence i
            from sequence i's), as Keras's stateful LSTM: a long series in consecutive
            batches; ``states`` holds them, ``reset_states()`` (the layer's or the
            model's) clears them. No gradient flows back into the batch before
            (truncated BPTT, as in Keras). Every batch must have one size.
        input_shape: ``(T, I)`` when this is a model's first layer (T may be None); or,
            as Keras 2 spelled it, ``input_dim=I`` and ``input_length=T``, or
            ``batch_input_shape=(B, T, I)``, which also fixes the batch size B.
        dtype, name: see ``Layer``.

    Call arguments:
        ``forward(x, initial_state=None, training=False, mask=None)``: ``x (B, T, I)``;
        ``initial_state=[h0, c0]``, each ``(B, H)``; ``mask (B, T)``: the steps each
        sequence reads (Keras's mask, which ``Embedding(mask_zero=True)`` or ``Masking``
        make in a model): at the others the states carry on, and the output there is the
        h carried (the kernel's ``step_mask``). ``compute_mask`` hands the mask on with the
        sequence it returns (``return_sequences``), as Keras's LSTM does.
        ``backward(d_out)``: ``d_out`` is dL/d(output), or with ``return_state`` the
        list ``[d_output, d_h, d_c]`` (``None`` entries mean zero). It returns dL/dx;
        when ``forward`` was given an ``initial_state``, ``d_initial_state`` then holds
        ``[d_h0, d_c0]`` (otherwise ``None``).

    Example::

        LSTM(20, return_sequences=True, input_shape=(50, 1))   # 1,760 parameters
    """

    state_names = ("h", "c")
    initial_state_names = ("h0", "c0")
    gates = 4
    gives_summed_input_gradient = True

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, input_shape=None, input_dim=None, input_length=None,
                 batch_input_shape=None, trainable=True, dtype="float32", name=None):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, return_sequences,
                         return_state, go_backwards, stateful, dropout, recurrent_dropout, seed,
                         input_shape, input_dim, input_length, batch_input_shape, trainable,
                         dtype, name)
        self.unit_forget_bias = flag("unit_forget_bias", unit_forget_bias)

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}

    def _create_weights(self, input_shape, rng):
        super()._create_weights(input_shape, rng)
        if self.use_bias and self.unit_forget_bias:
            self.params["bias"][self.units:2 * self.units] += 1.0

    def _kernel_forward(self, x, initial, recurrent_mask, step_mask):
        h0, c0 = initial
        hidden, h_last, c_last, cache = lstm_kernel.forward(
            x, self.params["kernel"], self.params["recurrent_kernel"], self._bias,
            h0, c0, self.go_backwards, recurrent_mask, step_mask, self.activation,
            self.recurrent_activation)
        return hidden, [h_last, c_last], cache

    def _kernel_backward(self, d_hidden, d_states, input_gradient):
        d_h, d_c = d_states
        d_x, d_kernel, d_recurrent, d_bias, d_h0, d_c0 = lstm_kernel.backward(
            d_hidden, d_h, d_c, self._cache,
            out=self._gradient_outputs("kernel", "recurrent_kernel", "bias"),
            input_gradient=input_gradient, initial_state_gradient=self._given_initial_state)
        return d_x, d_kernel, d_recurrent, d_bias, [d_h0, d_c0]
