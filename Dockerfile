# oppf-sandbox in a container: docker build -t oppf-sandbox . && docker run -p 8800:8800 oppf-sandbox
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    SANDBOX_ROOT=/app SANDBOX_PORT=8800 SANDBOX_SEED=42 SANDBOX_CLOCK=now

WORKDIR /app
COPY pyproject.toml README.md ./
COPY sandbox ./sandbox
COPY fixtures ./fixtures
COPY schemas ./schemas
COPY scenarios ./scenarios
RUN pip install . && useradd --create-home --uid 10001 sandbox
USER sandbox

EXPOSE 8800
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request,os;urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"SANDBOX_PORT\"]}/_sandbox/health')"
CMD ["oppf-sandbox", "serve", "--host", "0.0.0.0"]
