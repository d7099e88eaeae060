"""Frozen settings objects read from ``DRIFTLINE_`` environment variables.

Secrets are ``SecretStr`` and stay masked in :func:`masked`, which is what the
workers log at start-up.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "JoinSettings",
    "KafkaSettings",
    "LocalBrokerSettings",
    "TopicSettings",
    "WorkerSettings",
    "masked",
]

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"]


class KafkaSettings(BaseSettings):
    """How to reach the cluster; TLS and SASL options pass through to librdkafka."""

    model_config = SettingsConfigDict(env_prefix="DRIFTLINE_KAFKA_", frozen=True)

    bootstrap_servers: str = "127.0.0.1:9092"
    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_ca_location: str | None = None
    ssl_certificate_location: str | None = None
    ssl_key_location: str | None = None
    ssl_key_password: SecretStr | None = None
    client_id: str = "driftline"

    def librdkafka(self) -> dict[str, Any]:
        """The common librdkafka properties, secrets revealed (never log this)."""
        conf: dict[str, Any] = {
            "bootstrap.servers": self.bootstrap_servers,
            "security.protocol": self.security_protocol.lower(),
            "client.id": self.client_id,
        }
        optional = {
            "sasl.mechanism": self.sasl_mechanism,
            "sasl.username": self.sasl_username,
            "sasl.password": _reveal(self.sasl_password),
            "ssl.ca.location": self.ssl_ca_location,
            "ssl.certificate.location": self.ssl_certificate_location,
            "ssl.key.location": self.ssl_key_location,
            "ssl.key.password": _reveal(self.ssl_key_password),
        }
        conf.update({k: v for k, v in optional.items() if v is not None})
        return conf


class TopicSettings(BaseSettings):
    """Topic names (with an optional prefix) and partition counts."""

    model_config = SettingsConfigDict(env_prefix="DRIFTLINE_TOPIC_", frozen=True)

    prefix: str = ""
    predictions: str = "predictions"
    labels: str = "labels"
    outcomes: str = "outcomes"
    alerts: str = "alerts"
    retrain_requests: str = "retrain-requests"
    late_labels: str = "late-labels"
    input_partitions: int = Field(default=4, ge=1)
    partitions: int = Field(default=4, ge=1)
    replication_factor: int = Field(default=1, ge=1)

    def name(self, topic: str) -> str:
        """The full name of a configured topic: ``prefix + name``."""
        return f"{self.prefix}{getattr(self, topic)}"

    def dlq(self, source: str) -> str:
        """The dead-letter topic of a source topic (already a full name)."""
        return f"{source}.dlq"

    def changelog(self, worker: str) -> str:
        """The compacted changelog topic that holds one worker's state."""
        return f"{self.prefix}driftline.{worker}-changelog"


class LocalBrokerSettings(BaseSettings):
    """The local development broker started by ``driftline kafka start``."""

    model_config = SettingsConfigDict(env_prefix="DRIFTLINE_LOCAL_KAFKA_", frozen=True)

    port: int = Field(default=9092, ge=1, le=65535)
    controller_port: int = Field(default=9093, ge=1, le=65535)
    data_dir: Path = Path(".driftline/kafka")
    cache_dir: Path = Path.home() / ".cache" / "driftline"
    heap_mb: int = Field(default=768, ge=512, le=1024)
    start_timeout_s: float = Field(default=90.0, gt=0)


def _default_instance_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class WorkerSettings(BaseSettings):
    """What every worker process shares: identity, loop tuning, HTTP endpoint."""

    model_config = SettingsConfigDict(env_prefix="DRIFTLINE_", frozen=True)

    instance_id: str = Field(default_factory=_default_instance_id)
    config_file: Path | None = None
    state_dir: Path = Path(".driftline/state")
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=0, ge=0, le=65535)
    batch_size: int = Field(default=500, ge=1)
    poll_timeout_s: float = Field(default=0.5, gt=0)
    transaction_timeout_s: float = Field(default=30.0, gt=0)
    healthz_stale_s: float = Field(default=60.0, gt=0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class JoinSettings(BaseSettings):
    """The join worker: how long each side waits for the other, what it stores."""

    model_config = SettingsConfigDict(env_prefix="DRIFTLINE_JOIN_", frozen=True)

    prediction_ttl_s: float = Field(default=7 * 86400.0, gt=0)
    label_ttl_s: float = Field(default=7 * 86400.0, gt=0)
    marker_ttl_s: float = Field(default=86400.0, gt=0)
    store_features: bool = False
    checkpoint_max_age_s: float = Field(default=12 * 3600.0, gt=0)


def _reveal(secret: SecretStr | None) -> str | None:
    return None if secret is None else secret.get_secret_value()


def masked(settings: BaseSettings) -> dict[str, Any]:
    """The settings as a dict fit for a log line: secrets appear as ``'**********'``."""
    out: dict[str, Any] = {}
    for name, value in settings:
        if isinstance(value, SecretStr):
            out[name] = str(value)
        elif isinstance(value, Path):
            out[name] = str(value)
        else:
            out[name] = value
    return out
