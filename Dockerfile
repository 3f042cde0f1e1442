# syntax=docker/dockerfile:1

# Production image for the actors service: a static Go binary on distroless,
# non-root, no shell, healthy without one. Build with `make image`
# (docker or podman); PLATFORM=linux/arm64 gives a Graviton image.

# Labels, overridable from the build command (scripts/image.sh passes them).
ARG VERSION=dev
ARG REVISION=unknown
ARG SOURCE=https://github.com/actors-dev/actors
# SPDX id of LICENSE, as the spec's info.license says.
ARG LICENSES=MIT

# The build stage runs on the builder's own platform and cross-compiles, so an
# arm64 image builds at native speed on an amd64 machine (no emulation). The tag is exactly
# go.mod's go line (scripts/dockerfile_test.go holds them together): a floating minor tag could be
# a cached image older than it, which the image's GOTOOLCHAIN=local then refuses.
FROM --platform=$BUILDPLATFORM golang:1.27.3 AS build
WORKDIR /src

# Dependencies get their own layer: it is reused until go.mod/go.sum change.
# The developer tools are in tools/go.mod, so this fetches only what the service needs.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download

COPY . .
ARG TARGETOS
ARG TARGETARCH
ARG VERSION
# CGO off: the binary must run on distroless/static, which has no libc.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=$VERSION" -o /out/actors ./cmd/actors

# Final stage: CA certificates, tzdata, /etc/passwd with nonroot (65532), and
# nothing else: no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION
ARG REVISION
ARG SOURCE
ARG LICENSES
LABEL org.opencontainers.image.title="actors" \
      org.opencontainers.image.description="actors: an OpenAPI-first HTTP API for actors" \
      org.opencontainers.image.source="$SOURCE" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.licenses="$LICENSES"
COPY --from=build /out/actors /actors
USER nonroot:nonroot
EXPOSE 5000
# Exec form: the check is the binary itself, so it needs no shell or curl.
# ECS ignores image health checks; the task definition repeats this command.
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/actors", "healthcheck"]
ENTRYPOINT ["/actors"]
