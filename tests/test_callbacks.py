"""Callbacks: the hooks fit calls and their order, and Keras's callbacks' rules."""
import csv
import math
import os

import numpy as np
import pytest

import minilstm
from minilstm import LSTM, Dense, EncoderDecoder, Sequential
from minilstm.callbacks import (CSVLogger, Callback, EarlyStopping, LambdaCallback,
                                LearningRateScheduler, ModelCheckpoint, ReduceLROnPlateau,
                                TerminateOnNaN)
from minilstm.callbacks.base import CallbackList


def small_model(seed=0, metrics=("mae",)):
    model = Sequential([LSTM(4, input_shape=(5, 3)), Dense(2)], seed=seed)
    model.compile(minilstm.Adam(learning_rate=0.01), "mse", metrics=list(metrics))
    return model


def small_data(samples=24, seed=1):
    rng = np.random.default_rng(seed)
    return (rng.random((samples, 5, 3)).astype(np.float32),
            rng.random((samples, 2)).astype(np.float32))


def weights_at_epoch_ends(model):
    """A LambdaCallback keeping a copy of the weights at the end of each epoch."""
    kept = {}
    return kept, LambdaCallback(on_epoch_end=lambda epoch, logs: kept.update(
        {epoch: model.get_weights()}))


def assert_weights_equal(actual, expected):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_array_equal(a, e)


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append(("train_begin", logs))

    def on_train_end(self, logs=None):
        self.calls.append(("train_end", sorted(logs)))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch, sorted(logs)))

    def on_train_batch_begin(self, batch, logs=None):
        self.calls.append(("batch_begin", batch))

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("batch_end", batch, sorted(logs)))


class FakeModel:
    """What a callback reads of a model, for driving one with logs chosen by the test."""

    def __init__(self):
        self.stop_training = False
        self.optimizer = minilstm.SGD(learning_rate=0.1)
        self.weights = 0

    def get_weights(self):
        return self.weights

    def set_weights(self, weights):
        self.weights = weights


def run_epochs(callback, values, monitor="val_loss"):
    """Drive ``callback`` through epochs whose ``monitor`` takes ``values`` in turn (the
    weights being the epoch's number); returns the epochs run and the model."""
    model = FakeModel()
    callback.set_model(model)
    callback.set_params({"metrics": ["loss", monitor] if monitor != "loss" else ["loss"]})
    callback.on_train_begin()
    epochs = 0
    for epoch, value in enumerate(values):
        callback.on_epoch_begin(epoch)
        model.weights = epoch
        logs = {"loss": value, monitor: value}
        callback.on_epoch_end(epoch, logs)
        epochs += 1
        if model.stop_training:
            break
    callback.on_train_end(logs)
    return epochs, model


# ---------------------------------------------------------------- the protocol

def test_fit_calls_the_hooks_in_keras_order_with_the_logs():
    model, (x, y) = small_model(), small_data()
    recorder = Recorder()
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, validation_split=0.25,
              callbacks=[recorder])
    epoch_logs = ["loss", "mae", "val_loss", "val_mae"]
    batch_logs = ["loss", "mae"]
    expected = [("train_begin", None)]
    for epoch in range(2):
        expected.append(("epoch_begin", epoch))
        for batch in range(3):                            # 18 training samples, 8 a batch
            expected += [("batch_begin", batch), ("batch_end", batch, batch_logs)]
        expected.append(("epoch_end", epoch, epoch_logs))
    expected.append(("train_end", epoch_logs))
    assert recorder.calls == expected
    assert recorder.model is model
    assert recorder.params == {"verbose": 0, "epochs": 2, "steps": 3, "batch_size": 8,
                               "samples": 18, "metrics": epoch_logs}


