"""Writing each epoch's logs to a CSV file as training goes (Keras's CSVLogger)."""
import csv
import os

from ..checks import flag
from .base import Callback


class CSVLogger(Callback):
    """One row per epoch: ``epoch`` (from 0, as Keras writes it), then the logged values in
    the order of their sorted names, under a header row. Each row is written when its
    epoch ends (the file opened and closed again), so a run stopped by an error keeps the
    rows of the epochs it finished. ``append``: add to an existing file (with no second
    header) instead of starting it afresh.

        CSVLogger("training.csv")
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        if not isinstance(filename, (str, os.PathLike)) or not os.fspath(filename):
            raise ValueError(f"CSVLogger's filename must be a path; got {filename!r}")
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(f"CSVLogger's separator must be one character; got "
                             f"{separator!r}")
        self.filename, self.separator = os.fspath(filename), separator
        self.append = flag("append", append)
        self.keys = None

    def on_train_begin(self, logs=None):
        self.keys = None
        if not self.append:
            open(self.filename, "w").close()

    def on_epoch_end(self, epoch, logs=None):
        if self.keys is None:
            self.keys = sorted(logs)
        with open(self.filename, "a", newline="") as stream:
            writer = csv.writer(stream, delimiter=self.separator)
            if stream.tell() == 0:
                writer.writerow(["epoch", *self.keys])
            writer.writerow([epoch, *(logs.get(key, "NA") for key in self.keys)])
