"""The means over an epoch's batches that ``fit`` and ``evaluate`` report, as Keras's
trackers keep them."""


class BatchMeans:
    """Running means of a run of batches' logs: the loss weighted by each batch's samples,
    each metric by its samples too, or, where the model's output carries a mask of steps,
    by its read steps counted in samples (Σ m / T over the batch's mask m (B, T)): Keras's
    metrics are means over the read steps alone, its loss tracker a mean over samples."""

    def __init__(self):
        self._totals = {}
        self._samples = 0
        self._metric_samples = 0

    def add(self, logs, samples, metric_samples):
        """One batch's ``logs`` (``{'loss': ..., metric: ...}``), of ``samples`` samples and
        ``metric_samples`` (``Model._metric_samples``)."""
        totals = self._totals
        for name, value in logs.items():
            totals[name] = totals.get(name, 0.0) + value * (
                samples if name == "loss" else metric_samples)
        self._samples += samples
        self._metric_samples += metric_samples

    def means(self):
        """The means so far; a metric over no read step yet is 0 (Keras divides no-NaN)."""
        metric_samples = self._metric_samples
        return {name: total / self._samples if name == "loss" else
                total / metric_samples if metric_samples else 0.0
                for name, total in self._totals.items()}
