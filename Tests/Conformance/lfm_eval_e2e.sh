#!/usr/bin/env bash
# lfm eval and lfm export end to end with the REAL LLaMA-Factory (CPU, offline, tiny local model):
#   split a dataset (--register) → train on its _train part (10 LoRA steps) → lfm eval --json must
#   report BLEU-4 and ROUGE-L for adapter and base and write eval.md/eval.html; lfm runs --json must
#   carry them; training data must be refused; lfm export must verify the merge, and an export whose
#   weights were replaced by the base model's must be reported as NOT merged (exit 1).
# Usage: lfm_eval_e2e.sh LFM_BINARY VENV
# Env:   LFM_TINY_MODEL (default ~/.cache/lfm/tiny-llama3), LFM_E2E_KEEP=1 keeps the work dir.
set -euo pipefail
LFM=${1:?usage: lfm_eval_e2e.sh LFM_BINARY VENV}
VENV=${2:?usage: lfm_eval_e2e.sh LFM_BINARY VENV}
LFM=$(cd "$(dirname "$LFM")" && pwd)/$(basename "$LFM")
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
MODEL=${LFM_TINY_MODEL:-$HOME/.cache/lfm/tiny-llama3}
PY="$VENV/bin/python"
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false NO_COLOR=1

# LLaMA-Factory's scoring needs jieba, nltk and rouge-chinese (.ci/setup-llamafactory.sh installs them).
if ! "$PY" -c 'import jieba, nltk, rouge_chinese' 2>/dev/null; then
  if ! "$PY" -m pip install -q --disable-pip-version-check jieba nltk rouge-chinese >/dev/null 2>&1; then
    echo "SKIPPED: lfm eval conformance (jieba, nltk, rouge-chinese cannot be installed)"
    exit 0
  fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/lfm-eval-e2e.XXXXXX")
if [ "${LFM_E2E_KEEP:-0}" = 1 ]; then echo "work dir: $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi
export HF_DATASETS_CACHE="$WORK/hf-datasets-cache"
"$PY" "$HERE/make_tiny_model.py" "$MODEL" --corpus-dir "$REPO/docs/examples" >/dev/null

"$LFM" init "$WORK/ws" >/dev/null
cd "$WORK/ws"
"$LFM" register "$REPO/docs/examples/support_alpaca.json" >/dev/null
"$LFM" split support_alpaca --val 0.3 --register >/dev/null

failed=0
problems() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

# lfm doctor reports the metric packages of the env.
XDG_CACHE_HOME="$WORK/cache" "$LFM" doctor --env "$VENV" --json 2>/dev/null | "$PY" -c '
import json, sys
v = [x for x in json.load(sys.stdin)["verdicts"] if x["check"] == "metrics"]
assert v and v[0]["level"] == "ok", v
print("ok   lfm doctor: " + v[0]["message"])' || problems doctor "lfm doctor --json has no ok metrics verdict"

rc=0
"$LFM" train --env "$VENV" --model "$MODEL" --template llama3 --dataset support_alpaca_train \
  --cutoff-len 256 --output-dir "$WORK/out" --lr 5e-3 \
  --set max_steps=10 --set save_steps=10 --set logging_steps=1 --set gradient_accumulation_steps=1 \
  --set bf16=false --set fp16=false --set preprocessing_num_workers=1 --set dataloader_num_workers=0 \
  >"$WORK/train.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { tail -n 20 "$WORK/train.out"; echo "FAIL train: exit $rc"; exit 1; }
run=$(ls "$WORK/ws/.lfm/runs" | tail -n 1)
rundir="$WORK/ws/.lfm/runs/$run"

# Training data is refused, and the refusal changes nothing.
before=$(sha256sum "$rundir/run.json")
rc=0
"$LFM" eval "$run" --dataset support_alpaca_train --max-new-tokens 8 >"$WORK/refuse.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "evaluating on training data" "$WORK/refuse.out" && echo "ok   training data refused" \
  || problems refuse "exit $rc: $(cat "$WORK/refuse.out")"
[ "$before" = "$(sha256sum "$rundir/run.json")" ] || problems refuse "run.json changed"

# The real thing: adapter and base on the held-out split (the default dataset).
start=$(date +%s)
rc=0
"$LFM" eval "$run" --max-new-tokens 16 --json >"$WORK/eval.json" 2>"$WORK/eval.err" || rc=$?
echo "== lfm eval: exit $rc, wall $(( $(date +%s) - start )) s"
[ "$rc" -eq 0 ] || { tail -n 20 "$WORK/eval.err"; problems eval "exit $rc"; }
"$PY" - "$WORK/eval.json" "$rundir" <<'PY' || problems eval "bad lfm eval --json / run.json / reports"
import json, os, sys
d = json.load(open(sys.argv[1])); rundir = sys.argv[2]
for side in ("adapter", "base"):
    m = d[side]["metrics"]
    assert isinstance(m["bleu_4"], (int, float)) and isinstance(m["rouge_l"], (int, float)), (side, m)
    assert d[side]["samples"] == 4, d[side]["samples"]
    assert os.path.exists(d[side]["predictions"]) and "do_predict: true" in d[side]["yaml"], side
