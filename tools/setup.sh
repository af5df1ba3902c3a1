#!/usr/bin/env bash
# Sets up a fresh clone: the pinned pnpm, the dependencies, a build of every
# package. With --test, also the Debian data sets the test suite reads.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.21.0
if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version)" = "$PNPM_VERSION" ]; then
  pnpm() { command pnpm "$@"; }
else
  pnpm() { npx -y "pnpm@$PNPM_VERSION" "$@"; }
fi

# onnxruntime-node's install step downloads CUDA libraries; the CPU runtime ships in the package.
export ONNXRUNTIME_NODE_INSTALL=skip
pnpm install --frozen-lockfile --reporter=append-only >/dev/null
pnpm exec nx run-many -t build --outputStyle=static >/dev/null

if [ "${1:-}" = "--test" ]; then
  missing=()
  [ -d /usr/share/libonnx-testdata/data ] || missing+=(libonnx-testdata)
  [ -d /usr/share/datasets/fashion-mnist ] || missing+=(dataset-fashion-mnist)
  # The WebGPU adapter is tested in a real browser: Debian's chromium, driven by playwright-core.
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "note: Debian packages ${missing[*]} are missing and this user cannot install them; the tests that read them will be skipped." >&2
    fi
  fi
fi
