# The web image: Django + daphne, with the builder UI built by Vite into frontend/dist.
FROM node:22-slim AS frontend
WORKDIR /frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=frontend /frontend/dist frontend/dist
# The static files, with their gzip and brotli copies, are part of the image: each worker serves them
# (WhiteNoise). Collecting reads no secret and no database; the key only satisfies the settings.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 vibewater && chown -R vibewater /app
USER vibewater
EXPOSE 8000
CMD ["python", "-m", "vibewater.serve", "-b", "0.0.0.0", "-p", "8000", "vibewater.asgi:application"]
