#!/usr/bin/env bash
# lfm train end to end with the REAL LLaMA-Factory (CPU, offline, tiny local model):
#   lfm init → lfm register the bundled examples → lfm train (sft, dpo, kto, pt; 10 LoRA steps each)
#   → every run must exit 0 and leave trainer_log.jsonl and the adapter; lfm runs / lfm status
#   must show them; lfm plot must write an SVG; lfm export/chat --dry-run must plan.
# Usage: lfm_train_e2e.sh LFM_BINARY VENV
# Env:   LFM_TINY_MODEL (default ~/.cache/lfm/tiny-llama3), LFM_E2E_KEEP=1 keeps the work dir.
set -euo pipefail
LFM=${1:?usage: lfm_train_e2e.sh LFM_BINARY VENV}
VENV=${2:?usage: lfm_train_e2e.sh LFM_BINARY VENV}
LFM=$(cd "$(dirname "$LFM")" && pwd)/$(basename "$LFM")
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
MODEL=${LFM_TINY_MODEL:-$HOME/.cache/lfm/tiny-llama3}
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false NO_COLOR=1

WORK=$(mktemp -d "${TMPDIR:-/tmp}/lfm-train-e2e.XXXXXX")
if [ "${LFM_E2E_KEEP:-0}" = 1 ]; then echo "work dir: $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
export HF_DATASETS_CACHE="$WORK/hf-datasets-cache"
"$VENV/bin/python" "$HERE/make_tiny_model.py" "$MODEL" --corpus-dir "$REPO/docs/examples" >/dev/null

"$LFM" init "$WORK/ws" >/dev/null
cd "$WORK/ws"
for f in support_alpaca.json support_dpo.json support_kto.json router_manual.txt; do
  "$LFM" register "$REPO/docs/examples/$f" >/dev/null
done

failed=0
problems() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

# The dry run: YAML, argv and environment as one JSON object.
"$LFM" train --env "$VENV" --model "$MODEL" --template llama3 --dataset support_alpaca --dry-run --json >"$WORK/dry.json"
"$VENV/bin/python" - "$WORK/dry.json" "$VENV" <<'PY' || problems dry-run "bad --dry-run --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["dry_run"] is True and d["argv"][0] == sys.argv[2] + "/bin/llamafactory-cli" and d["argv"][1] == "train", d["argv"]
assert d["environment"]["PYTHONUNBUFFERED"] == "1" and d["environment"]["PATH"].startswith(sys.argv[2] + "/bin:")
assert "stage: sft" in d["yaml"] and "dataset_dir: " in d["yaml"] and d["run_id"] in d["run_dir"]
print("ok   dry-run --json (argv, environment, yaml)")
PY

