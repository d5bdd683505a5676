# The icalbridge hub as an image: `icalbridge run` (migrations, the web server and a
# worker) as an unprivileged user, its data in the /data volume.
#   docker build -t icalbridge .
#   docker run -v icalbridge:/data -p 127.0.0.1:8000:8000 icalbridge
# deploy/compose.yaml puts Caddy in front of it for HTTPS (docs/deploy.md).

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY icalbridge ./icalbridge
# A plain install into its own folder, copied whole into the final image. The messages are
# compiled first, with Babel (the slim image has no GNU gettext), so that the install
# carries them; Babel, pip and setuptools are not needed at run time (36 MB, 26 MB).
RUN python -m venv /opt/icalbridge \
    && /opt/icalbridge/bin/pip install --no-cache-dir "babel>=2.14" \
    && /opt/icalbridge/bin/pybabel compile -D django -d icalbridge/locale \
    && /opt/icalbridge/bin/pip install --no-cache-dir . \
    && /opt/icalbridge/bin/pip uninstall --yes babel pip setuptools

FROM python:3.11-slim
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin icalbridge \
    && install -d -o icalbridge -g icalbridge -m 0750 /data /backups
COPY --from=build /opt/icalbridge /opt/icalbridge
COPY deploy/icalbridge-backup /usr/local/bin/icalbridge-backup
ENV PATH=/opt/icalbridge/bin:$PATH \
    ICALBRIDGE_DATA_DIR=/data \
    ICALBRIDGE_BACKUP_DIR=/backups \
    PYTHONUNBUFFERED=1
USER icalbridge
WORKDIR /data
VOLUME ["/data", "/backups"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["icalbridge", "run", "--host", "0.0.0.0", "--port", "8000"]
