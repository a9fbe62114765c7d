#!/usr/bin/env bash
# Train-smoke: run the REAL `llamafactory-cli train` on CPU, offline, with the tiny local model,
# for 10 LoRA steps per stage, and check what it leaves in output_dir.
#
# Usage: train_smoke.sh VENV MODELDIR DATASET_DIR [STAGE ...]
#   STAGE in sft dpo kto pt rm (default: sft dpo kto pt). Datasets: sft=alpaca_en_demo,
#   dpo/rm=dpo_en_demo, kto=kto_en_demo, pt=c4_demo (override with STAGE=NAME, e.g. sft=identity).
# Env: LFM_SMOKE_WORKDIR  where YAMLs, logs and output dirs go (default: a fresh mktemp -d; kept).
#      LFM_SMOKE_STEPS    max_steps (default 10).
# For each stage prints: wall time, the output_dir listing, 2 lines of trainer_log.jsonl.
# Exit status: 0 if every stage finished and wrote trainer_log.jsonl (reaching max_steps),
# adapter_model.safetensors, adapter_config.json and checkpoint-<max_steps>/; else 1.
set -euo pipefail

VENV=${1:?usage: train_smoke.sh VENV MODELDIR DATASET_DIR [STAGE ...]}
MODEL=$(cd "${2:?model dir}" && pwd)
DATA=$(cd "${3:?dataset dir}" && pwd)
shift 3
STAGES=("$@")
[ ${#STAGES[@]} -gt 0 ] || STAGES=(sft dpo kto pt)
STEPS=${LFM_SMOKE_STEPS:-10}
WORK=${LFM_SMOKE_WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/lfm-train-smoke.XXXXXX")}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export HF_DATASETS_CACHE="$WORK/hf-datasets-cache"

default_dataset() {
  case "$1" in
    sft) echo alpaca_en_demo ;;
    dpo|rm) echo dpo_en_demo ;;
    kto) echo kto_en_demo ;;
    pt) echo c4_demo ;;
    *) echo "train_smoke: unknown stage $1" >&2; return 1 ;;
  esac
}

write_yaml() { # stage dataset output_dir yaml
  local stage=$1 dataset=$2 out=$3 yaml=$4
  {
    echo "### model"
    echo "model_name_or_path: $MODEL"
    echo "### method"
    echo "stage: $stage"
    echo "do_train: true"
    echo "finetuning_type: lora"
    echo "lora_rank: 8"
    echo "lora_target: all"
    case "$stage" in
      dpo) echo "pref_beta: 0.1"; echo "pref_loss: sigmoid" ;;
      kto) echo "pref_beta: 0.1" ;;
    esac
    echo "### dataset"
    echo "dataset: $dataset"
    echo "dataset_dir: $DATA"
    echo "template: llama3"
    echo "cutoff_len: 256"
    echo "max_samples: 50"
    echo "overwrite_cache: true"
    echo "preprocessing_num_workers: 1"
    echo "dataloader_num_workers: 0"
    echo "### output"
    echo "output_dir: $out"
    echo "logging_steps: 1"
    echo "save_steps: $STEPS"
    echo "overwrite_output_dir: true"
    echo "report_to: none"
    echo "### train (CPU: no bf16/fp16)"
    echo "per_device_train_batch_size: 1"
    echo "gradient_accumulation_steps: 1"
    echo "learning_rate: 1.0e-4"
    echo "max_steps: $STEPS"
    echo "lr_scheduler_type: cosine"
    echo "bf16: false"
    echo "fp16: false"
  } >"$yaml"
}

failed=0
for spec in "${STAGES[@]}"; do
  stage=${spec%%=*}
  if [ "$spec" != "$stage" ]; then dataset=${spec#*=}; else dataset=$(default_dataset "$stage"); fi
  out="$WORK/out-$stage"
  yaml="$WORK/$stage.yaml"
  log="$WORK/$stage.log"
  rm -rf "$out"
  write_yaml "$stage" "$dataset" "$out" "$yaml"

  echo "== $stage ($dataset): $VENV/bin/llamafactory-cli train $yaml"
  start=$(date +%s%N)
  if "$VENV/bin/llamafactory-cli" train "$yaml" >"$log" 2>&1; then rc=0; else rc=$?; fi
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  printf 'wall: %d.%01d s, exit %d, log: %s\n' $((ms / 1000)) $((ms % 1000 / 100)) "$rc" "$log"

  problems=()
  [ "$rc" -eq 0 ] || problems+=("llamafactory-cli exited $rc")
  if [ -d "$out" ]; then
    echo "output_dir files:"
    (cd "$out" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | sed 's/^/  /')
  else
    problems+=("no output_dir")
  fi
  for f in trainer_log.jsonl adapter_model.safetensors adapter_config.json "checkpoint-$STEPS/adapter_model.safetensors"; do
    [ -f "$out/$f" ] || problems+=("missing $f")
  done
  if [ -f "$out/trainer_log.jsonl" ]; then
    echo "trainer_log.jsonl (first 2 of $(wc -l <"$out/trainer_log.jsonl") lines):"
    head -n 2 "$out/trainer_log.jsonl" | sed 's/^/  /'
    last=$("$VENV/bin/python" -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[-1])["current_steps"])' "$out/trainer_log.jsonl" 2>/dev/null || echo "?")
    [ "$last" = "$STEPS" ] || problems+=("trainer_log.jsonl ends at current_steps=$last, expected $STEPS")
  fi
  if grep -q "Dropped invalid example\|Skipping this abnormal example" "$log"; then
    problems+=("LLaMA-Factory dropped examples (see $log)")
  fi
  if [ ${#problems[@]} -eq 0 ]; then
    echo "ok   train $stage ($dataset)"
  else
    echo "FAIL train $stage ($dataset): ${problems[*]}"
    tail -n 15 "$log" | sed 's/^/  | /'
    failed=$((failed + 1))
  fi
done

echo "$((${#STAGES[@]} - failed)) passed, $failed failed (work dir: $WORK)"
[ "$failed" -eq 0 ]
