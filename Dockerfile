# syntax=docker/dockerfile:1

# Build stage: all dependencies, compile TypeScript to dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs ./libs
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and the compiled service only.
# package.json lists `node` as a dev dependency; it is omitted here, so the
# service runs on the base image's Node 24.
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=8080
# A young generation of 2 × 8 MB semi-spaces: V8 sizes it from the host's memory (up to 2 × 64 MB), which alone
# takes the service from ~150 MB to ~200 MB RSS idle and past 350 MB under load, for little throughput
# (bench/results/latest.md). Keep in step with package.json's start:prod and bench/run.ts (DEPLOYED_NODE_ARGS).
ENV NODE_OPTIONS=--max-semi-space-size=8
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# /app stays owned by root: the service writes nothing to its folder.
# Production needs JWKS_URI, JWT_ISSUER, JWT_AUDIENCE (checked at start) and
# DATABASE_URL (without it the embedded PostgreSQL would be tried, and fail).
USER node
# 8080: REST, Connect, gRPC-web, health and metrics; 8081: gRPC (h2c, GRPC_PORT).
EXPOSE 8080 8081
CMD ["node", "dist/src/main.js"]
