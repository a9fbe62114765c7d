#!/usr/bin/env bash
# Field coverage conformance: the fields `lfm validate` says LLaMA-Factory reads for an entry are
# exactly the fields that reach LLaMA-Factory's converted _prompt/_response/_system/_tools (and
# media) columns, over every local demo dataset plus partial/complete/no-columns variants of alpaca,
# sharegpt from/value, openai role/content, preference and KTO entries (field_coverage.py).
# Usage: field_coverage.sh LFM_BINARY VENV
set -euo pipefail
LFM=${1:?usage: field_coverage.sh LFM_BINARY VENV}
VENV=${2:?usage: field_coverage.sh LFM_BINARY VENV}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SHARED=${LFM_LF_SHARED:-$REPO/../shared/llamafactory}
MODEL=${LFM_TINY_MODEL:-$HOME/.cache/lfm/tiny-llama3}
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 NO_COLOR=1
PY="$VENV/bin/python"
LFM=$(cd "$(dirname "$LFM")" && pwd)/$(basename "$LFM")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/lfm-fields.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
"$PY" "$HERE/make_tiny_model.py" "$MODEL" --corpus-dir "$REPO/docs/examples" >/dev/null
demo=()
if [ -f "$SHARED/data/dataset_info.json" ]; then
  demo=(--demo "$SHARED/data")
else
  echo "note: $SHARED not found; checking the synthetic variants only"
fi
echo "== field coverage: lfm validate vs LLaMA-Factory's loader"
"$PY" "$HERE/field_coverage.py" "$LFM" "$MODEL" "$WORK" "${demo[@]}" 2> >(grep -v -E '^\[(INFO|WARNING)\|' >&2)
