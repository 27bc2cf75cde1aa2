"""What the lifespan builds and every request uses: clients and long-lived services."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from photoshare.auth.captcha import HCaptcha
from photoshare.auth.mail import Mailer
from photoshare.auth.passwords import PasswordHasher
from photoshare.auth.revocation import Denylist
from photoshare.auth.throttles import LoginThrottle, SignupThrottle
from photoshare.auth.tokens import TokenCodec
from photoshare.config import Settings
from photoshare.db import Database
from photoshare.kv import KeyValueStore
from photoshare.links.proofs import LinkProofs
from photoshare.links.render_cache import RenderCache
from photoshare.links.views import ViewTally
from photoshare.media.images import ImageWorker
from photoshare.media.storage import Storage

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass
class Runtime:
    settings: Settings
    db: Database
    kv: KeyValueStore
    tokens: TokenCodec
    passwords: PasswordHasher
    denylist: Denylist
    throttle: LoginThrottle
    signup_throttle: SignupThrottle
    mailer: Mailer
    storage: Storage
    images: ImageWorker
    renders: RenderCache
    link_proofs: LinkProofs
    view_tally: ViewTally
    trusted_proxies: list[IPNetwork]
    # None when no hCaptcha is configured: signups need no captcha token.
    captcha: HCaptcha | None
