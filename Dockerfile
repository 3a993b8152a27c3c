# Ensign's image: the compiled API and the built admin app on Node.js 22 LTS, run by `node` itself
# as an unprivileged user. Dependencies come from the lockfile only.
#   docker build -t ensign .
ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: the whole workspace with its dev dependencies, compiled ------------------------------
FROM ${NODE_IMAGE} AS build
ENV CI=true
RUN npm install -g pnpm@10.34.9
WORKDIR /src

# The lockfile first: the download of the dependencies is cached until it changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch

# `pnpm install` generates the Prisma client from prisma/ (root postinstall); `build:server`
# compiles the API (apps/api/dist) and builds the admin app (apps/admin/dist). `deploy --prod`
# then lays out the API's production dependencies alone, the workspace packages being bundled in.
COPY . .
RUN pnpm install --frozen-lockfile --offline \
 && pnpm build:server \
 && pnpm --filter @ensign/api deploy --prod --legacy /deploy/api

# ---- runtime: compiled output and production dependencies, nothing else --------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app

# The repository's layout, which the server finds its files by: apps/api/dist/server.js reads
# prisma/migrations and serves apps/admin/dist. The code belongs to root and is read-only to the
# server's user; only .data/ (the embedded database, when no DATABASE_URL is given) is writable.
COPY --from=build /deploy/api apps/api
COPY --from=build /src/apps/admin/dist apps/admin/dist
COPY --from=build /src/prisma/migrations prisma/migrations
RUN mkdir .data && chown node:node .data

USER node
EXPOSE 3000

HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# node is the process the runtime signals: SIGTERM drains (readiness 503 for SHUTDOWN_DRAIN), then
# finishes the requests in flight and exits 0. The operator CLI is beside it:
#   docker compose exec api node apps/api/dist/ensign.js migrate status
STOPSIGNAL SIGTERM
CMD ["node", "apps/api/dist/server.js"]
