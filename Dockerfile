# PhotoShare: the API and the album, served by uvicorn as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 photoshare \
    && mkdir -p /data \
    && chown photoshare:photoshare /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY photoshare ./photoshare
# pyvips[binary] brings its own libvips: no system image libraries are needed.
RUN pip install . \
    && python -c "import pyvips; print('libvips', pyvips.version(0), pyvips.version(1))"

USER photoshare
ENV PHOTOSHARE_DATA_DIR=/data \
    PHOTOSHARE_HOST=0.0.0.0 \
    PHOTOSHARE_PORT=8000
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]

CMD ["photoshare", "serve", "--host", "0.0.0.0", "--port", "8000"]
