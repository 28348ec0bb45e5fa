# sap-ci-auth as one image for three runners:
#   - GitHub Actions runs it as a Docker container action (action.yml:
#     runs.using docker), as root, with --workdir /github/workspace and the
#     file commands mounted at /github/file_commands;
#   - act (nektos/act) builds and runs it the same way on a laptop;
#   - GitLab CI uses it as a job image with `entrypoint: [""]` and feeds the
#     job script to the shell its docker executor detects (/busybox/sh here).
#
# Plain Dockerfile syntax only (no `# syntax=` line, no RUN --mount): the
# legacy builder and BuildKit build it alike, and nothing but the two base
# images has to be pulled. test/offline-images.sh makes both on machines
# without a registry.

# --- build stage ------------------------------------------------------------
FROM golang:1.26 AS build
WORKDIR /src
# Optional pass-through for builders behind a module mirror or with special
# flags, e.g. --build-arg GOPROXY=https://goproxy.example.com. Unset, the
# image's own settings apply.
ARG GOPROXY
ARG GOFLAGS
ENV CGO_ENABLED=0
# Modules before sources: this layer is reused until go.mod or go.sum changes.
COPY go.mod go.sum ./
RUN go mod download && go mod verify
# Only what the binary is built from, named one by one: act v0.2.89 sent the
# whole directory as the build context despite .dockerignore's `*` and `!`
# lines, so `COPY . .` would copy .git into the builder and miss act's cache on
# every edit of a test script or workflow.
COPY main.go ./
COPY pkg/ pkg/
# -trimpath: no build paths in the binary; -s -w: no symbol or DWARF tables.
# There is no .git in /src, so no VCS stamp: the same sources give the same
# binary, and the final stage's COPY stays cached. The release workflow passes
# --build-arg VERSION=vX.Y.Z for `sap-ci-auth --version`; declared here, after
# the module layer, so that it never invalidates that layer.
ARG VERSION
RUN go build -trimpath -ldflags "-s -w -X github.com/sap-ci-auth/sap-ci-auth/pkg/app.version=${VERSION}" \
      -o /out/sap-ci-auth . \
 && /out/sap-ci-auth --version

# --- final stage --------------------------------------------------------------
# static-debian12 because the binary is static (CGO_ENABLED=0); the :debug
# variant adds busybox at /busybox, so that GitLab's docker executor finds a
# shell (/busybox/sh). A shell-less base (scratch, plain distroless) cannot be
# a GitLab job image. Not a :nonroot tag and no USER instruction: GitHub runs
# container actions as root with no --user flag, and a non-root user cannot
# write /github/file_commands/set_output_* (actions/runner#1711).
FROM gcr.io/distroless/static-debian12:debug
# One CA bundle file, read once: Go reads SSL_CERT_FILE and then also scans
# the directories of SSL_CERT_DIR (default /etc/ssl/certs, which holds that
# same bundle), so without SSL_CERT_DIR the image parsed its bundle twice.
# A directory that does not exist is skipped without error.
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    SSL_CERT_DIR=/nonexistent/no-hashed-ca-dir \
    PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin:/busybox
COPY --from=build /out/sap-ci-auth /usr/local/bin/sap-ci-auth
# Exec form: the runner's arguments (GitHub `args:`, `docker run IMAGE flow`)
# go straight to the binary, and signals reach it. No WORKDIR: GitHub passes
# --workdir /github/workspace, GitLab uses the project directory.
ENTRYPOINT ["/usr/local/bin/sap-ci-auth"]
