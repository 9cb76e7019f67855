# hookreel: build, test and demo entry points.
# `make demo` and `make test` first install the system libraries a fresh Debian
# machine lacks (only when run as root and only what is missing).

SWIFT        ?= swift
SYSTEM_PKGS  := libzstd-dev libsqlite3-dev pkg-config zstd jq libxml2-utils
LAYER_CHECK  := --explicit-target-dependency-import-check error
DEMO_DIR     := .build/demo
HOOKREEL     := .build/debug/hookreel

.PHONY: deps build release check check-deploy check-nonroot test demo bench clean

deps:
	@missing=""; for p in $(SYSTEM_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing system packages:$$missing (run 'make deps' as root, or apt-get install them)"; exit 1; \
	  fi; \
	fi

build: deps
	$(SWIFT) build $(LAYER_CHECK)

release: deps
	$(SWIFT) build -c release

# What the compiler does not check (scripts/check-repo.py): no references to
# documents outside the repository, the layers of Package.swift (a module
# depends on and imports only lower layers; docs/architecture.md agrees), and
# the repository paths docs and comments name. The self-test breaks each rule
# in memory and expects it to fail.
check:
	python3 scripts/check-repo.py
	python3 scripts/check-repo.py --self-test

# Suites run one after another: many start real servers and child processes
# and measure time, and on two cores they starved each other when parallel.
test: deps check check-deploy
	$(SWIFT) build --build-tests $(LAYER_CHECK)
	scripts/check-runtime-libs.py --link
	scripts/check-nonroot.sh
	$(SWIFT) test --skip-build --no-parallel

# The Kubernetes manifests of deploy/kubernetes, validated offline against the
# API schemas and for cross-references (a venv in .build, from PyPI, once).
# check-runtime-libs.py (in test, after the build) holds the Dockerfile's
# runtime packages to what hookreel, linked as the image links it, loads.
check-deploy:
	scripts/check-manifests.sh

# The recorder, the sink and replay as uid 10001, as the image and the
# manifests run them (root hides what needs privileges). Needs a build.
check-nonroot:
	scripts/check-nonroot.sh

demo: build
	@rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	@echo "== hookreel inspect recordings/sample   (summary from segment trailers)"
	@$(HOOKREEL) inspect recordings/sample
	@echo
	@echo "== hookreel cat recordings/sample --type 'job.f*' --body | head -n 2"
	@$(HOOKREEL) cat recordings/sample --type 'job.f*' --body | head -n 2
	@echo
	@echo "== hookreel cat recordings/sample | hookreel pack --out $(DEMO_DIR)/copy --segment-size 64KiB"
	@$(HOOKREEL) cat recordings/sample | $(HOOKREEL) pack --out $(DEMO_DIR)/copy --segment-size 64KiB
	@echo
	@echo "== hookreel inspect $(DEMO_DIR)/copy --verify"
	@$(HOOKREEL) inspect $(DEMO_DIR)/copy --verify
	@echo
	@echo "== zstdcat $(DEMO_DIR)/copy/*.ndjson.zst | jq -r '.type' | sort | uniq -c"
	@zstdcat $(DEMO_DIR)/copy/*.ndjson.zst | jq -r '.type' | sort | uniq -c
	@echo
	@HOOKREEL=$(HOOKREEL) OUT=$(DEMO_DIR) scripts/demo-traffic.sh

bench: deps
	scripts/bench-segments.sh
	scripts/bench-recorder.sh
	scripts/bench-passthrough.sh
	scripts/bench-replay.sh
	scripts/bench-storm.sh

clean:
	rm -rf .build
