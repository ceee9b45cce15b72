# Data Access Bot: docker build -t data-access-bot .
# See README "Running it in production". The image runs one process, `node dist/src/main.js`
# (all | web | worker), which receives SIGTERM itself and stops gracefully within 10 s.

# --- build: every dependency, compile TypeScript to dist/ ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# no install scripts: the build needs only tsc (the dev tools' binaries are for tests)
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY migrations ./migrations
COPY catalog.example.yml ./
RUN npm run build

# --- runtime: production dependencies and the compiled output only ---
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/app/data \
    PORT=3000 \
    WORKER_HEALTH_PORT=3001
# a font for the text of the charts the bot draws (resvg reads the system's fonts)
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error && npm cache clean --force
# dist/ holds the compiled code, the migrations, the example catalog and the sandbox page
COPY --from=build /app/dist ./dist
# the code stays root-owned (read-only to the bot); only the data directory is the bot's
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000 3001
# /livez on PORT (all, web) or else WORKER_HEALTH_PORT (worker); liveness only, never dependencies
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const ports=[process.env.PORT||3000,process.env.WORKER_HEALTH_PORT||3001];(async()=>{for(const p of ports){try{const r=await fetch('http://127.0.0.1:'+p+'/livez',{signal:AbortSignal.timeout(2000)});process.exit(r.status===200?0:1)}catch{}}process.exit(1)})()"]
# exec form: node is PID 1 and gets SIGTERM from `docker stop` directly
# the flags of an all-in-one process (src/shared/heap.ts NODE_FLAGS): a smaller young generation
CMD ["node", "--max-semi-space-size=8", "dist/src/main.js"]
