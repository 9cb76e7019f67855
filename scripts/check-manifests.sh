#!/usr/bin/env bash
# Validates the Kubernetes manifests under deploy/kubernetes, offline: every
# resource a kustomization.yaml lists, against the API schemas of the oldest
# and the newest Kubernetes version we claim (strict: unknown fields fail),
# plus the cross-references the schemas cannot see (scripts/check_manifests.py
# says which). Then it breaks copies of the manifests on purpose and checks
# that each breakage is caught, so the check cannot quietly stop checking.
#
# The validator comes from PyPI into a venv under .build (cached: a second run
# installs nothing). Run by `make test`; `make check-deploy` runs it alone.
set -euo pipefail
cd "$(dirname "$0")/.."

VALIDATOR_VERSION=1.37.0        # kubernetes-validate; ships schemas 1.25 to 1.37
VENV=.build/venv-k8s
STAMP="$VENV/.kubernetes-validate-$VALIDATOR_VERSION"

if [ ! -e "$STAMP" ]; then
  echo "check-manifests: installing kubernetes-validate $VALIDATOR_VERSION into $VENV"
  rm -rf "$VENV"
  mkdir -p .build
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$VALIDATOR_VERSION"
  touch "$STAMP"
fi

"$VENV/bin/python" scripts/check_manifests.py --secret-doc docs/kubernetes.md deploy/kubernetes
"$VENV/bin/python" scripts/check_manifests.py --secret-doc docs/kubernetes.md --self-test deploy/kubernetes
