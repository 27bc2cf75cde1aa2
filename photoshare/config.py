"""Settings, read once from the environment (prefix ``PHOTOSHARE_``) and ``.env``."""

from __future__ import annotations

import ipaddress
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "change_me", "secret", "dev", "development", "please-change-me"}
)
MIN_SECRET_LENGTH = 32


class ConfigurationError(RuntimeError):
    """The configuration cannot run safely; the message says what to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PHOTOSHARE_", env_file=".env", extra="ignore", populate_by_name=True
    )

    # Where things live
    data_dir: Path = Path("data")
    mongodb_url: SecretStr | None = None
    mongodb_database: str = "photoshare"
    # A real MongoDB: how long an operation may take (client-side, covering server
    # selection, waiting for a connection and the reply), the connection pool, and the
    # deadline of the /readyz checks.
    mongodb_timeout_ms: int = Field(default=10_000, ge=100)
    mongodb_max_pool_size: int = Field(default=100, ge=1)
    mongodb_min_pool_size: int = Field(default=0, ge=0)
    mongodb_appname: str = "photoshare"
    readiness_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    redis_url: SecretStr | None = None
    cloudinary_url: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("CLOUDINARY_URL", "PHOTOSHARE_CLOUDINARY_URL"),
    )

    # The embedded store (no MongoDB or Redis server): its journal is compacted into a
    # fresh snapshot past either bound; with fsync, every write waits for the disk.
    journal_max_entries: int = Field(default=10_000, ge=100)
    journal_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1024 * 1024)
    journal_fsync: bool = False

    # Serving
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str | None = None
    log_level: str = "info"
    log_json: bool = False
    cors_origins: list[str] = Field(default_factory=list)
    trusted_proxies: list[str] = Field(default_factory=list)

    # Images
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    max_pixels: int = Field(default=50_000_000, ge=1)
    image_workers: int = Field(default=2, ge=1)
    render_workers: int = Field(default=2, ge=1)
    render_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    avatar_size: int = Field(default=512, ge=32, le=4096)
    # An upload writes its file before its database record: younger unreferenced files
    # may be an upload in flight, and are never removed as orphans.
    orphan_grace_seconds: int = Field(default=3600, ge=0)

    # Tokens and passwords
    secret_key: SecretStr | None = None
    access_token_minutes: int = Field(default=15, ge=1)
    refresh_token_days: int = Field(default=7, ge=1)
    email_token_hours: int = Field(default=48, ge=1)
    password_reset_minutes: int = Field(default=60, ge=5, le=24 * 60)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=2, ge=1)
    # Each hash holds argon2_memory_kib while it runs, so these two bound its memory.
    password_hash_concurrency: int = Field(default=2, ge=1)
    password_hash_queue: int = Field(default=100, ge=0)

    # Login throttling
    login_max_failures_per_account: int = Field(default=10, ge=1)
    login_max_failures_per_address: int = Field(default=50, ge=1)
    login_failure_window_seconds: int = Field(default=900, ge=1)

    # Share links: how long a password link's cookie proves its password
    link_password_cookie_hours: int = Field(default=24, ge=1, le=24 * 30)

    # Rate limits
    rate_limit_signups_per_hour: int = Field(default=20, ge=1)
    # Writes per account (photoshare.limits), whatever its role.
    rate_limit_comments_per_minute: int = Field(default=30, ge=1)
    rate_limit_uploads_per_hour: int = Field(default=100, ge=1)
    rate_limit_links_per_hour: int = Field(default=100, ge=1)

    # hCaptcha at signup: on when both the sitekey and the secret are set
    hcaptcha_sitekey: str | None = None
    hcaptcha_secret: SecretStr | None = None
    hcaptcha_verify_url: str = "https://api.hcaptcha.com/siteverify"
    hcaptcha_timeout_seconds: float = Field(default=5.0, gt=0, le=60)

    # Email
    require_email_confirmation: bool = False
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "PhotoShare <no-reply@photoshare.local>"
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    # Account mail anyone can ask for (password reset, confirmation resend): past these
    # counts per hour the request still answers 202 but nothing is sent.
    password_reset_mails_per_email_per_hour: int = Field(default=3, ge=1)
    password_reset_requests_per_client_per_hour: int = Field(default=20, ge=1)
    confirmation_resends_per_hour: int = Field(default=3, ge=1)

    @property
    def embedded(self) -> bool:
        """True when no MongoDB server is configured: the in-process store is used."""
        return self.mongodb_url is None

    @property
    def temp_dir(self) -> Path:
        """The one folder of temporary files (uploads and renders in progress)."""
        return self.data_dir / "tmp"

    @property
    def base_url(self) -> str:
        """The public address links and emails point at, without a trailing slash."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        return f"http://{self.host}:{self.port}"

    @property
    def captcha_enabled(self) -> bool:
        """True when signups must carry a solved hCaptcha."""
        secret = self.hcaptcha_secret.get_secret_value() if self.hcaptcha_secret else ""
        return bool(self.hcaptcha_sitekey and secret)

    @property
    def password_hash_memory_bytes(self) -> int:
        """The most memory password hashing holds at once: one argon2 buffer per slot."""
        return self.password_hash_concurrency * self.argon2_memory_kib * 1024

    def check_production(self) -> None:
        """Refuse a configuration that would run unsafely against a real database."""
        self.resolve_secret_key()
        if not self.embedded and not self.public_base_url:
            raise ConfigurationError(
                "PHOTOSHARE_PUBLIC_BASE_URL is required with a real database: share links, "
                "QR codes and emails must point at the address people reach, e.g. "
                "https://photos.example.org"
            )
        if "*" in self.cors_origins:
            raise ConfigurationError(
                "PHOTOSHARE_CORS_ORIGINS cannot be '*': the API accepts credentials; "
                'list the origins, e.g. ["https://photos.example.org"]'
            )
        self._check_captcha()
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ConfigurationError(
                    f"PHOTOSHARE_TRUSTED_PROXIES: {proxy!r} is not an address or network"
                ) from None

    def _check_captcha(self) -> None:
        has_sitekey = bool(self.hcaptcha_sitekey)
        has_secret = bool(self.hcaptcha_secret and self.hcaptcha_secret.get_secret_value())
        if has_sitekey != has_secret:
            present, missing = ("SITEKEY", "SECRET") if has_sitekey else ("SECRET", "SITEKEY")
            raise ConfigurationError(
                f"PHOTOSHARE_HCAPTCHA_{present} is set but PHOTOSHARE_HCAPTCHA_{missing} is "
                "not: hCaptcha at signup needs both (from the hCaptcha dashboard), or neither "
                "to leave signup without a captcha"
            )
        if has_sitekey and not self.hcaptcha_verify_url.startswith(("https://", "http://")):
            raise ConfigurationError(
                "PHOTOSHARE_HCAPTCHA_VERIFY_URL must be an http(s) address, e.g. "
                "https://api.hcaptcha.com/siteverify"
            )

    def resolve_secret_key(self) -> str:
        """Return the signing key: configured, or generated and kept in the data dir.

        A placeholder or short key is refused with a real database; in embedded mode a
        missing key is generated once and stored so tokens survive a restart.
        """
        configured = self.secret_key.get_secret_value() if self.secret_key else ""
        if configured.strip().lower() not in PLACEHOLDER_SECRETS:
            if len(configured) < MIN_SECRET_LENGTH and not self.embedded:
                raise ConfigurationError(
                    f"PHOTOSHARE_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters "
                    'with a real database; generate one with: python -c "import secrets; '
                    'print(secrets.token_urlsafe(48))"'
                )
            return configured
        if not self.embedded:
            raise ConfigurationError(
                "PHOTOSHARE_SECRET_KEY is missing or a placeholder while PHOTOSHARE_MONGODB_URL "
                'is set; generate one with: python -c "import secrets; '
                'print(secrets.token_urlsafe(48))"'
            )
        key_file = self.data_dir / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment on first use."""
    return Settings()
