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

if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo)
else
  as_root=(none)
fi

# @condense/export-tflite generates its TFLite flatbuffer code at build time with
# flatc 2.0.x, which Debian's flatbuffers-compiler provides.
if ! command -v flatc >/dev/null 2>&1; then
  if [ "${as_root[*]}" != none ]; then
    "${as_root[@]}" apt-get update -qq && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends flatbuffers-compiler >/dev/null
  else
    echo "error: flatc (Debian package flatbuffers-compiler) is missing and this user cannot install it; @condense/export-tflite cannot build." >&2
    exit 1
  fi
fi
pnpm exec nx run-many -t build --outputStyle=static >/dev/null

if [ "${1:-}" = "--test" ]; then
  missing=()
  [ -d /usr/share/libonnx-testdata/data ] || missing+=(libonnx-testdata)
  [ -d /usr/share/datasets/fashion-mnist ] || missing+=(dataset-fashion-mnist)
  # The WebGPU adapter is tested in a real browser: Debian's chromium, driven by playwright-core.
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "${as_root[*]}" != none ]; then
      "${as_root[@]}" apt-get update -qq && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "note: Debian packages ${missing[*]} are missing and this user cannot install them; the tests that read them will be skipped." >&2
    fi
  fi
  # Real photographs and scanned text for the image tests: scikit-image's sample
  # images, taken from Debian's package without installing it (or its Python stack).
  images=.cache/images
  if [ ! -f "$images/page.png" ]; then
    work=$(mktemp -d)
    if (cd "$work" && apt-get download python3-skimage >/dev/null 2>&1 || { [ "${as_root[*]}" != none ] && "${as_root[@]}" apt-get update -qq && apt-get download python3-skimage >/dev/null 2>&1; }); then
      dpkg-deb -x "$work"/python3-skimage_*.deb "$work/x"
      mkdir -p "$images"
      cp "$work"/x/usr/lib/python3/dist-packages/skimage/data/*.{png,jpg} "$images/"
    else
      echo "note: could not download python3-skimage; the tests on real photographs will be skipped." >&2
    fi
    rm -rf "$work"
  fi
fi
