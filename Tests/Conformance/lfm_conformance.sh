#!/usr/bin/env bash
# lfm conformance: datasets registered by lfm must load cleanly through the REAL LLaMA-Factory.
#   1. `lfm init` a throwaway workspace,
#   2. `lfm register` our bundled examples (docs/examples) and, when ../shared is present, the
#      LLaMA-Factory demo files (as a user would: copied in, format detected),
#   3. load every registered dataset with LLaMA-Factory's own loader for its stage
#      (load_datasets.py): any error, or any dropped example, fails.
# Usage: lfm_conformance.sh LFM_BINARY VENV
set -euo pipefail
LFM=${1:?usage: lfm_conformance.sh LFM_BINARY VENV}
VENV=${2:?usage: lfm_conformance.sh LFM_BINARY VENV}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SHARED=${LFM_LF_SHARED:-$REPO/../shared/llamafactory}
MODEL=${LFM_TINY_MODEL:-$HOME/.cache/lfm/tiny-llama3}
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 NO_COLOR=1
PY="$VENV/bin/python"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/lfm-conf.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
"$PY" "$HERE/make_tiny_model.py" "$MODEL" --corpus-dir "$REPO/docs/examples" >/dev/null

"$LFM" init "$WORK/ws" >/dev/null
reg() { "$LFM" register --lf-dir "$WORK/ws" "$@" >/dev/null; }
checks=()

# Our bundled examples: the three formats of the users' guide, KTO, pretraining text.
reg "$REPO/docs/examples/support_alpaca.json";              checks+=(support_alpaca:sft)
reg "$REPO/docs/examples/support_dpo.json";                 checks+=(support_dpo:dpo support_dpo:rm)
reg "$REPO/docs/examples/support_chat.json";                checks+=(support_chat:sft)
reg "$REPO/docs/examples/support_kto.json";                 checks+=(support_kto:kto)
reg "$REPO/docs/examples/router_manual.txt";                checks+=(router_manual:pt)

# Custom column names, inferred (question/answer) and explicit (--columns).
"$PY" - "$WORK/qa.json" "$WORK/custom.jsonl" <<'PY'
import json, sys
qa = [{"question": f"What is {n} plus {n}?", "answer": f"{2 * n}"} for n in range(1, 13)]
json.dump(qa, open(sys.argv[1], "w"), indent=2)
with open(sys.argv[2], "w") as f:
    for n in range(1, 13):
        f.write(json.dumps({"ask": f"Spell the number {n}.", "say": str(n) * 3, "sys": "Be brief."}) + "\n")
PY
reg "$WORK/qa.json";                                         checks+=(qa:sft)
reg "$WORK/custom.jsonl" --columns prompt=ask,response=say,system=sys; checks+=(custom:sft)

# A file with broken records, registered with --drop-invalid: the cleaned copy must load.
"$PY" - "$WORK/mixed.json" <<'PY'
import json, sys
rows = [{"instruction": f"Say {n}", "input": "", "output": str(n)} for n in range(12)]
rows[3]["output"] = {"not": "a string"}
rows[7]["instruction"] = ""
json.dump(rows, open(sys.argv[1], "w"), indent=2)
PY
reg "$WORK/mixed.json" --drop-invalid;                       checks+=(mixed:sft)

if [ -f "$SHARED/data/dataset_info.json" ]; then
  D="$SHARED/data"
  reg "$D/alpaca_en_demo.json";          checks+=(alpaca_en_demo:sft)
  reg "$D/alpaca_zh_demo.json";          checks+=(alpaca_zh_demo:sft)
  reg "$D/identity.json";                checks+=(identity:sft)
  reg "$D/glaive_toolcall_en_demo.json"; checks+=(glaive_toolcall_en_demo:sft)
  reg "$D/dpo_en_demo.json";             checks+=(dpo_en_demo:dpo)
  reg "$D/kto_en_demo.json";             checks+=(kto_en_demo:kto)
  reg "$D/c4_demo.jsonl";                checks+=(c4_demo:pt)
  reg "$D/wiki_demo.txt";                checks+=(wiki_demo:pt)
else
  echo "note: $SHARED not found; checking lfm's bundled examples only"
fi

"$LFM" list --lf-dir "$WORK/ws"
args=()
for c in "${checks[@]}"; do args+=(--check "$c"); done
"$PY" "$HERE/load_datasets.py" --dataset-dir "$WORK/ws/data" --model "$MODEL" --template llama3 "${args[@]}"
