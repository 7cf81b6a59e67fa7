# One image per service: docker build -f infra/docker/service.Dockerfile \
#   --build-arg SERVICE=order --build-arg PORT=3001 -t shopfront/order:dev .
# Compiled with swc to dist/ (libs resolve through their "default" export),
# run by plain Node with production dependencies only, as an unprivileged user.
# Build context: the repository root (see .dockerignore).
ARG BASE_IMAGE=node:24-bookworm-slim

# Only what `npm ci` reads, so the dependency layer stays cached until a
# manifest or the lockfile changes, not at every source edit.
FROM ${BASE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN node infra/docker/manifests.ts /manifests

FROM ${BASE_IMAGE} AS deps
WORKDIR /app
COPY --from=manifests /manifests ./
# No install scripts: nothing we run needs them, and they are the usual way in for supply-chain attacks.
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=warn

# Production dependencies only, for the final image.
FROM deps AS production-deps
RUN npm prune --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=warn

# Every lib once (shared by the six images), then the one service.
FROM deps AS build
COPY infra/docker/compile.ts infra/docker/
COPY libs ./libs
RUN node infra/docker/compile.ts libs/*
ARG SERVICE
COPY services/${SERVICE} ./services/${SERVICE}
RUN node infra/docker/compile.ts services/${SERVICE} \
 && mkdir /out \
 && for dir in libs/* services/${SERVICE}; do \
      if [ ! -d $dir/dist ]; then continue; fi; \
      mkdir -p /out/$dir && cp -r $dir/package.json $dir/dist /out/$dir/ \
      && if [ -d $dir/migrations ]; then cp -r $dir/migrations /out/$dir/; fi; \
    done

FROM ${BASE_IMAGE}
WORKDIR /app
# What every service shares comes first, so the six images share these layers.
COPY --from=production-deps /app/package.json ./
COPY --from=production-deps /app/node_modules ./node_modules
COPY infra/docker/healthcheck.ts ./
ARG SERVICE
ARG PORT
LABEL org.opencontainers.image.title="shopfront-${SERVICE}"
# Inside a container the service must listen on every interface, not loopback.
ENV SERVICE=${SERVICE} HOST=0.0.0.0 DEFAULT_PORT=${PORT}
COPY --from=build /out ./
# Files stay root-owned, so the process cannot rewrite its own code. The uid is the
# one Kubernetes runs the pods as (k8s/base/pod-defaults.yaml runAsUser 10001), numeric
# so that runAsNonRoot can be verified; it has no home and no shell.
RUN groupadd --gid 10001 shopfront \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin shopfront
USER 10001:10001
WORKDIR /app/services/${SERVICE}
EXPOSE ${PORT}
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 CMD ["node", "/app/healthcheck.ts"]
# The flags of tools/runner/services.ts serviceCommand, on compiled code: tracing
# is registered before the service's modules load.
CMD ["node", "--import", "@shopfront/observability/register", "--enable-source-maps", "dist/main.js"]
