# databricks-shield: imports Databricks AI agents' executions into Akto.
# Build: docker build -t databricks-shield .      Run once: docker run --env-file deploy/databricks-shield.env databricks-shield -once
FROM node:20-bookworm-slim
WORKDIR /app
RUN npm install --global --no-fund --no-audit pnpm@12.4.2
COPY . .
RUN pnpm install --frozen-lockfile && pnpm run build && pnpm store prune
ENV NODE_ENV=production \
    SHIELD_STATE_DIR=/var/lib/databricks-shield
RUN mkdir -p /var/lib/databricks-shield && chown node:node /var/lib/databricks-shield
VOLUME ["/var/lib/databricks-shield"]
USER node
ENTRYPOINT ["node", "packages/runner/dist/cli/databricks-shield.js"]
# No flag: poll every RECURRING_INTERVAL_SECONDS (default 300). Use -once or -schedule '<cron>' instead.
CMD []
