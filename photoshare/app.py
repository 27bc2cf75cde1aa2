"""The FastAPI application and its lifespan, the only place clients are built and closed."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from beanie import Document
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from photoshare import __version__, datadir, db, kv, migrations, orphans
from photoshare.albums.models import Album as AlbumDocument
from photoshare.albums.routes import router as albums_router
from photoshare.albums.share_routes import router as album_links_router
from photoshare.auth.captcha import build_captcha
from photoshare.auth.mail import Mailer
from photoshare.auth.models import RefreshToken
from photoshare.auth.password_resets import PasswordReset
from photoshare.auth.passwords import PasswordHasher
from photoshare.auth.revocation import Denylist
from photoshare.auth.routes import router as auth_router
from photoshare.auth.sessions import LoginSession
from photoshare.auth.throttles import LoginThrottle, SignupThrottle
from photoshare.auth.tokens import TokenCodec
from photoshare.config import Settings, get_settings
from photoshare.errors import install_error_handlers
from photoshare.finite_json import FiniteJsonNumbers
from photoshare.health import router as health_router
from photoshare.links.models import Link
from photoshare.links.proofs import LinkProofs
from photoshare.links.render_cache import RenderCache, RenderPool
from photoshare.links.routes import router as links_router
from photoshare.links.views import ViewTally
from photoshare.logs import RequestIdMiddleware, configure_logging
from photoshare.media.images import ImageWorker
from photoshare.media.routes import router as media_router
from photoshare.media.storage import build_storage
from photoshare.media.uploads import BodySizeLimit
from photoshare.methods import Album, install_method_handling
from photoshare.openapi import document_errors, install_docs, operation_id
from photoshare.photos.comments.routes import router as comments_router
from photoshare.photos.models import Photo, Tag
from photoshare.photos.ratings.routes import router as ratings_router
from photoshare.photos.routes import router as photos_router
from photoshare.photos.tags.routes import router as tags_router
from photoshare.runtime import Runtime
from photoshare.security import SecurityHeaders
from photoshare.users.models import SiteClaim, User
from photoshare.users.routes import router as users_router

log = logging.getLogger("photoshare")

WEB_DIR = Path(__file__).parent / "web"
# Each domain's routes, in the order the OpenAPI document lists them.
API_ROUTERS = [
    auth_router,
    users_router,
    photos_router,
    comments_router,
    ratings_router,
    tags_router,
    links_router,
    albums_router,
    album_links_router,
    media_router,
]


def document_models() -> list[type[Document]]:
    """Every Beanie document of the service, registered at start-up (``db.connect``)."""
    return [
        User,
        SiteClaim,
        RefreshToken,
        PasswordReset,
        LoginSession,
        Photo,
        Tag,
        Link,
        AlbumDocument,
    ]


def _describe_mode(settings: Settings) -> str:
    database = (
        f"in-process MongoDB (mongomock-motor) journaled in {settings.data_dir / 'mongo.sqlite3'}"
        if settings.embedded
        else f"MongoDB database {settings.mongodb_database!r}"
    )
    redis = "in-process Redis (fakeredis)" if settings.redis_url is None else "Redis server"
    mode = "embedded" if settings.embedded else "server"
    return (
        f"PhotoShare {__version__} in {mode} mode: {database}; {redis}; "
        f"data dir {settings.data_dir}"
    )


def _runtime(settings: Settings, database: db.Database, store: kv.KeyValueStore) -> Runtime:
    # Renders have workers of their own: however many are asked for, uploads keep theirs.
    render_pool = RenderPool(settings.render_workers, settings.render_timeout_seconds)
    secret_key = settings.resolve_secret_key()
    proof_lifetime = timedelta(hours=settings.link_password_cookie_hours)
    return Runtime(
        settings=settings,
        db=database,
        kv=store,
        tokens=TokenCodec(secret_key),
        passwords=PasswordHasher(settings),
        denylist=Denylist(store.redis),
        throttle=LoginThrottle(store.redis, settings),
        signup_throttle=SignupThrottle(store.redis, settings),
        mailer=Mailer(settings),
        storage=build_storage(settings),
        images=ImageWorker(settings.image_workers),
        renders=RenderCache(settings.data_dir / "renders", render_pool, settings.temp_dir),
        link_proofs=LinkProofs(secret_key, proof_lifetime),
        view_tally=ViewTally(),
        trusted_proxies=[ipaddress.ip_network(p, strict=False) for p in settings.trusted_proxies],
        captcha=build_captcha(settings),
    )


@asynccontextmanager
async def _owning(settings: Settings, read_only: bool) -> AsyncIterator[None]:
    """Hold the embedded data dir (a server on MongoDB shares its data dir for images)."""
    if read_only or not settings.embedded:
        yield
        return
    with datadir.holding(settings.data_dir):
        yield


async def _tidy(runtime: Runtime) -> asyncio.Task[None]:
    """Remove what a stopped process left in the data dir; reconcile images after start."""
    started = time.time()
    await orphans.remove_temp_files(runtime, before=started)
    # Listing every stored file takes a while on a large store: not before serving.
    return asyncio.create_task(orphans.reconcile(runtime, started), name="reconcile storage")


async def _write_views(runtime: Runtime) -> None:
    """Write the link views counted in memory; a stop goes on if the database is gone."""
    try:
        await runtime.view_tally.write()
    except Exception:
        log.exception("the last link views could not be written")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    read_only: bool = app.state.read_only
    async with _owning(settings, read_only):
        database = await db.connect(settings, document_models(), read_only=read_only)
        if not read_only:
            await migrations.migrate()
        store = await kv.connect(settings, read_only=read_only)
        app.state.runtime = runtime = _runtime(settings, database, store)
        log.info(_describe_mode(settings))
        tidying = await _tidy(runtime) if settings.embedded and not read_only else None
        views = None if read_only else asyncio.create_task(runtime.view_tally.keep_writing())
        try:
            yield
        finally:
            for task in (tidying, views):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            await _write_views(runtime)
            if runtime.captcha is not None:
                await runtime.captcha.close()
            await store.close()
            await database.close()
            log.info("PhotoShare stopped cleanly")


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    """The middleware, innermost first: the last one added sees a request first."""
    # Innermost: HEAD is served as a GET without its body (the logs still say HEAD).
    install_method_handling(app)
    # Next: reads JSON bodies as the app does, after the size limit below has capped them.
    app.add_middleware(FiniteJsonNumbers)
    # Added early, so inner: an early 413 still passes the headers and CORS below.
    # Room for the form fields around the largest accepted file; more is cut off early.
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_upload_bytes + 256 * 1024,
        upload_limit=settings.max_upload_bytes,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    app.add_middleware(SecurityHeaders, captcha=settings.captcha_enabled)
    # Outermost, so every log line of the request, errors included, carries its id.
    app.add_middleware(RequestIdMiddleware)


def create_app(settings: Settings | None = None, *, read_only: bool = False) -> FastAPI:
    """Build the application; clients are opened by the lifespan, not here.

    A read-only app (for reports next to a running server) neither takes the data dir
    nor migrates, tidies or saves anything.
    """
    settings = settings or get_settings()
    configure_logging(settings)
    # Fail before serving anything when the configuration is unsafe.
    settings.check_production()
    app = FastAPI(
        title="PhotoShare",
        version=__version__,
        summary="Share photos: tags, comments, ratings, search, transformed links and QR codes.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=operation_id,
        # Generated clients and Swagger's "Try it out" call the address people reach.
        servers=[{"url": settings.base_url}] if settings.public_base_url else None,
    )
    _add_middleware(app, settings)
    app.state.settings = settings
    app.state.read_only = read_only
    install_error_handlers(app)
    for router in API_ROUTERS:
        app.include_router(document_errors(router))
    app.include_router(health_router)
    install_docs(app)
    # The album: static HTML, CSS and ES modules, on every path the API does not own.
    app.router.routes.append(Album(WEB_DIR, app.routes))
    return app
