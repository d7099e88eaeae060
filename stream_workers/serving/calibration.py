"""Temperature scaling: calibrate a classifier's confidence with one parameter.

Dividing the logits by a temperature ``T`` changes how sure the model says it is
without changing which class it picks. ``T`` is fitted on a validation set by
minimising the negative log-likelihood (LBFGS on ``log T``, which keeps ``T``
positive). Calibrated confidence is what the fallback chain's threshold and the
label-free performance estimate rely on. Needs the ``torch`` extra.

The fitted temperature travels with the model either as a small JSON file
(:meth:`TemperatureScaler.save`) or inside the model's state dict
(:class:`TemperatureScaled`).
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "CalibrationReport",
    "TemperatureScaled",
    "TemperatureScaler",
    "expected_calibration_error",
]

logger = logging.getLogger(__name__)


def expected_calibration_error(
    probabilities: torch.Tensor, labels: torch.Tensor, *, bins: int = 15
) -> float:
    """Expected calibration error with ``bins`` equal-width confidence bins.

    The weighted mean, over bins, of the gap between accuracy and mean
    confidence; a confidence of exactly 0 falls in the first bin.
    """
    if bins < 1:
        raise ValueError("bins must be >= 1")

    confidence, predicted = probabilities.max(dim=-1)
    correct = (predicted == labels).to(confidence.dtype)
    index = (torch.ceil(confidence * bins) - 1).clamp(0, bins - 1).long()

    # |B|/n * |acc(B) - conf(B)| is |sum of confidence - sum correct| / n in B.
    gap = torch.zeros(bins, dtype=confidence.dtype, device=confidence.device)
    gap.index_add_(0, index, confidence - correct)
    return float(gap.abs().sum() / confidence.numel())


@dataclass(frozen=True)
class CalibrationReport:
    """Negative log-likelihood and ECE of one set, before and after scaling."""

    temperature: float
    samples: int
    nll_before: float
    nll_after: float
    ece_before: float
    ece_after: float


class TemperatureScaler:
    """Fits and applies a temperature to a classifier's logits.

    ``bins`` is the number of ECE bins used by the reports.
    """

    def __init__(self, temperature: float = 1.0, *, bins: int = 15) -> None:
        if not temperature > 0 or not math.isfinite(temperature):
            raise ValueError("temperature must be a finite number > 0")
        self.temperature = temperature
        self.bins = bins
        self.fit_report: CalibrationReport | None = None

    def fit(
        self, logits: torch.Tensor, labels: torch.Tensor, *, max_iter: int = 100
    ) -> TemperatureScaler:
        """Fit the temperature on validation logits ``(n, classes)`` and labels."""
        if logits.dim() != 2 or labels.shape != logits.shape[:1]:
            raise ValueError("logits must be (n, classes) and labels (n,)")
        logits, labels = logits.detach().float(), labels.detach().long()

        log_t = torch.zeros(1, requires_grad=True)
        optimizer = torch.optim.LBFGS(
            [log_t], lr=0.5, max_iter=max_iter, line_search_fn="strong_wolfe"
        )

        def closure() -> torch.Tensor:
            optimizer.zero_grad()
            loss = F.cross_entropy(logits / log_t.exp(), labels)
            loss.backward()
            return loss

        optimizer.step(closure)

        self.temperature = float(log_t.detach().exp())
        self.fit_report = self.evaluate(logits, labels)
        logger.info(
            "temperature fitted",
            extra={"temperature": self.temperature, "samples": labels.numel()},
        )
        return self

    def scale(self, logits: torch.Tensor) -> torch.Tensor:
        """The logits divided by the fitted temperature."""
        return logits / self.temperature

    def probabilities(self, logits: torch.Tensor) -> torch.Tensor:
        """Calibrated class probabilities of ``logits``."""
        return torch.softmax(self.scale(logits), dim=-1)

    def evaluate(self, logits: torch.Tensor, labels: torch.Tensor) -> CalibrationReport:
        """NLL and ECE of a (held-out) set before and after scaling."""
        with torch.no_grad():
            logits, labels = logits.float(), labels.long()
            before = torch.softmax(logits, dim=-1)
            after = self.probabilities(logits)
            return CalibrationReport(
                temperature=self.temperature,
                samples=labels.numel(),
                nll_before=float(F.cross_entropy(logits, labels)),
                nll_after=float(F.cross_entropy(self.scale(logits), labels)),
                ece_before=expected_calibration_error(before, labels, bins=self.bins),
                ece_after=expected_calibration_error(after, labels, bins=self.bins),
            )

    def save(self, path: str | Path) -> None:
        """Write the temperature (and the fit report, if any) as JSON."""
        body: dict[str, object] = {"temperature": self.temperature, "bins": self.bins}
        if self.fit_report is not None:
            body["fit_report"] = asdict(self.fit_report)
        Path(path).write_text(json.dumps(body, indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> TemperatureScaler:
        """Read a scaler written by :meth:`save`; raises ``ValueError`` if invalid."""
        try:
            body = json.loads(Path(path).read_text())
            scaler = cls(float(body["temperature"]), bins=int(body.get("bins", 15)))
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path} is not a saved temperature: {exc}") from exc
        if "fit_report" in body:
            scaler.fit_report = CalibrationReport(**body["fit_report"])
        return scaler


class TemperatureScaled(nn.Module):
    """A classifier whose forward pass returns temperature-scaled logits.

    The temperature is a buffer, so ``state_dict()`` saves it with the weights
    and ``load_state_dict`` restores both.
    """

    temperature: torch.Tensor

    def __init__(self, model: nn.Module, temperature: float = 1.0) -> None:
        super().__init__()
        self.model = model
        self.register_buffer("temperature", torch.tensor(float(temperature)))

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.model(inputs) / self.temperature
