"""What every model shares: compile, the weights, and one batch's steps (a training step,
its loss and gradients, the logs); ``fit``, ``evaluate`` and ``predict`` over whole data sets
are ``data_sets.DataSetMethods``, a base of ``Model``.

A concrete model (``Sequential``, later the encoder–decoder) supplies:

- ``layers``: its layers, in order;
- ``_ensure_built(xs)``, ``input_shapes`` (one per input array) and ``output_shape``;
- ``_forward(xs, training)``: the output from a list of input arrays;
- ``_backward(d_out, skip_activation)``: push dL/d(output) back through the layers
  (``skip_activation=True``: ``d_out`` is dL/d(logits) of the last layer), asking the
  layers that read the data for no input gradient (``backward(input_gradient=False)``).
"""
import math
import warnings

import numpy as np

from .. import losses, optimizers
from .. import metrics as metric_registry
from ..checks import flag, is_int_at_least, name_argument
from ..naming import CalledOnArrays, is_function
from ..seeding import as_generator
from . import data
from .data_sets import DataSetMethods
from .flat_weights import FlatWeights, weight_key
from .summary import print_summary


class NotCompiledError(ValueError, RuntimeError):
    """Training or evaluating a model that was never compiled."""


class Model(DataSetMethods, CalledOnArrays):
    n_inputs = 1
    # the mask of the steps (B, T) the last forward pass's output carried (Sequential's)
    _output_mask = None

    def __init__(self, name=None, seed=None):
        self.name = name_argument(name) or "model"
        self._generator = None if seed is None else as_generator(seed)
        self.loss = None
        self.optimizer = None
        self.metric_names = []
        self._metric_functions = []
        self._flat = None
        self.history = None               # the History of the last fit (Keras's)
        self.stop_training = False        # set by a callback to end fit (Keras's)

    def __getstate__(self):
        """What ``copy.deepcopy`` and ``pickle`` copy: all but the packed weights
        (``FlatWeights``), which the copy packs again when it first trains. A copied view
        is an array of its own, so the copy's layers would no longer read the packed array
        that its optimiser updates: the copy would not train."""
        return {**self.__dict__, "_flat": None}

    def __setstate__(self, state):
        """A copy of a compiled model owns its copy of the optimiser (``Optimizer.owner``)."""
        self.__dict__.update(state)
        if self.optimizer is not None:
            self.optimizer.owner = self

    # ---------------------------------------------------------------- randomness
    @property
    def rng(self):
        """The model's generator: its own when given ``seed=``, else the package's."""
        return as_generator(None) if self._generator is None else self._generator

    def _generator_config(self):
        """With ``seed=``, the generator's exact state, so a reloaded model shuffles on."""
        if self._generator is None:
            return {}
        return {"generator_state": self._generator.bit_generator.state}

    @staticmethod
    def _generator_to_restore(config):
        """A generator to make a model with, when ``config`` holds a generator's state
        (``_restore_generator`` then puts it in place): so that its layers, built with the
        model's generator (a Dropout's masks), hold the one that the state is restored into."""
        return np.random.default_rng() if "generator_state" in config else None

    def _restore_generator(self, config):
        if "generator_state" in config:
            self._generator.bit_generator.state = config["generator_state"]

    # ---------------------------------------------------------------- layers
    def get_layer(self, name=None, index=None):
        """The layer called ``name``, or the one at ``index`` of ``layers``, as in Keras."""
        layers = self.layers
        if (name is None) == (index is None):
            raise ValueError("get_layer takes one of name and index; got "
                             + ("neither" if name is None else "both"))
        if name is None:
            if not is_int_at_least(index, -len(layers)) or index >= len(layers):
                raise ValueError(f"index must be an integer from {-len(layers)} to "
                                 f"{len(layers) - 1} (model {self.name!r} has {len(layers)} "
                                 f"layers); got {index!r}")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"model {self.name!r} has no layer named {name!r}; its layers are: "
                         + ", ".join(repr(layer.name) for layer in layers))

    # ---------------------------------------------------------------- weights
    def count_params(self):
        return int(sum(layer.count_params() for layer in self.layers))

    @property
    def weights(self):
        """Every layer's ``weights``, in order: the arrays themselves, as Keras's."""
        return [weight for layer in self.layers for weight in layer.weights]

    @property
    def trainable_weights(self):
        return [weight for layer in self.layers for weight in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        return [weight for layer in self.layers for weight in layer.non_trainable_weights]

    def get_weights(self):
        return [w for layer in self.layers for w in layer.get_weights()]

    def reset_states(self):
        """Keras's: clear the states that each stateful LSTM carries from batch to batch."""
        for layer in self.layers:
            if hasattr(layer, "reset_states"):
                layer.reset_states()

    def set_weights(self, weights):
        """Load every layer's weights, given in Keras's order (``get_weights``'s). All are
        checked before any layer's are copied, so a refused call leaves the model as it was."""
        weights = list(weights)
        counts = [len(layer.params) for layer in self.layers]     # get_weights' counts
        if len(weights) != sum(counts):
            raise ValueError(
                f"model {self.name!r} expects {sum(counts)} weight arrays; got {len(weights)}")
        checked, start = [], 0
        for layer, count in zip(self.layers, counts):
            checked.append(layer.checked_weights(weights[start:start + count]))
            start += count
        for layer, named in zip(self.layers, checked):
            layer.assign_weights(named)

    def summary(self, line_length=None, print_fn=None):
        """Print each layer's name, type, output shape and parameter count, as Keras does."""
        print_summary(self, line_length, print_fn)

    def named_parameters(self):
        """``(key, param, grad)`` for every weight the optimiser trains (a frozen layer's,
        ``trainable = False``, are left out); key is ``'layer_name/weight_name'``."""
        return [(weight_key(layer, name), layer.params[name], layer.grads[name])
                for layer in self.layers if layer.trainable for name in layer.params]

    def save(self, path, include_optimizer=True):
        """Write the model to ``path`` (``.npz`` + JSON, no pickle; see ``models.saving``).

        With ``include_optimizer`` the optimiser's state is saved too, so training
        resumes where it stopped after ``minilstm.load_model``.
        """
        from .saving import save_model
        save_model(self, path, include_optimizer)

    def save_weights(self, path):
        """Write the weights alone to ``path`` (``.npz``), as Keras's ``save_weights``: for
        a model made again in code, which ``load_weights`` gives them."""
        from .saving import save_weights
        save_weights(self, path)

    def load_weights(self, path):
        """Load the weights that ``save_weights`` or ``save`` wrote to ``path`` into this
        built model, checked before any is copied: a file of another model is refused."""
        from .saving import load_weights
        load_weights(self, path)

    # ---------------------------------------------------------------- compile
    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Choose the loss (required), the optimiser and the metrics by name or object. An
        optimiser object that another model used (and let go) starts afresh here
        (``Optimizer.reset``); compiled again into its own model, it keeps its moments."""
        if loss is None:
            raise ValueError("compile needs a loss, e.g. loss='mse'")
        loss, optimizer = losses.get(loss), optimizers.get(optimizer)
        self._require_own(optimizer)
        if isinstance(metrics, str):
            raise ValueError(f"metrics must be a list of names, e.g. metrics=[{metrics!r}]; "
                             f"got the string {metrics!r}")
        if is_function(metrics):
            name = metric_registry.name_of(metrics)
            raise ValueError(f"metrics must be a list, e.g. metrics=[{name}]; got the function "
                             f"{name} alone")
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise ValueError(f"metrics must be a list, e.g. metrics=['mae']; got "
                             f"{type(metrics).__name__} {metrics!r:.60}")
        metrics = list(metrics or [])
        names = metric_registry.names_of(metrics)
        last = self.layers[-1] if self.layers else None   # a Sequential may get them later
        activation = getattr(last, "output_activation", None)
        logits = losses.output_is_logits(loss, activation)
        functions = [metric_registry.get(metric, loss, logits) for metric in metrics]
        self.loss, self.optimizer = loss, optimizer        # a refused call changes nothing
        self.metric_names, self._metric_functions = names, functions
        if optimizer.owner is not self:           # it comes with another model's moments
            optimizer.reset()
        optimizer.owner = self
        if last is not None:
            misread = losses.misread(loss, activation,
                                     f"the last layer of model {self.name!r}, {last.name!r},")
            if misread:
                warnings.warn(misread, stacklevel=2)

    def _require_own(self, optimizer):
        """A ValueError when ``optimizer`` still trains another model: the moments it keeps
        by weight name would mix the two models' (their weights share names, such as
        ``'lstm/kernel'``). Keras's optimisers since TensorFlow 2.11 refuse one optimiser
        for two models' weights too ("The optimizer cannot recognize variable ...")."""
        other = optimizer.owner
        if other is not None and other is not self and other.optimizer is optimizer:
            name = type(optimizer).__name__
            raise ValueError(
                f"this {name} already trains another model, {other.name!r}, and keeps the "
                f"moments of its weights: give each model an optimiser of its own ({name}(...) "
                f"again, or optimizer={name.lower()!r})")

    def _require_built(self, what):
        if not self.layers:
            raise ValueError(f"model {self.name!r} has no layers, so it has no {what}: add "
                             "some first")
        if not self.built:
            raise ValueError(f"model {self.name!r} is not built yet, so it has no {what}: give "
                             "the first layer input_shape=..., or call build() or fit() first")

    @property
    def input_shape(self):
        """Keras's ``model.input_shape``: the input's shape, batch first (``(None, 50, 1)``),
        or a list of them for a model of several inputs (the encoder–decoder's two)."""
        self._require_built("input shape")
        shapes = self.input_shapes
        return shapes[0] if len(shapes) == 1 else list(shapes)

    @property
    def metrics_names(self):
        """Keras's: the names of what ``evaluate`` returns, in its order (``['loss', 'acc']``);
        empty before ``compile``."""
        return [] if self.loss is None else ["loss", *self.metric_names]

    def _require_compiled(self, action):
        if self.loss is None:
            raise NotCompiledError(
                f"model {self.name!r} must be compiled before {action}: "
                "call model.compile(loss=..., optimizer=...) first")

    # ---------------------------------------------------------------- one batch
    def _uses_fused_activation(self):
        """Whether the loss reads the last layer's logits: a cross-entropy after the
        activation it fuses with (softmax, or sigmoid for the binary one)."""
        fused = self.loss.fused_activation
        return fused is not None and \
            getattr(self.layers[-1], "output_activation", None) == fused

    def _masked_weights(self, y, weights):
        """``weights`` (one per row of ``y``, or None) with the mask of steps the output
        carries (``_output_mask``, not None: the loss's callers look), as Keras's loss
        reads it: L = Σ_r w_r m_r l_r / Σ_r m_r,
        the mean over the read steps, each row weighted by w_r m_r M / Σ m over the M rows
        (``losses.weighted_value`` divides by M); 0 for a batch with no read step."""
        mask = self._output_mask
        self.loss.require_rows()
        read = mask.astype(y.dtype)                                        # (B, T)
        count = read.sum()
        if count:
            read *= read.size / count
        return read if weights is None else weights * read

    def _metric_samples(self, samples):
        """What a batch's metrics weigh in the means over batches (``BatchMeans``): its
        samples, or with a mask of steps at the output, its read steps in samples."""
        mask = self._output_mask
        return samples if mask is None else mask.sum() / mask.shape[1]

    def _batch_loss(self, output, y, weights=None):
        """The batch loss, weighted by ``weights`` (one per row of ``y``) when given."""
        if self._output_mask is not None:
            weights = self._masked_weights(y, weights)
        fused = self._uses_fused_activation()
        if weights is None:
            return self.loss.from_logits(y, self.layers[-1].logits) if fused \
                else self.loss(y, output)
        rows = self.loss.per_row_from_logits(y, self.layers[-1].logits) if fused \
            else self.loss.per_row(y, output)
        return losses.weighted_value(rows, weights)

    def _loss_and_backward(self, output, y, weights=None):
        """The batch loss (weighted by ``weights``, one per row of ``y``, when given); the
        gradients of every weight are added into the layers."""
        if self._output_mask is not None:
            weights = self._masked_weights(y, weights)
        if self._uses_fused_activation():
            logits = self.layers[-1].logits
            loss, d_logits = self.loss.value_and_gradient_from_logits(y, logits)
            if weights is not None:
                loss, d_logits = losses.weighted(self.loss.per_row_from_logits(y, logits),
                                                 d_logits, weights)
            self._backward(d_logits, skip_activation=True)
        else:
            loss, d_output = self.loss.value_and_gradient(y, output)
            if weights is not None:
                loss, d_output = losses.weighted(self.loss.per_row(y, output), d_output,
                                                 weights)
            self._backward(d_output, skip_activation=False)
        return loss

    def _zero_grads(self):
        for layer in self.layers:
            layer.zero_grads()

    def _logs(self, loss, output, y):
        """The loss and the metrics; with a mask of steps at the output, each metric over the
        read steps alone (as Keras's), and 0 where there is none (``BatchMeans`` gives such a
        batch no weight)."""
        logs = {"loss": loss}
        mask = self._output_mask
        if mask is not None and self._metric_functions:
            y, output = y[mask], output[mask]                              # (V, ...)
        for name, function in zip(self.metric_names, self._metric_functions):
            logs[name] = function(y, output) if len(y) else 0.0
        return logs

    def _checked_inputs(self, x):
        """``x`` as the list of checked input arrays, the model built for them."""
        xs = data.as_arrays(x, "x", self._input_dtype, self.n_inputs, role="input")
        self._ensure_built(xs)
        data.check_input_shapes(xs, self.input_shapes)
        return xs

    def _prediction_inputs(self, x):
        """The checked input arrays, of one number of samples, for a prediction."""
        xs = self._checked_inputs(x)
        data.check_same_samples(xs)
        return xs

    def _checked_data(self, x, y):
        """The checked inputs and targets. ``y`` is required: None, the default as in Keras's
        signatures, is refused by name once ``x`` is checked, so that a generator given
        alone as ``x``, as Keras takes one, is refused as what it is."""
        xs = self._checked_inputs(x)
        (y_array,) = data.as_arrays(y, "y", self.layers[-1].dtype, role="output")
        data.check_same_samples(xs, y_array)
        output_shape = self.output_shape
        return xs, data.check_target_shape(y_array, output_shape,
                                           self.loss.target_shape(output_shape))

    def _sample_weights(self, y, sample_weight=None, class_weight=None):
        """One weight per row of the checked targets ``y`` (``data.row_weights``), or None
        when neither is given; a loss that gives no loss per row is refused here, before
        any training."""
        if sample_weight is None and class_weight is None:
            return None
        self.loss.require_rows()
        return data.row_weights(y, sample_weight, class_weight,
                                None if class_weight is None else self.loss.row_classes(y))

    @property
    def _input_dtype(self):
        return self.layers[0].dtype if self.layers else np.float32

    def _train_step(self, xs, y, flat, weights=None):
        """One update from (xs, y), weighted by ``weights`` when given; ``flat``:
        ``_flat_weights()``, which the caller looks up once for all the steps it runs (the
        layers cannot change meanwhile)."""
        self._zero_grads()
        output = self._forward(xs, training=True)
        loss = self._loss_and_backward(output, y, weights)
        if not math.isfinite(loss):
            return loss, output
        if flat is None:
            self.optimizer.apply(self.named_parameters())
        else:
            self.optimizer.apply_flat(flat)
        return loss, output

    def _flat_weights(self):
        """The weights packed into one array for the optimiser (``FlatWeights``), packed
        again after the layers changed; None when they cannot share one array."""
        layers = self.layers
        if self._flat is None or not self._flat.holds(layers):
            self._flat = FlatWeights.of(layers)
        return self._flat

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One gradient step on one batch; returns the loss (and metrics: a list, or with
        ``return_dict`` a dict by name, as ``evaluate`` does). ``sample_weight`` and
        ``class_weight`` as in ``fit``."""
        self._require_compiled("train_on_batch")
        return_dict = flag("return_dict", return_dict)
        xs, y = self._checked_data(x, y)
        weights = self._sample_weights(y, sample_weight, class_weight)
        loss, output = self._train_step(xs, y, self._flat_weights(), weights)
        if not math.isfinite(loss):
            raise FloatingPointError(f"the loss became {loss} in train_on_batch")
        return self._as_result(self._logs(loss, output, y), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """The loss (and metrics) on one batch, without training; ``sample_weight`` and
        ``return_dict`` as in ``train_on_batch``."""
        self._require_compiled("test_on_batch")
        return_dict = flag("return_dict", return_dict)
        xs, y = self._checked_data(x, y)
        weights = self._sample_weights(y, sample_weight)
        output = self._forward(xs, training=False)
        return self._as_result(self._logs(self._batch_loss(output, y, weights), output, y),
                               return_dict)

    def __call__(self, inputs, training=None):
        """``model(x)``, as Keras's models are called on arrays: ``predict_on_batch(x)``, or
        with ``training=True`` the output of the training pass (a Dropout's masks drawn)."""
        training = False if training is None else flag("training", training)
        return self._forward(self._prediction_inputs(inputs), training=training)

    def predict_on_batch(self, x):
        """The model's output for ``x``, all of it as one batch."""
        return self._forward(self._prediction_inputs(x), training=False)

    def _as_result(self, logs, return_dict=False):
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # ---------------------------------------------------------------- gradient checking
    def compute_loss(self, x, y, sample_weight=None):
        """The loss on (x, y), as training computes it (no weight update)."""
        self._require_compiled("compute_loss")
        xs, y = self._checked_data(x, y)
        weights = self._sample_weights(y, sample_weight)
        return self._batch_loss(self._forward(xs, training=True), y, weights)

    def compute_gradients(self, x, y, sample_weight=None):
        """``(loss, {key: dL/d(weight)})`` on (x, y) without updating any weight."""
        self._require_compiled("compute_gradients")
        xs, y = self._checked_data(x, y)
        weights = self._sample_weights(y, sample_weight)
        self._zero_grads()
        loss = self._loss_and_backward(self._forward(xs, training=True), y, weights)
        return loss, {key: grad.copy() for key, _, grad in self.named_parameters()}
