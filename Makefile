# hookreel: build, test and demo entry points.
# `make demo` and `make test` first install the system libraries a fresh Debian
# machine lacks (only when run as root and only what is missing).

SWIFT        ?= swift
SYSTEM_PKGS  := libzstd-dev libsqlite3-dev pkg-config zstd
LAYER_CHECK  := --explicit-target-dependency-import-check error
DEMO_DIR     := .build/demo

.PHONY: deps build release test demo bench clean

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

test: deps
	$(SWIFT) build --build-tests $(LAYER_CHECK)
	$(SWIFT) test --skip-build

demo: build
	@rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	@echo "== hookreel inspect recordings/sample"
	$(SWIFT) run --skip-build hookreel inspect recordings/sample
	@echo "== hookreel cat recordings/sample --type 'job.*' --body (first 3)"
	$(SWIFT) run --skip-build hookreel cat recordings/sample --type 'job.*' --body | head -n 3
	@echo "== hookreel inspect recordings/sample --verify"
	$(SWIFT) run --skip-build hookreel inspect recordings/sample --verify

bench: deps
	scripts/bench-segments.sh

clean:
	rm -rf .build
