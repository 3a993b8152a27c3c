# The Ensign API with the built admin app. Dependencies come from the lockfile only.
FROM node:20-slim

WORKDIR /app
RUN npm install -g pnpm@10.34.9

# The whole workspace: `pnpm install` generates the Prisma client from prisma/ (root postinstall).
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm --filter @ensign/admin build

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
EXPOSE 3000

HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:3000/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"

CMD ["pnpm", "--filter", "@ensign/api", "start"]
