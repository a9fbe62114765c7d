#!/usr/bin/env bash
# lfm on a cluster, for real, with the REAL LLaMA-Factory (CPU, offline, tiny local model):
#   1. a one-node Slurm cluster (.ci/slurm-up.sh): `lfm train --slurm --nproc-per-node 2` runs
#      through sbatch/srun to COMPLETED, `world size: 2` in its log, an adapter; `lfm status`,
#      `lfm runs --json`, `lfm logs -f` follow it;
#   2. a long Slurm job cancelled with `lfm cancel` shows CANCELLED;
#   3. (LFM_SLURM_REQUEUE=0 skips it, ~2 min) a job sent USR1 (what --signal=B:USR1@N does near the
#      time limit) requeues itself and resumes from its newest checkpoint;
#   4. torchrun across two "nodes" on loopback without a scheduler: two `lfm train --nnodes 2
#      --node-rank 0|1 --master-addr 127.0.0.1` (no NPROC_PER_NODE exported) train together;
#      two run ids, one job, only rank 0 claims the adapter.
# Usage: cluster_e2e.sh LFM_BINARY VENV
# Prints `SKIPPED: ...` and exits 0 only when Slurm cannot be installed (then step 4 still runs).
set -euo pipefail
LFM=${1:?usage: cluster_e2e.sh LFM_BINARY VENV}
VENV=${2:?usage: cluster_e2e.sh LFM_BINARY VENV}
LFM=$(cd "$(dirname "$LFM")" && pwd)/$(basename "$LFM")
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
MODEL=${LFM_TINY_MODEL:-$HOME/.cache/lfm/tiny-llama3}
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false NO_COLOR=1
unset NPROC_PER_NODE NNODES NODE_RANK MASTER_ADDR MASTER_PORT FORCE_TORCHRUN

WORK=$(mktemp -d "${TMPDIR:-/tmp}/lfm-cluster-e2e.XXXXXX")
if [ "${LFM_E2E_KEEP:-0}" = 1 ]; then echo "work dir: $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
export HF_DATASETS_CACHE="$WORK/hf-datasets-cache"
"$VENV/bin/python" "$HERE/make_tiny_model.py" "$MODEL" --corpus-dir "$REPO/docs/examples" >/dev/null
"$LFM" init "$WORK/ws" >/dev/null
cd "$WORK/ws"
"$LFM" register "$REPO/docs/examples/support_alpaca.json" >/dev/null

