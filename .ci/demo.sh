#!/usr/bin/env bash
# lfm's main flow on the bundled examples, from a fresh clone (README's first command):
# install the system libraries that are missing, build lfm, then in a throwaway workspace
# register docs/examples, validate one, plan a training run and list them (no GPU, no API key,
# no LLaMA-Factory needed). Usage: .ci/demo.sh [WORKSPACE]   (default /tmp/lfm-demo)
set -euo pipefail
cd "$(dirname "$0")/.."
WS=${1:-/tmp/lfm-demo}

.ci/install.sh --deps-only
echo "+ swift build -c release --static-swift-stdlib"
swift build -c release --static-swift-stdlib ${LFM_SCRATCH_PATH:+--scratch-path "$LFM_SCRATCH_PATH"} 2>&1 | tail -n 1
lfm=$(swift build -c release --static-swift-stdlib ${LFM_SCRATCH_PATH:+--scratch-path "$LFM_SCRATCH_PATH"} --show-bin-path)/lfm

run() { echo "+ lfm $*"; "$lfm" "$@"; }
rm -rf "$WS"
run init "$WS"
for f in docs/examples/*.json docs/examples/*.txt; do run register "$f" --lf-dir "$WS"; done
run validate support_chat --lf-dir "$WS"
run train --lf-dir "$WS" --model llama3 --dataset support_alpaca --dry-run
run list --lf-dir "$WS"
