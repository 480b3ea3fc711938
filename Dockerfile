# Portico's images, thin over the commands the systemd units run (deploy/systemd/):
#   docker build --target web -t portico .      app servers, workers, mail-in, migrations
#   docker build --target nginx -t portico-nginx .   nginx with deploy/nginx/portico.conf
# compose.yaml puts them together. Not built in Portico's CI (no registry there).

FROM python:3.13-slim-bookworm AS web
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/portico/.venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=portico.settings \
    PORTICO_VAR_DIR=/var/lib/portico \
    PORTICO_STATIC_ROOT=/opt/portico/static \
    PORTICO_LOG_FORMAT=json
# A fixed uid/gid: the nginx image joins the group to read the shared media volume.
RUN groupadd --system --gid 10001 portico \
 && useradd --system --uid 10001 --gid portico --home-dir /var/lib/portico \
      --shell /usr/sbin/nologin portico
WORKDIR /opt/portico
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m venv /opt/portico/.venv \
 && /opt/portico/.venv/bin/pip install --no-compile . \
 && rm -rf src
# The static files are part of the image: every container of one build serves the same
# hashed names. collectstatic needs a secret key to start, not to work.
RUN SECRET_KEY=collectstatic-only PORTICO_VAR_DIR=/tmp/build portico collectstatic --noinput \
 && rm -rf /tmp/build \
 && install -d -o portico -g portico -m 0750 /var/lib/portico /var/lib/portico/media
USER portico
WORKDIR /var/lib/portico
VOLUME ["/var/lib/portico/media"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["gunicorn", "--config", "python:portico.operations.gunicorn_conf", "--bind", "0.0.0.0:8000"]

# nginx with Portico's site, and the same static files as the web image.
FROM nginx:1.26-bookworm AS nginx
RUN groupadd --system --gid 10001 portico && usermod -aG portico nginx \
 && rm /etc/nginx/conf.d/default.conf
COPY deploy/nginx/portico.conf /etc/nginx/conf.d/portico.conf
COPY --from=web /opt/portico/static /var/lib/portico/static
EXPOSE 80 443
# Through TLS to an app server and back: nginx and at least one upstream answer.
HEALTHCHECK --interval=15s --timeout=5s --retries=3 \
  CMD ["curl", "-fsk", "-o", "/dev/null", "https://127.0.0.1/healthz"]
