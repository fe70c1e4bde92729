# syntax=docker/dockerfile:1
# Build stage: compile TypeScript (and better-sqlite3's native addon).
FROM node:24-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Production dependencies only (better-sqlite3 compiles here, with the build tools above).
FROM build AS deps
RUN rm -rf node_modules && npm ci --omit=dev

# Runtime stage: production dependencies and dist/ only, owned by root so the app (the unprivileged
# `node` user) cannot rewrite its own code. Its only writable place is /app/data (a volume): the
# SQLite store and, through the /app/.env link, the settings Probot's setup page saves on
# registration (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET…); environment variables work as well.
FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
COPY bin ./bin
RUN mkdir -p /app/data && chown node:node /app/data && ln -s /app/data/.env /app/.env
USER node
EXPOSE 3000
VOLUME ["/app/data"]
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/main.js"]
