# syntax=docker/dockerfile:1
#
# hookreel in a container: a release build with the Swift runtime linked in
# statically (--static-swift-stdlib), on a slim Debian with only the shared
# libraries that binary needs. docs/kubernetes.md uses this image.
#
#   docker build -t hookreel:latest .
#   docker run --rm hookreel:latest inspect /usr/share/hookreel/recordings/sample
#
# The runtime stage's package list is the allow-list of
# scripts/check-runtime-libs.py, which `make test` runs on hookreel linked the
# way this build links it: a library missing here, or listed here but unused,
# fails the tests.

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------- build
FROM ${SWIFT_IMAGE} AS build

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libzstd-dev libsqlite3-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# The manifest declares the test and benchmark targets too, so their folders
# come along even though only the hookreel product is built.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY Benchmarks ./Benchmarks

# .build lives in a BuildKit cache so a rebuild recompiles only what changed;
# the binary is copied out of it within the same step.
RUN --mount=type=cache,target=/src/.build \
    swift build -c release --static-swift-stdlib --product hookreel \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/hookreel" /out/hookreel

# ---------------------------------------------------------------- runtime
FROM ${RUNTIME_IMAGE}

# glibc (libc6) is in the base image; the rest is what `ldd hookreel` lists
# besides glibc: zstd (segments), SQLite (GRDB links the system library), zlib
# (swift-nio-extras' HTTP decompression), the C++ runtime and libgcc_s that
# the static Swift runtime needs. ca-certificates for https targets and
# --forward URLs. scripts/check-runtime-libs.py holds this list to ldd's.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libzstd1 libsqlite3-0 zlib1g libstdc++6 libgcc-s1 \
 && rm -rf /var/lib/apt/lists/*

# The crash backtracer that the statically linked runtime starts on a fatal
# error, so a crash in a pod still logs a symbolicated backtrace.
COPY --from=build /usr/libexec/swift/linux/swift-backtrace-static /usr/local/libexec/hookreel/swift-backtrace-static
ENV SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/libexec/hookreel/swift-backtrace-static

COPY --from=build /out/hookreel /usr/local/bin/hookreel
# Ready scenarios and the sample recording, for storms and smoke runs in a pod.
COPY scenarios /usr/share/hookreel/scenarios
COPY recordings/sample /usr/share/hookreel/recordings/sample

# A fixed non-root uid, so a pod's securityContext (runAsUser, fsGroup) can name it.
RUN groupadd --system --gid 10001 hookreel \
 && useradd --system --uid 10001 --gid hookreel --home-dir /data --no-create-home hookreel \
 && mkdir -p /data && chown hookreel:hookreel /data
USER 10001:10001
WORKDIR /data
# Recordings, results and the emulator's database: keep them outside the container.
VOLUME ["/data"]

EXPOSE 8080
ENTRYPOINT ["hookreel"]
CMD ["--help"]
