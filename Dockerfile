# The opsroom server image (used by docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY models/package.json models/
COPY edge-agent/package.json edge-agent/
COPY server/package.json server/
COPY opsroom-ui/package.json opsroom-ui/
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/* \
 && npm ci --no-audit --no-fund
COPY . .
RUN npm run build:ui
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080 1883
CMD ["npx", "opsroom", "start", "--host", "0.0.0.0"]
