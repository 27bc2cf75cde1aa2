"""Login and signup throttles: attempt counters in Redis, counted before the password work."""

from __future__ import annotations

from redis.asyncio import Redis

from photoshare.config import Settings
from photoshare.errors import TooManyRequests
from photoshare.kv import Quota, RateCounters

SIGNUP_WINDOW_SECONDS = 3600


class LoginThrottle:
    """Counts login attempts per account and per client address within a window.

    An attempt is counted before its password is checked, so concurrent guesses cannot
    all slip past the limit; a successful attempt is refunded.
    """

    def __init__(self, redis: Redis, settings: Settings) -> None:
        self._counters = RateCounters(redis)
        self._window = settings.login_failure_window_seconds
        self._account_limit = settings.login_max_failures_per_account
        self._address_limit = settings.login_max_failures_per_address

    def _quotas(self, account: str, address: str) -> tuple[Quota, Quota]:
        return (
            Quota(f"login-fail:account:{account}", self._account_limit, self._window),
            Quota(f"login-fail:address:{address}", self._address_limit, self._window),
        )

    async def take(self, account: str, address: str) -> None:
        """Count one attempt; raise 429 when the account or the address is out of attempts."""
        wait = await self._counters.take(*self._quotas(account, address))
        if wait is not None:
            raise TooManyRequests("Too many failed logins; try again later", retry_after=wait)

    async def refund(self, account: str, address: str) -> None:
        """Uncount an attempt that succeeded (or was never evaluated)."""
        await self._counters.refund(*self._quotas(account, address))


class SignupThrottle:
    """Counts signups per client address per hour."""

    def __init__(self, redis: Redis, settings: Settings) -> None:
        self._counters = RateCounters(redis)
        self._limit = settings.rate_limit_signups_per_hour

    def _quota(self, address: str) -> Quota:
        return Quota(f"signups:address:{address}", self._limit, SIGNUP_WINDOW_SECONDS)

    async def take(self, address: str) -> None:
        """Count one signup; raise 429 when the address has signed up too often lately."""
        wait = await self._counters.take(self._quota(address))
        if wait is not None:
            raise TooManyRequests(
                "Too many signups from this address; try again later", retry_after=wait
            )

    async def refund(self, address: str) -> None:
        """Uncount a signup that was turned away before any work was done."""
        await self._counters.refund(self._quota(address))
