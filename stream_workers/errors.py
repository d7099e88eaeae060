"""The one exception tree of driftline.

Every error the package raises on purpose derives from :class:`DriftlineError`::

    DriftlineError
    ├── ConfigError              a setting or the YAML file is invalid
    ├── RecordError              one Kafka record cannot be used (goes to the DLQ)
    │   ├── DecodeError          not JSON, or not valid against its contract
    │   └── InvalidInputError    valid JSON, but a value a detector cannot take
    ├── KafkaClusterError        the cluster or a topic is not as required
    │   ├── LocalBrokerError     the local development broker cannot start or stop
    │   └── TopicLayoutError     topics missing or not co-partitioned
    ├── TransactionError         a Kafka transaction failed fatally
    ├── StateError               the local store or its changelog is unusable
    └── ActionError              a retrain action (Airflow, webhook) failed for good

Errors carry their context as attributes and say in one sentence what was wrong
and how to fix it. Third-party errors are wrapped with ``raise ... from exc``.
"""

from __future__ import annotations

__all__ = [
    "ActionError",
    "ConfigError",
    "DecodeError",
    "DriftlineError",
    "InvalidInputError",
    "KafkaClusterError",
    "LocalBrokerError",
    "RecordError",
    "StateError",
    "TopicLayoutError",
    "TransactionError",
]


class DriftlineError(Exception):
    """Root of every error raised by driftline on purpose."""


class ConfigError(DriftlineError):
    """Raised when a setting or the YAML configuration is invalid.

    ``field`` names the offending setting, for example ``models[0].detectors``.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class RecordError(DriftlineError):
    """Raised when one Kafka record cannot be processed; the worker dead-letters it.

    Carries the record's coordinates so that the DLQ headers and the log line can
    name them.
    """

    def __init__(
        self,
        message: str,
        *,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> None:
        super().__init__(message)
        self.topic = topic
        self.partition = partition
        self.offset = offset

    def at(self, topic: str, partition: int, offset: int) -> RecordError:
        """Attach the record's coordinates and return the same error."""
        self.topic, self.partition, self.offset = topic, partition, offset
        return self


class DecodeError(RecordError):
    """Raised when a record is not JSON or does not satisfy its message contract."""


class InvalidInputError(RecordError):
    """Raised when a decoded value cannot be fed to a detector (NaN, inf, a string)."""

    def __init__(
        self,
        message: str,
        *,
        model_id: str | None = None,
        detector: str | None = None,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> None:
        super().__init__(message, topic=topic, partition=partition, offset=offset)
        self.model_id = model_id
        self.detector = detector


class KafkaClusterError(DriftlineError):
    """Raised when the Kafka cluster or a topic is not as the workers require."""


class LocalBrokerError(KafkaClusterError):
    """Raised when the local broker cannot be resolved, started or stopped."""


class TopicLayoutError(KafkaClusterError):
    """Raised when topics are missing or co-partitioned topics differ in size."""

    def __init__(self, message: str, *, topics: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.topics = topics


class TransactionError(DriftlineError):
    """Raised when a Kafka transaction fails fatally and the worker must stop."""


class StateError(DriftlineError):
    """Raised when the local state store or its changelog cannot be used."""


class ActionError(DriftlineError):
    """Raised when a retrain action has failed after its last retry."""

    def __init__(self, message: str, *, action: str, decision_id: str) -> None:
        super().__init__(message)
        self.action = action
        self.decision_id = decision_id
