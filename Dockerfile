# One image for the web and the sidecar (the command differs).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    SPARTAN_HOST=0.0.0.0

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY app.py ./
COPY api ./api
COPY assets ./assets
COPY components ./components
COPY config ./config
COPY datasources ./datasources
COPY jobs ./jobs
COPY pages ./pages
COPY sql ./sql

RUN useradd --create-home --uid 10001 spartan && mkdir -p /app/var && chown spartan /app/var
USER spartan

EXPOSE 8888
CMD ["gunicorn", "app:server", "--bind", "0.0.0.0:8888", "--workers", "2", "--threads", "4", "--timeout", "60"]