for spec in sft=support_alpaca dpo=support_dpo kto=support_kto pt=router_manual; do
  stage=${spec%%=*} dataset=${spec#*=}
  start=$(date +%s%N)
  rc=0
  "$LFM" train --env "$VENV" --model "$MODEL" --template llama3 --dataset "$dataset" --stage "$stage" \
    --cutoff-len 256 --max-samples 50 --output-dir "$WORK/out-$stage" \
    --set max_steps=10 --set save_steps=10 --set logging_steps=1 --set gradient_accumulation_steps=1 \
    --set bf16=false --set fp16=false --set preprocessing_num_workers=1 --set dataloader_num_workers=0 \
    >"$WORK/$stage.stdout" 2>"$WORK/$stage.stderr" || rc=$?
  end=$(date +%s%N)
  ms=$(((end - start) / 1000000))
  out="$WORK/out-$stage"
  printf '== %s (%s): exit %d, wall %d.%01d s\n' "$stage" "$dataset" "$rc" $((ms / 1000)) $((ms % 1000 / 100))
  [ "$rc" -eq 0 ] || { problems "$stage" "lfm train exited $rc"; tail -n 20 "$WORK/$stage.stderr" | sed 's/^/  | /'; continue; }
  for f in trainer_log.jsonl adapter_model.safetensors adapter_config.json; do
    [ -f "$out/$f" ] || problems "$stage" "missing $f"
  done
  echo "   files: $(cd "$out" && ls | tr '\n' ' ')"
  echo "   trainer_log.jsonl: $(wc -l <"$out/trainer_log.jsonl") lines; last: $(tail -n 1 "$out/trainer_log.jsonl")"
  run=$(ls "$WORK/ws/.lfm/runs" | grep -- "-$stage-" | tail -n 1)
  [ -n "$run" ] || { problems "$stage" "no run directory"; continue; }
  for f in train.yaml run.json train.log; do [ -s "$WORK/ws/.lfm/runs/$run/$f" ] || problems "$stage" "run dir lacks $f"; done
  grep -q '"status": "finished"' "$WORK/ws/.lfm/runs/$run/run.json" || problems "$stage" "run.json status is not finished"
  grep -q '"checksum_algorithm": "sha256"' "$WORK/ws/.lfm/runs/$run/run.json" || problems "$stage" "run.json has no dataset sha256"
  grep -q 'train metrics' "$WORK/ws/.lfm/runs/$run/train.log" || problems "$stage" "train.log lacks LLaMA-Factory's train metrics"
  grep -q 'train metrics' "$WORK/$stage.stdout" || problems "$stage" "stdout lacks LLaMA-Factory's train metrics"
  status=$("$LFM" status "$run")
  echo "$status" | sed 's/^/   | /'
  echo "$status" | grep -q "finished (exit 0)" || problems "$stage" "lfm status does not say finished"
  echo "$status" | grep -q "10/10" || problems "$stage" "lfm status does not show 10/10 steps"
  echo "$status" | grep -q "adapter  $out" || problems "$stage" "lfm status does not show the adapter"
done

runs=$("$LFM" runs)
echo "$runs"
for stage in sft dpo kto pt; do
  echo "$runs" | grep -E -- "-$stage-.*finished +10/10" >/dev/null || problems runs "lfm runs lacks a finished 10/10 $stage run"
done
"$LFM" runs --json | "$VENV/bin/python" -c 'import json,sys; r=json.load(sys.stdin); assert len(r) == 4 and all(x["status"] == "finished" for x in r), r' \
  || problems runs "lfm runs --json"

# CPU keys (Tests/Conformance/README.md): the stage templates are written for GPUs
# (preprocessing_num_workers 16 splits a small pt dataset into shards too small to pack:
# "Cannot find sufficient samples"), so the measured CPU values are passed with --set.

# Resume / clobber guard: the sft output dir now holds a finished run.
if "$LFM" train --env "$VENV" --model "$MODEL" --template llama3 --dataset support_alpaca \
     --output-dir "$WORK/out-sft" --set max_steps=10 >/dev/null 2>"$WORK/clobber.err"; then
  problems clobber "lfm train overwrote a finished run without --fresh"
else
  grep -q "already holds a finished run" "$WORK/clobber.err" && echo "ok   refuses to clobber a finished run" || problems clobber "wrong message: $(cat "$WORK/clobber.err")"
fi

svg=$("$LFM" plot $(ls "$WORK/ws/.lfm/runs") --out "$WORK/loss.svg")
"$VENV/bin/python" -c 'import sys, xml.dom.minidom as m; d=m.parse(sys.argv[1]); assert len(d.getElementsByTagName("polyline")) == 4' "$svg" \
  && echo "ok   lfm plot: 4 curves in $svg" || problems plot "bad SVG"
[ -z "${LFM_E2E_SVG_COPY:-}" ] || cp "$svg" "$LFM_E2E_SVG_COPY"

sft_run=$(ls "$WORK/ws/.lfm/runs" | grep -- -sft- | head -n 1)
"$LFM" export "$sft_run" --dry-run | grep -q "llamafactory-cli export" && echo "ok   lfm export --dry-run" || problems export "no plan"
"$LFM" chat "$sft_run" --dry-run | grep -q "llamafactory-cli chat" && echo "ok   lfm chat --dry-run" || problems chat "no plan"

echo "lfm train e2e: 4 stages (sft dpo kto pt), $failed problem(s)"
[ "$failed" -eq 0 ]
