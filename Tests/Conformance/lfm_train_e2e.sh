#!/usr/bin/env bash
# lfm train end to end with the REAL LLaMA-Factory (CPU, offline, tiny local model):
#   lfm init → lfm register the bundled examples → lfm train (sft, dpo, kto, pt; 10 LoRA steps each)
#   → every run must exit 0 and leave trainer_log.jsonl and the adapter; lfm runs / lfm status
#   must show them; lfm plot must write an SVG; lfm export/chat --dry-run must plan.
#   Then the run plan (docs/training.md): lfm doctor --json reports the venv; a run with NO --set
#   trains to completion on the CPU (hardware-aware defaults) with a loss curve; a run interrupted
#   after a checkpoint is continued by the exact command lfm printed, its trainer_log.jsonl
#   continuing from the checkpoint's step.
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

# lfm doctor: the venv's LLaMA-Factory, torch, and no GPU on the CI machine.
export XDG_CACHE_HOME="$WORK/cache"   # the probe's cache stays in the work dir
"$LFM" doctor --env "$VENV" --json >"$WORK/doctor.json" || true
"$VENV/bin/python" - "$WORK/doctor.json" <<'PY' || problems doctor "bad lfm doctor --json: $(head -c 600 "$WORK/doctor.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["llamafactory"] == "0.9.5", d["llamafactory"]
assert d["torch"], d
assert d["gpu"] == "no GPU", d["gpu"]
assert not [v for v in d["verdicts"] if v["level"] == "error"], d["verdicts"]
print("ok   lfm doctor --json: LLaMA-Factory %s, torch %s, %s" % (d["llamafactory"], d["torch"], d["gpu"]))
PY

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
    --cutoff-len 256 --max-samples 50 --grad-accum 1 --output-dir "$WORK/out-$stage" --set max_steps=10 \
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
  echo "$status" | grep "finished (exit 0)" >/dev/null || problems "$stage" "lfm status does not say finished"
  echo "$status" | grep "10/10" >/dev/null || problems "$stage" "lfm status does not show 10/10 steps"
  echo "$status" | grep "adapter  $out" >/dev/null || problems "$stage" "lfm status does not show the adapter"
done

runs=$("$LFM" runs)
echo "$runs"
for stage in sft dpo kto pt; do
  echo "$runs" | grep -E -- "-$stage-.*finished +10/10" >/dev/null || problems runs "lfm runs lacks a finished 10/10 $stage run"
done
"$LFM" runs --json | "$VENV/bin/python" -c 'import json,sys; r=json.load(sys.stdin); assert len(r) == 4 and all(x["status"] == "finished" for x in r), r' \
  || problems runs "lfm runs --json"

# No CPU --set workarounds above: lfm's plan picks fp32, one preprocessing worker (16 split a
# small pt dataset into shards too small to pack), no loader workers and logging every step.

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
"$LFM" export "$sft_run" --dry-run | grep "llamafactory-cli export" >/dev/null && echo "ok   lfm export --dry-run" || problems export "no plan"
"$LFM" chat "$sft_run" --dry-run | grep "llamafactory-cli chat" >/dev/null && echo "ok   lfm chat --dry-run" || problems chat "no plan"

# The plan fits the machine: no --set at all (templates say bf16 and 16 workers; a CPU has neither).
start=$(date +%s)
rc=0
"$LFM" train --env "$VENV" --model "$MODEL" --template llama3 --dataset support_alpaca \
  >"$WORK/plain.stdout" 2>"$WORK/plain.stderr" || rc=$?
echo "== no --set: exit $rc, wall $(( $(date +%s) - start )) s"
grep '^note: ' "$WORK/plain.stderr" | sed 's/^/   | /'
plain=$(ls "$WORK/ws/.lfm/runs" | tail -n 1)
if [ "$rc" -ne 0 ]; then
  problems plain "lfm train without --set exited $rc"; tail -n 20 "$WORK/plain.stderr" | sed 's/^/  | /'