class EvaluationRecorder(Callback):
    """Records the evaluate and predict hooks."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def on_test_begin(self, logs=None):
        self.calls.append(("test_begin",))

    def on_test_batch_begin(self, batch, logs=None):
        self.calls.append(("test_batch_begin", batch))

    def on_test_batch_end(self, batch, logs=None):
        self.calls.append(("test_batch_end", batch, sorted(logs)))

    def on_test_end(self, logs=None):
        self.calls.append(("test_end", dict(logs)))

    def on_predict_begin(self, logs=None):
        self.calls.append(("predict_begin",))

    def on_predict_batch_end(self, batch, logs=None):
        self.calls.append(("predict_batch_end", batch, logs["outputs"].shape))

    def on_predict_end(self, logs=None):
        self.calls.append(("predict_end",))


def test_evaluate_and_predict_call_keras_test_and_predict_hooks():
    model, (x, y) = small_model(), small_data()
    recorder = EvaluationRecorder()
    logs = model.evaluate(x, y, batch_size=10, verbose=0, return_dict=True,
                          callbacks=[recorder])
    assert recorder.calls == [("test_begin",),
                              ("test_batch_begin", 0), ("test_batch_end", 0, ["loss", "mae"]),
                              ("test_batch_begin", 1), ("test_batch_end", 1, ["loss", "mae"]),
                              ("test_batch_begin", 2), ("test_batch_end", 2, ["loss", "mae"]),
                              ("test_end", logs)]
    assert recorder.params == {"verbose": 0, "steps": 3}
    recorder.calls.clear()
    model.predict(x, batch_size=16, callbacks=[recorder])
    assert recorder.calls == [("predict_begin",), ("predict_batch_end", 0, (16, 2)),
                              ("predict_batch_end", 1, (8, 2)), ("predict_end",)]


def test_fit_calls_the_test_hooks_for_its_validation_before_the_epoch_end():
    model, (x, y) = small_model(), small_data()
    calls = []
    recorder = EvaluationRecorder()
    ender = LambdaCallback(on_epoch_end=lambda epoch, logs: calls.extend(recorder.calls))
    model.fit(x, y, epochs=1, verbose=0, validation_split=0.25, callbacks=[recorder, ender])
    assert [call[0] for call in calls] == ["test_begin", "test_batch_begin", "test_batch_end",
                                           "test_end"]
    with pytest.raises(ValueError, match="callbacks must be a list"):
        model.predict(x, callbacks=recorder)


def test_epochs_count_from_initial_epoch_in_the_hooks():
    model, (x, y) = small_model(), small_data()
    recorder = Recorder()
    model.fit(x, y, epochs=3, initial_epoch=1, verbose=0, callbacks=[recorder])
    assert [call[1] for call in recorder.calls if call[0] == "epoch_begin"] == [1, 2]


def test_logs_a_callback_adds_at_an_epoch_end_reach_the_history():
    model, (x, y) = small_model(), small_data()
    adder = LambdaCallback(on_epoch_end=lambda epoch, logs: logs.update(twice=2 * epoch))
    history = model.fit(x, y, epochs=2, verbose=0, callbacks=[adder])
    assert history.history["twice"] == [0, 2]


def test_only_callbacks_that_act_per_batch_are_called_per_batch():
    class EpochOnly(Callback):
        def on_epoch_end(self, epoch, logs=None):
            pass

    class KerasTwoBatchHook(Callback):
        def on_batch_begin(self, batch, logs=None):
            pass

    def batch_hooks(*callbacks):
        return CallbackList(list(callbacks), FakeModel(), {}).batch_hooks

    assert not batch_hooks()
    assert not batch_hooks(Callback(), EpochOnly(), EarlyStopping(), CSVLogger("unused.csv"),
                           ModelCheckpoint("unused.npz"))
    assert batch_hooks(EpochOnly(), KerasTwoBatchHook())
    assert batch_hooks(LambdaCallback(on_batch_end=lambda batch, logs: None))
    assert batch_hooks(Recorder())
    assert batch_hooks(ModelCheckpoint("unused.npz", save_freq=2))


def test_keras_two_batch_hooks_are_called_per_batch():
    model, (x, y) = small_model(), small_data()
    batches = []
    counter = LambdaCallback(on_batch_begin=lambda batch, logs: batches.append(batch))
    model.fit(x, y, batch_size=10, epochs=2, verbose=0, callbacks=[counter])
    assert batches == [0, 1, 2, 0, 1, 2]


def test_stop_training_from_a_batch_hook_ends_the_epoch_there_and_the_run():
    model, (x, y) = small_model(), small_data()
    stopper = LambdaCallback(
        on_batch_end=lambda batch, logs: setattr(model, "stop_training", batch == 1))
    history = model.fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=[stopper])
    assert history.epoch == [0]
    assert model.optimizer.iterations == 2                # of the epoch's three batches


def test_each_fit_starts_with_stop_training_false():
    model, (x, y) = small_model(), small_data()
    model.stop_training = True                            # left set by an earlier run
    assert model.fit(x, y, epochs=2, verbose=0).epoch == [0, 1]


@pytest.mark.parametrize("callbacks, words", [
    (EarlyStopping(), "must be a list"),
    ("early_stopping", "must be a list of minilstm.callbacks.Callback"),
    ([object()], "builtins.object"),
    ([EarlyStopping(monitor="val_loss")], "validation_data or validation_split"),
    ([ModelCheckpoint("m-{val_mae}.npz")], "{val_mae}"),
])
def test_refused_callbacks_are_named_before_any_training(callbacks, words):
    model, (x, y) = small_model(), small_data()
    before = model.get_weights()
    with pytest.raises(ValueError) as error:
        model.fit(x, y, epochs=2, verbose=0, callbacks=callbacks)
    assert words in str(error.value)
    assert model.optimizer.iterations == 0
    assert_weights_equal(model.get_weights(), before)


@pytest.mark.parametrize("callback_class, arguments, words", [
    (EarlyStopping, {"patience": -1}, "patience must be an integer >= 0; got -1"),
    (EarlyStopping, {"mode": "up"}, "mode must be one of 'auto', 'min', 'max'; got 'up'"),
    (EarlyStopping, {"monitor": ""}, "monitor must be the name of a logged value"),
    (EarlyStopping, {"min_delta": float("nan")}, "min_delta"),
    (EarlyStopping, {"baseline": "0.5"}, "baseline"),
    (EarlyStopping, {"start_from_epoch": 1.5}, "start_from_epoch must be an integer >= 0"),
    (EarlyStopping, {"restore_best_weights": "yes"}, "restore_best_weights"),
    (ModelCheckpoint, {"filepath": None}, "filepath must be a path"),
    (ModelCheckpoint, {"filepath": "m.npz", "save_freq": 0}, "save_freq must be 'epoch' or"),
    (ModelCheckpoint, {"filepath": "m.npz", "save_freq": "batch"}, "got 'batch'"),
    (ModelCheckpoint, {"filepath": "m.npz", "save_best_only": "True"}, "save_best_only"),
    (ModelCheckpoint, {"filepath": "m.npz", "initial_value_threshold": float("inf")},
     "initial_value_threshold"),
    (ReduceLROnPlateau, {"factor": 1.0}, "factor must be in (0, 1)"),
    (ReduceLROnPlateau, {"factor": 0}, "factor must be in (0, 1)"),
    (ReduceLROnPlateau, {"cooldown": -1}, "cooldown must be an integer >= 0"),
    (ReduceLROnPlateau, {"min_lr": -1e-3}, "min_lr must be >= 0"),
    (ReduceLROnPlateau, {"mode": "lower"}, "mode must be one of"),
    (CSVLogger, {"filename": None}, "filename must be a path"),
    (CSVLogger, {"filename": "log.csv", "separator": ", "}, "separator must be one"),
    (LearningRateScheduler, {"schedule": abs, "verbose": "1"}, "verbose"),
])
def test_callbacks_refuse_bad_arguments_by_name(callback_class, arguments, words):
    with pytest.raises(ValueError) as error:
        callback_class(**arguments)
    assert words in str(error.value)


def test_lambda_callback_refuses_a_hook_that_is_no_function():
    with pytest.raises(ValueError, match="on_epoch_end must be a function; got str"):
        LambdaCallback(on_epoch_end="print")


def test_an_encoder_decoder_trains_with_callbacks():
    rng = np.random.default_rng(0)
    model = EncoderDecoder(4, 3, 5, seed=0)
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    encoder_input = rng.random((12, 4, 3)).astype(np.float32)
    targets = np.eye(5, dtype=np.float32)[rng.integers(0, 5, (12, 3))]
    decoder_input = np.concatenate([np.zeros_like(targets[:, :1]), targets[:, :-1]], axis=1)
    kept, keeper = weights_at_epoch_ends(model)
    stopper = EarlyStopping(monitor="accuracy", patience=0,
                            min_delta=1.0, restore_best_weights=True)
    history = model.fit([encoder_input, decoder_input], targets, epochs=5, verbose=0,
                        callbacks=[keeper, stopper])
    assert history.epoch == [0, 1]          # no epoch gains a whole 1.0 of accuracy
    assert_weights_equal(model.get_weights(), kept[0])


# ---------------------------------------------------------------- EarlyStopping

def test_early_stopping_stops_after_patience_epochs_without_improvement():
    # Keras's docstring example: the loss never improves on the first epoch's; patience 3
    # runs four epochs
    epochs, model = run_epochs(EarlyStopping(monitor="loss", patience=3), [5, 6, 7, 8, 9, 10],
                               monitor="loss")
    assert epochs == 4 and model.stop_training


def test_early_stopping_counts_only_improvements_larger_than_min_delta():
    stopper = EarlyStopping(patience=1, min_delta=0.1)
    epochs, _ = run_epochs(stopper, [1.0, 0.95, 0.5, 0.45, 0.2])
    assert epochs == 2 and stopper.stopped_epoch == 1 and stopper.best == 1.0
    epochs, _ = run_epochs(EarlyStopping(patience=1, min_delta=0.01), [1.0, 0.95, 0.5, 0.45])
    assert epochs == 4


def test_early_stopping_patience_zero_stops_at_the_first_epoch_without_improvement():
    epochs, _ = run_epochs(EarlyStopping(), [3.0, 2.0, 1.0, 1.5, 0.5])
    assert epochs == 4


def test_early_stopping_counts_the_epochs_waited_until_the_baseline_is_beaten():
    # above the baseline, the improvements of the first two epochs reset no count: the
    # first epoch without one stops the run, where without a baseline it would go on
    values = [0.9, 0.8, 0.85, 0.7, 0.6]
    stopper = EarlyStopping(patience=2, baseline=0.5)
    epochs, _ = run_epochs(stopper, values)
    assert epochs == 3 and stopper.best == 0.8
    assert run_epochs(EarlyStopping(patience=2), values)[0] == 5
    # below it: each improvement resets the count
    epochs, _ = run_epochs(EarlyStopping(patience=2, baseline=0.5), [0.4, 0.45, 0.3, 0.2])
    assert epochs == 4


def test_early_stopping_ignores_the_epochs_before_start_from_epoch():
    stopper = EarlyStopping(patience=1, start_from_epoch=3)
    epochs, _ = run_epochs(stopper, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    assert epochs == 5 and stopper.best_epoch == 3


def test_early_stopping_maximises_accuracy_and_minimises_errors_by_name():
    epochs, _ = run_epochs(EarlyStopping(monitor="val_acc", patience=1), [0.5, 0.6, 0.7, 0.6],
                           monitor="val_acc")
    assert epochs == 4
    epochs, _ = run_epochs(EarlyStopping(monitor="val_mae", patience=1), [0.5, 0.6, 0.7],
                           monitor="val_mae")
    assert epochs == 2


def test_early_stopping_asks_which_way_a_metric_of_the_users_improves():
    def score(y_true, y_pred):
        return float(np.mean(y_pred))

    model, (x, y) = small_model(metrics=[score]), small_data()
    with pytest.raises(ValueError, match="cannot tell whether 'score' is better higher or "
                                         "lower: give mode='max' or mode='min'"):
        model.fit(x, y, verbose=0, callbacks=[EarlyStopping(monitor="score")])
    model.fit(x, y, verbose=0, callbacks=[EarlyStopping(monitor="score", mode="max")])


def test_early_stopping_restores_the_weights_of_the_best_epoch():
    model, (x, y) = small_model(), small_data()
    kept, keeper = weights_at_epoch_ends(model)
    stopper = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    model.optimizer.learning_rate = 0.3            # so that the validation loss soon rises
    history = model.fit(x, y, batch_size=4, epochs=30, verbose=0, validation_split=0.25,
                        callbacks=[keeper, stopper])
    val_loss = history.history["val_loss"]
    best = int(np.argmin(val_loss))
    assert len(val_loss) < 30 and len(val_loss) == best + 3
    assert stopper.best_epoch == best and stopper.best == val_loss[best]
    assert_weights_equal(model.get_weights(), kept[best])


def test_early_stopping_restores_the_best_weights_after_a_run_to_the_end_too():
    model, (x, y) = small_model(), small_data()
    kept, keeper = weights_at_epoch_ends(model)
    stopper = EarlyStopping(monitor="loss", patience=10, min_delta=1.0,
                            restore_best_weights=True)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[keeper, stopper])
    assert stopper.stopped_epoch == 0
    assert_weights_equal(model.get_weights(), kept[0])


def test_early_stopping_starts_afresh_in_each_fit():
    stopper = EarlyStopping(monitor="loss", patience=0)
    run_epochs(stopper, [0.1, 0.2])
    epochs, _ = run_epochs(stopper, [5.0, 4.0, 3.0], monitor="loss")
    assert epochs == 3                       # 5.0 is no worse than the last run's 0.1


def test_early_stopping_says_what_it_did_when_verbose(capsys):
    run_epochs(EarlyStopping(patience=0, verbose=1, restore_best_weights=True), [1, 2, 3])
    assert capsys.readouterr().out == ("Epoch 2: early stopping\nRestoring model weights from "
                                       "the end of the best epoch: 1.\n")


# ---------------------------------------------------------------- ModelCheckpoint

def test_model_checkpoint_saves_each_epoch_under_a_formatted_name(tmp_path):
    model, (x, y) = small_model(), small_data()
    kept, keeper = weights_at_epoch_ends(model)
    pattern = str(tmp_path / "new folder" / "model-{epoch:02d}-{loss:.4f}.npz")
    history = model.fit(x, y, epochs=3, verbose=0,
                        callbacks=[keeper, ModelCheckpoint(pattern)])
    for epoch, loss in enumerate(history.history["loss"]):
        loaded = minilstm.load_model(pattern.format(epoch=epoch + 1, loss=loss))
        assert_weights_equal(loaded.get_weights(), kept[epoch])
    assert len(os.listdir(tmp_path / "new folder")) == 3


def test_model_checkpoint_saves_only_improvements_with_save_best_only(tmp_path):
    model, (x, y) = small_model(), small_data()
    model.optimizer.learning_rate = 0.3
    pattern = str(tmp_path / "model-{epoch}.npz")
    history = model.fit(x, y, batch_size=4, epochs=8, verbose=0, validation_split=0.25,
                        callbacks=[ModelCheckpoint(pattern, save_best_only=True)])
    val_loss = history.history["val_loss"]
    improved = [epoch for epoch in range(8) if val_loss[epoch] < min(val_loss[:epoch],
                                                                     default=math.inf)]
    assert 1 < len(improved) < 8
    assert sorted(os.listdir(tmp_path)) == sorted(f"model-{epoch + 1}.npz"
                                                  for epoch in improved)


def test_model_checkpoint_keeps_the_best_model_in_one_file(tmp_path):
    model, (x, y) = small_model(), small_data()
    model.optimizer.learning_rate = 0.3
    kept, keeper = weights_at_epoch_ends(model)
    path = tmp_path / "best.npz"
    history = model.fit(x, y, batch_size=4, epochs=8, verbose=0, validation_split=0.25,
                        callbacks=[keeper, ModelCheckpoint(path, save_best_only=True,
                                                           save_weights_only=True)])
    best = int(np.argmin(history.history["val_loss"]))
    fresh = small_model(seed=5)
    fresh.load_weights(path)
    assert_weights_equal(fresh.get_weights(), kept[best])


def test_model_checkpoint_saves_nothing_that_misses_its_initial_threshold(tmp_path):
    model, (x, y) = small_model(), small_data()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[ModelCheckpoint(
        tmp_path / "m.npz", monitor="loss", save_best_only=True, initial_value_threshold=0.0)])
    assert os.listdir(tmp_path) == []


def test_model_checkpoint_saves_every_save_freq_batches_across_epochs(tmp_path):
    model, (x, y) = small_model(), small_data()
    pattern = str(tmp_path / "m-{epoch}-{batch}.npz")
    model.fit(x, y, batch_size=8, epochs=2, verbose=0,
              callbacks=[ModelCheckpoint(pattern, save_freq=2)])
    assert sorted(os.listdir(tmp_path)) == ["m-1-2.npz", "m-2-1.npz", "m-2-3.npz"]


def test_model_checkpoint_per_batch_cannot_watch_validation_values(tmp_path):
    model, (x, y) = small_model(), small_data()
    checkpoint = ModelCheckpoint(tmp_path / "m.npz", save_best_only=True, save_freq=3)
    with pytest.raises(ValueError, match="every 3 batches, ModelCheckpoint reads the epoch's "
                                         "running means, which hold no val_ values"):
        model.fit(x, y, verbose=0, validation_split=0.25, callbacks=[checkpoint])


def test_model_checkpoint_refuses_a_path_it_cannot_format_before_training(tmp_path):
    model, (x, y) = small_model(), small_data()
    with pytest.raises(ValueError, match="cannot be formatted with the logged values"):
        model.fit(x, y, verbose=0, callbacks=[ModelCheckpoint(tmp_path / "m-{loss:d}.npz")])
    with pytest.raises(ValueError, match="names {batch}, which this fit does not log"):
        model.fit(x, y, verbose=0, callbacks=[ModelCheckpoint(tmp_path / "m-{batch}.npz")])
    assert model.optimizer.iterations == 0 and os.listdir(tmp_path) == []


def test_model_checkpoint_says_what_it_did_when_verbose(tmp_path, capsys):
    checkpoint = ModelCheckpoint(tmp_path / "m.npz", monitor="loss", save_best_only=True,
                                 verbose=1)
    checkpoint.set_model(small_model())
    checkpoint.set_params({"metrics": ["loss"]})
    checkpoint.on_train_begin()
    for epoch, loss in enumerate([0.5, 0.7]):
        checkpoint.on_epoch_begin(epoch)
        checkpoint.on_epoch_end(epoch, {"loss": loss})
    path = tmp_path / "m.npz"
    assert capsys.readouterr().out == (f"Epoch 1: loss improved from inf to 0.50000, saving "
                                       f"model to {path}\n"
                                       "Epoch 2: loss did not improve from 0.50000\n")


# ---------------------------------------------------------------- learning rates

def test_learning_rate_scheduler_trains_each_epoch_at_the_scheduled_rate():
    (x, y), rates = small_data(), [0.01, 0.005, 0.002]
    scheduled = small_model()
    history = scheduled.fit(x, y, epochs=3, verbose=0, shuffle=False, callbacks=[
        LearningRateScheduler(lambda epoch, lr: rates[epoch])])
    by_hand = small_model()
    for epoch in range(3):
        by_hand.optimizer.learning_rate = rates[epoch]
        by_hand.fit(x, y, epochs=epoch + 1, initial_epoch=epoch, verbose=0, shuffle=False)
    assert history.history["learning_rate"] == rates
    assert_weights_equal(scheduled.get_weights(), by_hand.get_weights())


def test_learning_rate_scheduler_takes_the_current_rate_or_the_epoch_alone():
    model, (x, y) = small_model(), small_data()
    halving = LearningRateScheduler(lambda epoch, lr: lr / 2)
    assert model.fit(x, y, epochs=3, verbose=0, callbacks=[halving]).history[
        "learning_rate"] == [0.005, 0.0025, 0.00125]
    by_epoch = LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    assert model.fit(x, y, epochs=2, verbose=0, callbacks=[by_epoch]).history[
        "learning_rate"] == [0.1, 0.05]


@pytest.mark.parametrize("rate", [0.0, -0.1, float("nan"), "0.1", None])
def test_learning_rate_scheduler_refuses_a_rate_that_is_none(rate):
    model, (x, y) = small_model(), small_data()
    scheduler = LearningRateScheduler(lambda epoch: 0.01 if epoch == 0 else rate)
    with pytest.raises(ValueError, match=f"the learning-rate schedule returned {rate!r} for "
                                         "epoch 2; a learning rate is a positive finite"):
        model.fit(x, y, epochs=3, verbose=0, callbacks=[scheduler])
    assert model.optimizer.learning_rate == 0.01


def test_learning_rate_scheduler_refuses_a_schedule_that_is_no_function():
    with pytest.raises(ValueError, match="schedule must be a function"):
        LearningRateScheduler(0.01)


def test_reduce_lr_on_plateau_follows_keras_rule_with_cooldown_and_floor():
    reducer = ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_lr=0.02, min_delta=0)
    model = FakeModel()
    reducer.set_model(model)
    reducer.set_params({"metrics": ["loss", "val_loss"]})
    reducer.on_train_begin()
    rates = []
    for epoch, value in enumerate([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 1.0, 1.0, 1.0, 1.0]):
        logs = {"val_loss": value}
        reducer.on_epoch_end(epoch, logs)
        rates.append((logs["learning_rate"], model.optimizer.learning_rate))
    # (epochs from 0) 2 is the second without improvement: halved; 3 cools down, then
    # counts as the first (Keras's rule); 4: halved; 5 waits; 6 improves; 7, 8 wait:
    # halved, floored at 0.02; 9, 10 wait, and the rate is at its floor
    assert [after for _, after in rates] == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025,
                                             0.02, 0.02, 0.02]
    assert [before for before, _ in rates][1:] == [after for _, after in rates][:-1]


def test_reduce_lr_on_plateau_lowers_the_rate_fit_trains_with():
    model, (x, y) = small_model(), small_data()
    reducer = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=1.0)
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[reducer])
    assert history.history["learning_rate"] == [0.01, 0.01, 0.005]     # each epoch's
    assert model.optimizer.learning_rate == 0.0025


# ---------------------------------------------------------------- CSVLogger

def test_csv_logger_writes_the_history_epoch_by_epoch(tmp_path):
    model, (x, y) = small_model(), small_data()
    path = tmp_path / "log.csv"
    history = model.fit(x, y, epochs=2, verbose=0, validation_split=0.25,
                        callbacks=[CSVLogger(path)])
    history = model.fit(x, y, epochs=3, initial_epoch=2, verbose=0, validation_split=0.25,
                        callbacks=[CSVLogger(path, separator=";", append=True)])
    with open(path, newline="") as stream:
        rows = list(csv.reader(stream, delimiter=";"))
    assert rows[0] == ["epoch,loss,mae,val_loss,val_mae"]          # the first run's commas
    assert rows[-1] == ["2", *(repr(history.history[key][0])
                               for key in ("loss", "mae", "val_loss", "val_mae"))]
    assert len(rows) == 4


def test_csv_logger_starts_the_file_afresh_without_append(tmp_path):
    model, (x, y) = small_model(), small_data()
    path = tmp_path / "log.csv"
    path.write_text("old\n")
    model.fit(x, y, epochs=2, verbose=0, callbacks=[CSVLogger(path)])
    assert path.read_text().splitlines()[0] == "epoch,loss,mae"
    assert len(path.read_text().splitlines()) == 3


def test_terminate_on_nan_ends_fit_at_the_first_invalid_loss_without_an_error(capsys):
    """Keras's TerminateOnNaN: the run returns its History after the batch whose loss is
    NaN or infinite (where fit would raise without it), that batch's update not applied."""
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-1e3, 1e3, (40, 4)), rng.uniform(-1e3, 1e3, (40, 1))
    model = Sequential([Dense(8, input_shape=(4,)), Dense(1)], seed=0)
    model.compile(loss="mse", optimizer=minilstm.SGD(learning_rate=1e3))
    losses_seen, weights_before = [], []
    watcher = LambdaCallback(on_batch_begin=lambda batch, logs: weights_before.append(
        [w.copy() for w in model.get_weights()]),
        on_batch_end=lambda batch, logs: losses_seen.append(logs["loss"]))
    history = model.fit(x, y, batch_size=4, epochs=5, verbose=0, shuffle=False,
                        callbacks=[watcher, TerminateOnNaN()])
    assert model.stop_training
    assert not math.isfinite(losses_seen[-1]) and all(map(math.isfinite, losses_seen[:-1]))
    assert not math.isfinite(history.history["loss"][-1]) and len(history.epoch) < 5
    batch = (len(losses_seen) - 1) % 10
    assert f"Batch {batch}: Invalid loss, terminating training" in capsys.readouterr().out
    for kept, before in zip(model.get_weights(), weights_before[-1]):
        np.testing.assert_array_equal(kept, before)