assert "adapter_name_or_path" in d["adapter"]["yaml"] and "adapter_name_or_path" not in d["base"]["yaml"]
strip = lambda y: "\n".join(l for l in y.splitlines() if not l.startswith(("adapter_name_or_path", "output_dir")))
assert strip(d["adapter"]["yaml"]) == strip(d["base"]["yaml"]), "adapter and base settings differ"
assert abs(d["delta"]["rouge_l"] - (d["adapter"]["metrics"]["rouge_l"] - d["base"]["metrics"]["rouge_l"])) < 1e-3
ds = d["datasets"][0]
assert ds["name"] == "support_alpaca_val" and len(ds["sha256"]) == 64, ds
run = json.load(open(rundir + "/run.json"))
assert run["eval"]["adapter"]["metrics"] == d["adapter"]["metrics"], "run.json lacks the eval entry"
md = open(rundir + "/eval.md").read(); html = open(rundir + "/eval.html").read()
for text in (md, html):
    assert "ROUGE-L" in text and "BLEU-4" in text and "support_alpaca_val" in text.replace("\\_", "_")
assert "<script" not in html and "&gt;" in html  # answers are escaped (the references contain '>')
print("ok   eval --json: adapter BLEU-4 %.2f ROUGE-L %.2f, base BLEU-4 %.2f ROUGE-L %.2f; eval.md, eval.html"
      % (d["adapter"]["metrics"]["bleu_4"], d["adapter"]["metrics"]["rouge_l"], d["base"]["metrics"]["bleu_4"], d["base"]["metrics"]["rouge_l"]))
PY
"$LFM" runs --json | "$PY" -c '
import json, sys
r = json.load(sys.stdin)[-1]
e = r["eval"]
assert e and e["adapter"]["rouge_l"] is not None and e["base"]["bleu_4"] is not None and "rouge_l" in e["delta"], e
print("ok   lfm runs --json carries the eval metrics")' || problems runs "lfm runs --json lacks eval"
runs_out=$("$LFM" runs)
echo "$runs_out" | grep "ROUGE-L" >/dev/null || problems runs "lfm runs has no ROUGE-L column"
status_out=$("$LFM" status "$run")
echo "$status_out" | grep -E "eval +ROUGE-L" >/dev/null || problems status "lfm status has no eval line"
echo "$status_out" | grep -E "eval|report" | sed 's/^/   | /' 

# Export: the merge is verified; then the weights are replaced by the base model's.
rc=0
"$LFM" export "$run" >"$WORK/export.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] && grep -q "LoRA merged into" "$WORK/export.out" && echo "ok   export verified: $(grep 'LoRA merged:' "$WORK/export.out" | cut -c1-100)" \
  || { tail -n 20 "$WORK/export.out"; problems export "exit $rc"; }
grep -q "chat template: chat_template.jinja matches template llama3" "$WORK/export.out" || problems export "chat template not verified"
grep -q '"merged": true' "$rundir/run.json" || problems export "run.json lacks the merged verdict"
"$LFM" export "$run" --check --json 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
assert d["merged"] is True and d["ok"] is True and d["ollama_modelfile"].endswith("/Modelfile"), d
assert {c["name"] for c in d["checks"] if c["ok"]} == {"LoRA merged", "chat template", "adapter base model"}, d["checks"]
print("ok   export --check --json: merged, chat template, adapter base model")' || problems export "bad export --check --json"
exp="$WORK/ws/exports/$run"
for f in "$exp"/*.safetensors; do cp "$MODEL/model.safetensors" "$f"; done
rc=0
"$LFM" export "$run" --check >"$WORK/tampered.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "NOT merged" "$WORK/tampered.out" && echo "ok   tampered export reported as NOT merged (exit 1)" \
  || { cat "$WORK/tampered.out"; problems tampered "exit $rc"; }
grep -q '"merged": false' "$rundir/run.json" || problems tampered "run.json lacks the NOT merged verdict"

# lfm compare: a second, shorter run with another learning rate, not evaluated.
rc=0
"$LFM" train --env "$VENV" --model "$MODEL" --template llama3 --dataset support_alpaca_train \
  --cutoff-len 256 --output-dir "$WORK/out2" --lr 1e-3 \
  --set max_steps=3 --set save_steps=10 --set logging_steps=1 --set gradient_accumulation_steps=1 \
  --set bf16=false --set fp16=false --set preprocessing_num_workers=1 --set dataloader_num_workers=0 \
  >"$WORK/train2.out" 2>&1 || rc=$?
run2=$(ls "$WORK/ws/.lfm/runs" | tail -n 1)
if [ "$rc" -ne 0 ] || [ "$run2" = "$run" ]; then problems compare "second training run failed (exit $rc)"; else
  "$LFM" compare "$run" "$run2" --json >"$WORK/compare.json" 2>"$WORK/compare.err" || problems compare "lfm compare --json failed"
  "$PY" - "$WORK/compare.json" <<'PY' || problems compare "bad lfm compare --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d["differing_hyperparameters"]) == {"learning_rate", "max_steps"}, d["differing_hyperparameters"]
a, b = d["runs"]
assert a["datasets"][0]["sha256"] == b["datasets"][0]["sha256"] and len(a["datasets"][0]["sha256"]) == 64
assert a["final_loss"] is not None and b["final_loss"] is not None
assert a["eval"]["adapter"]["rouge_l"] is not None and b["eval"] is None
assert any("not evaluated yet" in n for n in d["notes"]), d["notes"]
print("ok   compare --json: differing %s, final loss %.4f / %.4f" % (d["differing_hyperparameters"], a["final_loss"], b["final_loss"]))
PY
  "$LFM" compare "$run" "$run2" | sed 's/^/   | /'
fi

if [ "$failed" -ne 0 ]; then echo "lfm eval/export e2e: $failed problem(s)"; exit 1; fi
echo "lfm eval/export e2e: all passed"
