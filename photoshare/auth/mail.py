"""Outgoing email: sent through SMTP when configured, written to the log otherwise."""

from __future__ import annotations

import logging
from email.message import EmailMessage

import aiosmtplib

from photoshare.config import Settings

log = logging.getLogger(__name__)


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def send(self, to: str, subject: str, body: str) -> None:
        """Send one plain-text email, or log it when no SMTP server is configured."""
        settings = self._settings
        if settings.smtp_host is None:
            if settings.embedded:
                # Development: the log is the inbox.
                log.info("email (SMTP not configured) to=%s subject=%r\n%s", to, subject, body)
            else:
                # Never write live links to a production log.
                log.warning("SMTP is not configured; email %r to %s not sent", subject, to)
            return
        message = EmailMessage()
        message["From"] = settings.smtp_from
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            use_tls=settings.smtp_security == "tls",
            start_tls=settings.smtp_security == "starttls",
            timeout=15,
        )
