# The opsroom image (docker-compose.yml). Multi-stage: build tools and the UI build stay in the
# first stage; the runtime stage holds the app, its production dependencies and the built edge
# agent (edge-agent/dist/opsroom-agent.cjs), owned by root and run as `node`.
# .dockerignore keeps .env, operators' model and secrets, the host's node_modules and build output
# out of the build context.

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
# Inside the container the server listens on every interface of its own network namespace; what
# reaches it from outside is decided by the published ports (docker-compose.yml binds 127.0.0.1).
ENV OPSROOM_HOST=0.0.0.0
ENV OPSROOM_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080 1883
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# The server is node itself (exec form: no shell, no npx in between), so `docker stop`'s SIGTERM
# reaches it; as PID 1 it gets no default signal actions, and opsroom's own SIGTERM/SIGINT handler
# closes it cleanly (store flushed, detectors checkpointed, exit 0). The handler is tested by
# sending SIGTERM to this exact command: server/test/deploy/image-sigterm.test.ts.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "server/bin/opsroom.js"]
CMD ["start"]
