#!/usr/bin/env bash
# The README's first command: sets up, then compresses the bundled Fashion-MNIST
# CNN with the default preset and prints the report's summary (size, accuracy,
# speed). Accuracy needs Debian's Fashion-MNIST; without it the summary gives
# fidelity to the original on generated inputs instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh

data=/usr/share/datasets/fashion-mnist
if [ ! -f "$data/t10k-labels-idx1-ubyte.gz" ] && [ "$(id -u)" = 0 ]; then
  (apt-get install -y -qq --no-install-recommends dataset-fashion-mnist >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dataset-fashion-mnist >/dev/null 2>&1; }) || true
fi
labelled=()
if [ -f "$data/t10k-labels-idx1-ubyte.gz" ]; then
  labelled=(--images "$data/t10k-images-idx3-ubyte.gz" --labels "$data/t10k-labels-idx1-ubyte.gz")
else
  echo "note: $data is missing (apt-get install dataset-fashion-mnist); measuring fidelity on generated inputs instead of accuracy." >&2
fi
mkdir -p out
node packages/cli/dist/bin.js compress tools/fixtures/fashion-cnn.onnx -o out/fashion-cnn.onnx \
  --report out/fashion-cnn.report.html "${labelled[@]}"