failed=0
problems() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
ok() { echo "ok   $1"; }
# CPU settings (see lfm_train_e2e.sh); $1 = max_steps, $2 = save_steps.
train_args() {
  echo --env "$VENV" --model "$MODEL" --template llama3 --dataset support_alpaca --cutoff-len 128 --max-samples 20 \
    --set max_steps="$1" --set save_steps="$2" --set logging_steps=1 --set gradient_accumulation_steps=1 \
    --set bf16=false --set fp16=false --set preprocessing_num_workers=1 --set dataloader_num_workers=0
}
newest_run() { ls "$WORK/ws/.lfm/runs" | tail -n 1; }
json_field() { "$VENV/bin/python" -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
wait_for() { # seconds, description, command...
  local seconds=$1 what=$2; shift 2
  for _ in $(seq 1 "$seconds"); do "$@" && return 0; sleep 1; done
  problems wait "timed out after ${seconds}s waiting for $what"; return 1
}

slurm=1
rc=0
"$REPO/.ci/slurm-up.sh" >"$WORK/slurm-up.out" 2>"$WORK/slurm-up.err" || rc=$?
if [ "$rc" -eq 75 ]; then
  grep SKIPPED "$WORK/slurm-up.out" || echo "SKIPPED: Slurm could not be installed"
  slurm=0
elif [ "$rc" -ne 0 ]; then
  cat "$WORK/slurm-up.out" "$WORK/slurm-up.err"
  problems slurm-up "the one-node Slurm cluster did not come up (exit $rc)"
  slurm=0
else
  tail -n 1 "$WORK/slurm-up.err"
fi

if [ "$slurm" = 1 ]; then
  # 1. Two processes through sbatch/srun to COMPLETED.
  start=$(date +%s)
  # shellcheck disable=SC2046
  "$LFM" train $(train_args 4 2) --slurm --nproc-per-node 2 --dry-run >"$WORK/dry.sbatch" 2>/dev/null
  grep -q '^#SBATCH --nodes=1$' "$WORK/dry.sbatch" && grep -q '^export NPROC_PER_NODE=2$' "$WORK/dry.sbatch" \
    && ok "--slurm --dry-run prints job.sbatch" || problems dry-run "no job script printed"
  [ -z "$(ls "$WORK/ws/.lfm/runs" 2>/dev/null)" ] || problems dry-run "a dry run wrote a run directory"
  # shellcheck disable=SC2046
  "$LFM" train $(train_args 4 2) --slurm --nproc-per-node 2 >"$WORK/submit.out" 2>"$WORK/submit.err" \
    || { problems submit "lfm train --slurm failed"; cat "$WORK/submit.out" "$WORK/submit.err"; }
  cat "$WORK/submit.out"
  run=$(newest_run)
  timeout 600 "$LFM" logs "$run" -f >"$WORK/slurm1.log" 2>"$WORK/slurm1.logs-err" || problems logs "lfm logs -f did not end"
  status=$("$LFM" status "$run")
  echo "$status" | sed 's/^/   | /'
  echo "$status" | grep "finished (exit 0)" >/dev/null || problems slurm "lfm status does not say finished"
  echo "$status" | grep "COMPLETED" >/dev/null || problems slurm "lfm status does not show Slurm's COMPLETED"
  grep -q "world size: 2" "$WORK/slurm1.log" && ok "job log has world size: 2" || problems slurm "no 'world size: 2' in the job's log"
  out=$("$LFM" status "$run" --json | json_field 'd["output_dir"]')
  [ -f "$out/adapter_model.safetensors" ] && ok "adapter in $out" || problems slurm "no adapter in $out"
  [ "$(cat "$WORK/ws/.lfm/runs/$run/exit_code")" = 0 ] && ok "the job script wrote exit_code 0" || problems slurm "no exit_code 0"
  sha=$("$LFM" runs --json | json_field '[r for r in d if r["id"] == "'"$run"'"][0]["cluster"]["script_sha256"]')
  [ "$sha" = "$(sha256sum "$WORK/ws/.lfm/runs/$run/job.sbatch" | cut -d' ' -f1)" ] && ok "run.json has the script's sha256" \
    || problems slurm "script sha256 mismatch ($sha)"
  echo "   slurm run: $(( $(date +%s) - start )) s"

  # 2. A long job, cancelled.
  # shellcheck disable=SC2046
  "$LFM" train $(train_args 100000 100000) --slurm >/dev/null 2>&1 || problems cancel "submit failed"
  run=$(newest_run)
  is_running() { [ "$("$LFM" status "$run" --json | json_field 'd["status"]')" = running ]; }
  wait_for 120 "job of $run to run" is_running || true
  "$LFM" cancel "$run" | tee "$WORK/cancel.out"
  status=$("$LFM" status "$run")
  echo "$status" | head -n 1 | grep "cancelled" >/dev/null && echo "$status" | grep CANCELLED >/dev/null \
    && ok "lfm cancel: cancelled (Slurm: CANCELLED)" || { problems cancel "not cancelled"; echo "$status"; }
  gone() { [ -z "$(squeue -h -j "$(sed -n 's/.*"job_id": "\([0-9]*\)".*/\1/p' "$WORK/ws/.lfm/runs/$run/run.json")" 2>/dev/null)" ]; }
  wait_for 60 "the cancelled job to leave the queue" gone && ok "the cancelled job left the queue" || true

  # 3. Requeue near the time limit, resume from the newest checkpoint (LFM_SLURM_REQUEUE=0 skips it).
  if [ "${LFM_SLURM_REQUEUE:-1}" = 1 ]; then
    # shellcheck disable=SC2046
    "$LFM" train $(train_args 200 5) --slurm >/dev/null 2>&1 || problems requeue "submit failed"
    run=$(newest_run)
    job=$(sed -n 's/.*"job_id": "\([0-9]*\)".*/\1/p' "$WORK/ws/.lfm/runs/$run/run.json")
    out=$("$LFM" status "$run" --json | json_field 'd["output_dir"]')
    has_ckpt() { [ -f "$out/checkpoint-10/trainer_state.json" ]; }
    wait_for 300 "checkpoint-10" has_ckpt && scancel -b -s USR1 "$job"
    # Slurm holds a requeued job (PENDING, reason BeginTime) for a while: let it start now.
    requeued() { scontrol show job -o "$job" | grep "JobState=PENDING" >/dev/null; }
    wait_for 120 "job $job to be requeued" requeued && scontrol update JobId="$job" StartTime=now || true
    timeout 600 "$LFM" logs "$run" -f >"$WORK/requeue.log" 2>&1 || problems requeue "lfm logs -f did not end"
    grep -q "requeueing job $job" "$WORK/requeue.log" && grep -q "resumes from $out/checkpoint-" "$WORK/requeue.log" \
      && ok "USR1: requeued, then $(grep -o "resumes from .*" "$WORK/requeue.log" | head -n 1)" \
      || problems requeue "no requeue/resume in the log"
    status=$("$LFM" status "$run")
    echo "$status" | grep "finished (exit 0)" >/dev/null && ok "requeued job finished" \
      || { problems requeue "not finished"; echo "$status"; grep -a "^lfm" "$WORK/requeue.log"; scontrol show job -o "$job"; }
    ckpt=$(grep -o "resumes from .*checkpoint-[0-9]*" "$WORK/requeue.log" | head -n 1 | sed 's/.*checkpoint-//')
    "$VENV/bin/python" - "$out/trainer_log.jsonl" "${ckpt:-0}" <<'PY' || problems requeue "trainer_log does not continue from the checkpoint"
import json, sys
steps = [json.loads(l)["current_steps"] for l in open(sys.argv[1]) if l.strip()]
ckpt = int(sys.argv[2])
# The requeued attempt starts at the checkpoint's next step (not at 1 again) and runs to the end;
# steps the first attempt logged after its checkpoint may appear twice.
assert ckpt > 0 and steps.count(1) == 1, (ckpt, steps)
i = len(steps) - 1 - steps[::-1].index(ckpt + 1)
tail = steps[i:]
total = max(steps)
assert tail in (list(range(ckpt + 1, total + 1)), list(range(ckpt + 1, total + 1)) + [total]), (ckpt, steps)
print(f"ok   trainer_log: steps 1..{max(steps[:i] or [0])}, then {ckpt + 1}..{total} after the requeue")
PY
  fi
fi

# 4. torchrun across two nodes on loopback, no scheduler, NPROC_PER_NODE not exported.
port=$((29600 + RANDOM % 300))
# shellcheck disable=SC2046
"$LFM" train $(train_args 4 4) --nnodes 2 --node-rank 0 --master-addr 127.0.0.1 --master-port "$port" \
  >"$WORK/node0.out" 2>"$WORK/node0.err" &
node0=$!
rc1=0
# shellcheck disable=SC2046
timeout 600 "$LFM" train $(train_args 4 4) --nnodes 2 --node-rank 1 --master-addr 127.0.0.1 --master-port "$port" \
  >"$WORK/node1.out" 2>"$WORK/node1.err" || rc1=$?
rc0=0
wait "$node0" || rc0=$?
[ "$rc0" = 0 ] && [ "$rc1" = 0 ] && ok "two nodes on loopback: both exit 0" \
  || { problems multinode "exits $rc0/$rc1"; tail -n 15 "$WORK/node0.err" "$WORK/node1.err"; }
grep -hq "world size: 2" "$WORK/node0.out" "$WORK/node0.err" && ok "node 0 log has world size: 2" || problems multinode "no world size: 2"
grep -q "worker node 1 of 2" "$WORK/node1.err" && ok "node 1 reports: $(grep -o 'worker node 1 of 2.*' "$WORK/node1.err")" \
  || problems multinode "node 1 does not say it is a worker"
grep -q "adapter:" "$WORK/node0.err" || problems multinode "node 0 does not claim the adapter"
! grep -q "lfm chat" "$WORK/node1.err" || problems multinode "node 1 suggests lfm chat on an adapter it did not write"
runs=$("$LFM" runs --json)
echo "$runs" | "$VENV/bin/python" -c '
import json, sys
runs = [r for r in json.load(sys.stdin) if r["cluster"] and not r["cluster"].get("slurm_job_id")]
assert len(runs) == 2, runs
assert len({r["id"] for r in runs}) == 2 and len({r["cluster"]["job"] for r in runs}) == 1, runs
assert sorted(r["cluster"]["role"] for r in runs) == ["primary", "worker"], runs
assert all(r["status"] == "finished" for r in runs), runs
print("ok   lfm runs: two runs, one job", runs[0]["cluster"]["job"])' || problems multinode "lfm runs --json"
# (grep -q on a pipe from lfm would stop reading early: SIGPIPE, and pipefail calls it a failure)
table=$("$LFM" runs)
echo "$table" | grep "↳ finished" >/dev/null && ok "lfm runs groups node 1 under node 0" || { problems multinode "lfm runs table"; echo "$table"; }
wide=$("$LFM" runs --wide)
echo "$wide" | grep "↳ node 1/2" >/dev/null && ok "lfm runs --wide names it node 1/2" || { problems multinode "lfm runs --wide"; echo "$wide"; }

echo "cluster e2e: $([ "$slurm" = 1 ] && echo "slurm + ")torchrun across nodes, $failed problem(s)"
[ "$failed" -eq 0 ]
