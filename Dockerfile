# One image for the three apps; docker-compose.yml picks the entry per service:
#   node dist/apps/api/src/main.js | dist/apps/projector/src/main.js | dist/apps/worker/src/main.js
# (node dist/apps/main.js, the default, runs all three in one process.)

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm install` with the committed lockfile: `npm ci` rejects lockfiles that lack other platforms'
# optional binaries, which is how npm writes them here (see shared/STACK-NOTES.md).
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# package.json carries the "imports" aliases (#config, #runtime, ...) that dist/ resolves through.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
CMD ["node", "dist/apps/main.js"]