else
  grep -q "bf16: false, fp16: false - no GPU" "$WORK/plain.stderr" || problems plain "the plan does not state the fp32 choice"
  status=$("$LFM" status "$plain")
  echo "$status" | sed 's/^/   | /'
  echo "$status" | grep "finished (exit 0)" >/dev/null || problems plain "not finished"
  # A loss curve: a sparkline of at least 5 points (12 records, 3 epochs: 6 steps, one loss each).
  echo "$status" | grep -E "^  loss +[▁▂▃▄▅▆▇█]{5,}" >/dev/null || problems plain "no loss curve in lfm status"
fi

# Ctrl-C after a checkpoint, then the exact command lfm printed. Long enough (80 steps, a checkpoint
# every 2) that the interrupt lands mid-run even on a quiet machine, where 6 steps end within the poll.
"$LFM" train --env "$VENV" --model "$MODEL" --template llama3 --dataset support_alpaca \
  --epochs 40 --set logging_steps=1 --set save_steps=2 >"$WORK/int.stdout" 2>"$WORK/int.stderr" &
pid=$!
interrupted=""
for _ in $(seq 1 600); do
  run=$(ls "$WORK/ws/.lfm/runs" | tail -n 1)
  if [ "$run" != "$plain" ] && [ -n "$run" ]; then
    out=$("$VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["output_dir"])' "$WORK/ws/.lfm/runs/$run/run.json" 2>/dev/null || true)
    if [ -n "$out" ] && [ -f "$out/checkpoint-2/trainer_state.json" ]; then interrupted=$run; break; fi
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
kill -INT "$pid" 2>/dev/null || true
rc=0; wait "$pid" || rc=$?
hint=$(grep -o 'with: lfm train --resume .*' "$WORK/int.stderr" | head -n 1 | sed 's/^with: //')
echo "== interrupted run $interrupted: exit $rc; lfm printed: $hint"
if [ -z "$interrupted" ] || [ "$rc" -ne 130 ] || [ -z "$hint" ]; then
  problems resume "no interrupted run with a resume hint (exit $rc)"; tail -n 5 "$WORK/int.stderr" | sed 's/^/  | /'
else
  ckpt=$(grep -o 'continue from checkpoint-[0-9]*' "$WORK/int.stderr" | grep -o '[0-9]*$' || true)
  [ -n "$ckpt" ] || { problems resume "no 'continue from checkpoint-N' hint"; tail -n 5 "$WORK/int.stderr" | sed 's/^/  | /'; }
  rc=0
  # The printed command, word for word (its first word is lfm).
  read -r -a words <<<"$hint"
  "$LFM" "${words[@]:1}" >"$WORK/resume.stdout" 2>"$WORK/resume.stderr" || rc=$?
  { grep '^note: ' "$WORK/resume.stderr" || true; } | sed 's/^/   | /'
  [ "$rc" -eq 0 ] || { problems resume "the printed command exited $rc"; tail -n 20 "$WORK/resume.stderr" | sed 's/^/  | /'; }
  grep -q "resuming from checkpoint-$ckpt" "$WORK/resume.stderr" || problems resume "no 'resuming from checkpoint-$ckpt' note"
  "$VENV/bin/python" - "$out/trainer_log.jsonl" "$ckpt" <<'PY' || problems resume "trainer_log.jsonl does not continue from the checkpoint"
import json, sys
steps = [json.loads(l)["current_steps"] for l in open(sys.argv[1]) if "loss" in json.loads(l)]
total = [json.loads(l)["total_steps"] for l in open(sys.argv[1])][-1]
assert steps == list(range(1, total + 1)), steps
print("ok   resumed from checkpoint-%s: trainer_log steps %s" % (sys.argv[2], steps))
PY
  status=$("$LFM" status "$interrupted")
  echo "$status" | grep "finished (exit 0)" >/dev/null || problems resume "the resumed run is not finished: $status"
fi

echo "lfm train e2e: 4 stages (sft dpo kto pt), doctor, no-set run, interrupt+resume: $failed problem(s)"
[ "$failed" -eq 0 ]
