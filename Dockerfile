# The opsroom image (docker-compose.yml). Multi-stage: build tools and the UI build stay in the
# first stage; the runtime stage holds the app, its production dependencies and the built edge
# agent (edge-agent/dist/opsroom-agent.cjs), runs as `node`.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY models/package.json models/
COPY edge-agent/package.json edge-agent/
COPY server/package.json server/
COPY opsroom-ui/package.json opsroom-ui/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:ui && npm run build -w @opsroom/edge-agent && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080 1883
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["npx", "opsroom", "start", "--host", "0.0.0.0", "--data-dir", "/data"]
