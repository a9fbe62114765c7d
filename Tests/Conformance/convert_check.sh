#!/usr/bin/env bash
# Converts LLaMA-Factory's demo datasets with `lfm convert --register` into a fresh workspace and
# loads every converted dataset through the real LLaMA-Factory pipeline (load_datasets.py).
#
# Usage: convert_check.sh LFM VENV MODELDIR [WORKDIR]
#   LFM       the lfm binary (e.g. .build/debug/lfm)
#   VENV      LLaMA-Factory 0.9.5 venv (e.g. ~/.cache/lfm/venv-lf-0.9.5)
#   MODELDIR  tiny model with a llama3 tokenizer (make_tiny_model.py)
#   WORKDIR   where the workspace goes (default: a temp dir, removed at exit)
# Demo data: $LFM_DEMO_DATA or ../shared/llamafactory/data next to the repository.
# Exit status: 0 when every conversion is written, validated, registered and loads with no
# dropped example; 1 otherwise.
set -euo pipefail
LFM=${1:?usage: convert_check.sh LFM VENV MODELDIR [WORKDIR]}
VENV=${2:?usage: convert_check.sh LFM VENV MODELDIR [WORKDIR]}
MODEL=${3:?usage: convert_check.sh LFM VENV MODELDIR [WORKDIR]}
HERE=$(cd "$(dirname "$0")" && pwd)
DEMO=${LFM_DEMO_DATA:-$HERE/../../../shared/llamafactory/data}
[ -f "$DEMO/alpaca_en_demo.json" ] || { echo "convert_check: no demo data at $DEMO (set LFM_DEMO_DATA)" >&2; exit 1; }
LFM=$(cd "$(dirname "$LFM")" && pwd)/$(basename "$LFM")

if [ -n "${4:-}" ]; then WORK=$4; mkdir -p "$WORK"; else WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT; fi
"$LFM" init "$WORK" >/dev/null
DATA="$WORK/data"

# NAME  SOURCE-FILE  TARGET  STAGE
conversions=(
  "alpaca_en_demo_sharegpt alpaca_en_demo.json sharegpt sft"
  "alpaca_en_demo_openai   alpaca_en_demo.json openai   sft"
  "dpo_en_demo_alpaca      dpo_en_demo.json    alpaca   dpo"
  "dpo_en_demo_openai      dpo_en_demo.json    openai   dpo"
  "kto_en_demo_alpaca      kto_en_demo.json    alpaca   kto"
  "kto_en_demo_sharegpt    kto_en_demo.json    sharegpt kto"
  "glaive_toolcall_en_demo_openai glaive_toolcall_en_demo.json openai sft"
)
checks=()
for line in "${conversions[@]}"; do
  read -r name source target stage <<<"$line"
  echo "== $source → $target ($name)"
  "$LFM" convert "$DEMO/$source" --to "$target" --out "$DATA/$name.json" --register --name "$name" --lf-dir "$WORK"
  checks+=(--check "$name:$stage")
done
# A chain back to the start: the registered ShareGPT copy → Alpaca again.
"$LFM" convert alpaca_en_demo_sharegpt --to alpaca --out "$DATA/alpaca_en_demo_roundtrip.json" --register --name alpaca_en_demo_roundtrip --lf-dir "$WORK"
checks+=(--check "alpaca_en_demo_roundtrip:sft")

"$LFM" list --lf-dir "$WORK"
LOADER=${LFM_LOAD_DATASETS:-$HERE/load_datasets.py}
if [ ! -f "$LOADER" ]; then
  echo "convert_check: $LOADER not found; converted datasets are registered in $DATA" >&2
  exit 1
fi
exec "$VENV/bin/python" "$LOADER" --dataset-dir "$DATA" --model "$MODEL" --template llama3 "${checks[@]}"
