#!/usr/bin/env python3
"""Field coverage conformance: the record fields lfm says LLaMA-Factory reads for an entry are
exactly the fields that reach LLaMA-Factory's converted `_prompt`, `_response`, `_system`, `_tools`
(and `_images`/`_videos`/`_audios`).

Usage: field_coverage.py LFM_BINARY MODEL_DIR WORKDIR [--demo DIR]

For each entry of a test registry (every local demo dataset with LLaMA-Factory's own entry, plus
partial / complete / no-columns variants of alpaca, sharegpt from/value, openai role/content,
preference and KTO data):

  lfm's claim:   `lfm validate NAME --json` -> report.fields.read (top-level fields) and
                 report.fields.dropped (`MESSAGES[].KEY` for message keys it says are not read).
  ground truth:  LLaMA-Factory's own loader (`llamafactory.data.loader._get_merged_dataset`) on
                 the file, then again on a copy where ONE field (or one message key) is changed in
                 every record (strings get a marker appended, booleans flipped, numbers + 1). The
                 field is read iff the converted columns differ (or the loader raises). Fields
                 without content in any record are not compared (lfm does not count them either).

An entry whose original file does not load in LLaMA-Factory must make `lfm validate` fail.
Prints one line per entry (`ok` / `FAIL`), then `N passed, M failed`; exit 1 on any failure.
"""

import copy
import json
import logging
import os
import shutil
import subprocess
import sys

COLUMNS = ("_prompt", "_response", "_system", "_tools", "_images", "_videos", "_audios")
MARK = "\u2063§"


def mutate(value):
    if isinstance(value, str):
        return value + MARK
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, list):
        return [mutate(v) for v in value]
    if isinstance(value, dict):
        return {k: mutate(v) for k, v in value.items()}
    return value


def has_content(value):
    return value is not None and value != "" and value != [] and value != {}


# ---------------------------------------------------------------------------------------------
# Test data: variants over a few record sets.

def alpaca_rows():
    rows = []
    for n in range(12):
        row = {"instruction": f"Add {n} and {n}.", "input": f"Numbers: {n}, {n}", "output": str(2 * n), "id": n}
        if n % 4 == 1:
            row["system"] = "Answer with a number only."
            row["history"] = [["What is 1 plus 1?", "2"]]
        rows.append(row)
    return rows


def sharegpt_rows(shadowed=False):
    rows = []
    for n in range(12):
        conv = [{"from": "human", "value": f"Hello {n}", "weight": 1}, {"from": "gpt", "value": f"Hi {n}!", "weight": 0}]
        row = {"conversations": conv, "tools": "", "id": f"c{n}", "meta": {"src": "unit"}}
        if shadowed or n % 3 == 0:
            row["system"] = "Be friendly."
        if shadowed or n % 3 == 1:
            conv.insert(0, {"from": "system", "value": "You are a greeter."})
        rows.append(row)
    return rows


def openai_rows():
    rows = []
    for n in range(12):
        msgs = [{"role": "user", "content": f"Weather in city {n}?"}]
        if n % 2 == 0:
            call = [{"type": "function", "function": {"name": "weather", "arguments": json.dumps({"city": n})}}]
            msgs += [
                {"role": "assistant", "content": "", "tool_calls": call},
                {"role": "tool", "content": f"sunny {n}"},
            ]
        msgs.append({"role": "assistant", "content": f"It is sunny in {n}.", "name": "bot"})
        if n % 3 == 0:
            msgs.insert(0, {"role": "system", "content": "You report weather."})
        row = {"messages": msgs, "id": n}
        if n % 2 == 0:
            row["tools"] = json.dumps([{"name": "weather", "parameters": {"type": "object"}}])
        rows.append(row)
    return rows


def preference_alpaca_rows():
    return [{"instruction": f"Name {n}.", "input": "", "chosen": f"good {n}", "rejected": f"bad {n}",
             "output": f"stray {n}", "source": "unit"} for n in range(12)]


def preference_sharegpt_rows():
    return [{"conversations": [{"from": "human", "value": f"Pick {n}"}],
             "chosen": {"from": "gpt", "value": f"good {n}"}, "rejected": {"from": "gpt", "value": f"bad {n}"},
             "system": "Judge." if n % 2 else "", "score": n} for n in range(12)]


def kto_alpaca_rows():
    return [{"instruction": f"Say {n}.", "input": "", "output": str(n), "kto_tag": n % 2 == 0, "chosen": "x", "note": "k"}
            for n in range(12)]


OPENAI_TAGS = {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant",
               "observation_tag": "tool", "function_tag": "function_call", "system_tag": "system"}
SHAREGPT_TAGS = {"role_tag": "from", "content_tag": "value", "user_tag": "human", "assistant_tag": "gpt",
                 "observation_tag": "observation", "function_tag": "function_call", "system_tag": "system"}


def variants():
    """(name, file name, rows, entry) for every synthetic case."""
    a, s, o = alpaca_rows(), sharegpt_rows(), openai_rows()
    pa, ps, ka = preference_alpaca_rows(), preference_sharegpt_rows(), kto_alpaca_rows()
    return [
        ("alpaca_complete", "alpaca.json", a, {"columns": {"prompt": "instruction", "query": "input", "response": "output",
                                                           "system": "system", "history": "history"}}),
        ("alpaca_partial", "alpaca.json", a, {"formatting": "alpaca", "columns": {"prompt": "instruction", "response": "output"}}),
        ("alpaca_nocolumns", "alpaca.json", a, {}),
        ("sharegpt_complete", "sharegpt.json", s, {"formatting": "sharegpt", "columns": {"messages": "conversations", "system": "system", "tools": "tools"},
                                                   "tags": SHAREGPT_TAGS}),
        ("sharegpt_partial", "sharegpt.json", s, {"formatting": "sharegpt", "columns": {"messages": "conversations"}}),
        ("sharegpt_nocolumns", "sharegpt.json", s, {"formatting": "sharegpt"}),
        ("sharegpt_shadowed", "sharegpt_shadowed.json", sharegpt_rows(shadowed=True),
         {"formatting": "sharegpt", "columns": {"messages": "conversations", "system": "system"}}),
        ("openai_complete", "openai.json", o, {"formatting": "openai", "columns": {"messages": "messages", "system": "system", "tools": "tools"},
                                               "tags": OPENAI_TAGS}),
        ("openai_as_sharegpt", "openai.json", o, {"formatting": "sharegpt", "columns": {"messages": "messages", "tools": "tools"},
                                                  "tags": OPENAI_TAGS}),
        ("openai_partial", "openai.json", o, {"formatting": "openai", "columns": {"messages": "messages"}, "tags": OPENAI_TAGS}),
        ("preference_alpaca_complete", "pref_alpaca.json", pa, {"ranking": True, "columns": {"prompt": "instruction", "query": "input",
                                                                                             "chosen": "chosen", "rejected": "rejected"}}),
        ("preference_alpaca_partial", "pref_alpaca.json", pa, {"ranking": True, "columns": {"prompt": "instruction", "chosen": "chosen",
                                                                                            "rejected": "rejected"}}),
        ("preference_alpaca_nocolumns", "pref_alpaca.json", pa, {"ranking": True}),
        ("preference_sharegpt_complete", "pref_sharegpt.json", ps, {"ranking": True, "formatting": "sharegpt",
                                                                    "columns": {"messages": "conversations", "chosen": "chosen",
                                                                                "rejected": "rejected", "system": "system"}}),
        ("preference_sharegpt_partial", "pref_sharegpt.json", ps, {"ranking": True, "formatting": "sharegpt",
                                                                   "columns": {"messages": "conversations", "chosen": "chosen", "rejected": "rejected"}}),
        ("kto_alpaca_complete", "kto_alpaca.json", ka, {"columns": {"prompt": "instruction", "query": "input", "response": "output",
                                                                    "kto_tag": "kto_tag"}}),
        ("kto_alpaca_partial", "kto_alpaca.json", ka, {"columns": {"prompt": "instruction", "response": "output", "kto_tag": "kto_tag"}}),
    ]


# ---------------------------------------------------------------------------------------------

def read_rows(path):
    if path.endswith(".txt"):
        with open(path, encoding="utf-8") as f:
            return [{"text": line.rstrip("\n")} for line in f]
    if path.endswith(".jsonl"):
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_rows(path, rows):
    if path.endswith(".txt"):
        with open(path, "w", encoding="utf-8") as f:
            for row in rows:
                f.write(row["text"] + "\n")
    elif path.endswith(".jsonl"):
        with open(path, "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(rows, f, ensure_ascii=False, indent=2)


class Loader:
    def __init__(self, model_dir, work):
        from llamafactory.hparams import get_train_args

        hparams = dict(model_name_or_path=model_dir, stage="sft", do_train=True, finetuning_type="lora",
                       dataset="x", dataset_dir=work, template="llama3", cutoff_len=512, overwrite_cache=True,
                       output_dir=os.path.join(work, "out"), overwrite_output_dir=True, report_to="none",
                       bf16=False, fp16=False, dataloader_num_workers=0)
        self.model_args, self.data_args, self.training_args, _, _ = get_train_args(hparams)
        self.n = 0
        # Quiet: the mutated copies make LLaMA-Factory warn about every row it skips.
        import transformers

        transformers.utils.logging.set_verbosity_error()
        lf = logging.getLogger("llamafactory")
        for h in list(lf.handlers):
            lf.removeHandler(h)
        lf.addHandler(logging.NullHandler())
        lf.propagate = False

    def converted(self, data_dir, name, stage):
        """The converted columns of every row, through LLaMA-Factory's own loader."""
        from llamafactory.data.loader import _get_merged_dataset

        self.data_args.dataset_dir = data_dir
        self.data_args.media_dir = data_dir
        dataset = _get_merged_dataset([name], self.model_args, self.data_args, self.training_args, stage)
        return [tuple(json.dumps(row.get(c), sort_keys=True, ensure_ascii=False) for c in COLUMNS) for row in dataset]

    def read_fields(self, rows, entry, file_name, work):
        """(top-level fields read, message keys read) by differential loading; None if the original fails."""
        stage = "rm" if entry.get("ranking") else "sft"
        self.n += 1
        base = os.path.join(work, f"probe-{self.n}")
        os.makedirs(base)

        def load(rows_, tag):
            d = os.path.join(base, tag)
            os.makedirs(d)
            write_rows(os.path.join(d, file_name), rows_)
            with open(os.path.join(d, "dataset_info.json"), "w") as f:
                json.dump({"probe": dict(entry, file_name=file_name)}, f)
            return self.converted(d, "probe", stage)

        try:
            original = load(rows, "orig")
        except Exception as err:  # the entry itself fails in LLaMA-Factory
            return None, f"{type(err).__name__}: {err}"
        fields = []
        for row in rows:
            for key, value in row.items():
                if key not in fields and has_content(value):
                    fields.append(key)
        read = set()
        for i, field in enumerate(fields):
            changed = [dict(row, **{field: mutate(row[field])}) if field in row else row for row in rows]
            try:
                read_it = load(changed, f"f{i}") != original
            except Exception:
                read_it = True
            if read_it:
                read.add(field)
        messages_col = (entry.get("columns") or {}).get("messages", "conversations" if "columns" not in entry else None)
        read_keys, all_keys = set(), []
        if messages_col and entry.get("formatting", "alpaca") != "alpaca":
            for row in rows:
                for m in row.get(messages_col) or []:
                    for k, v in m.items():
                        if k not in all_keys and has_content(v):
                            all_keys.append(k)
            for j, key in enumerate(all_keys):
                changed = copy.deepcopy(rows)
                for row in changed:
                    for m in row.get(messages_col) or []:
                        if key in m:
                            m[key] = mutate(m[key])
                try:
                    read_it = load(changed, f"m{j}") != original
                except Exception:
                    read_it = True
                if read_it:
                    read_keys.add(key)
        return (read, read_keys, set(all_keys), messages_col), None


def lfm_claim(lfm, ws, name):
    out = subprocess.run([lfm, "validate", name, "--lf-dir", ws, "--json"], capture_output=True, text=True,
                         env=dict(os.environ, NO_COLOR="1"))
    try:
        data = json.loads(out.stdout)
    except json.JSONDecodeError:
        return None, out.returncode, (out.stderr or out.stdout)[-400:]
    return data, out.returncode, None


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    lfm, model_dir, work = argv[1], argv[2], argv[3]
    demo = argv[argv.index("--demo") + 1] if "--demo" in argv else None
    os.makedirs(work, exist_ok=True)
    os.environ.setdefault("HF_DATASETS_CACHE", os.path.join(work, "hf-cache"))
    import datasets
    datasets.disable_caching()
    datasets.utils.logging.set_verbosity_error()
    datasets.disable_progress_bars()
    logging.getLogger("llamafactory").setLevel(logging.ERROR)
    for h in list(logging.getLogger("llamafactory").handlers):
        logging.getLogger("llamafactory").removeHandler(h)

    ws = os.path.join(work, "ws")
    data = os.path.join(ws, "data")
    if os.path.exists(ws):
        shutil.rmtree(ws)
    subprocess.run([lfm, "init", ws], check=True, capture_output=True)
    registry = {}
    cases = []  # (name, file name, rows, entry)
    for name, file_name, rows, entry in variants():
        write_rows(os.path.join(data, file_name), rows)
        registry[name] = dict(entry, file_name=file_name)
        cases.append((name, file_name, rows, entry))
    if demo:
        with open(os.path.join(demo, "dataset_info.json")) as f:
            info = json.load(f)
        for name, entry in info.items():
            file_name = entry.get("file_name")
            if not file_name or set(entry) & {"hf_hub_url", "ms_hub_url", "om_hub_url", "script_url", "cloud_file_name"}:
                continue
            src = os.path.join(demo, file_name)
            if not os.path.isfile(src):
                continue
            shutil.copy(src, os.path.join(data, file_name))
            registry[name] = entry
            cases.append((name, file_name, read_rows(src), {k: v for k, v in entry.items() if k != "file_name"}))
    with open(os.path.join(data, "dataset_info.json"), "w") as f:
        json.dump(registry, f, indent=2)

    loader = Loader(model_dir, os.path.join(work, "lf"))
    passed = failed = 0
    for name, file_name, rows, entry in cases:
        truth, load_error = loader.read_fields(rows, entry, file_name, os.path.join(work, "lf"))
        claim, rc, claim_error = lfm_claim(lfm, ws, name)
        problems = []
        if claim is None:
            problems.append(f"lfm validate gave no JSON (exit {rc}): {claim_error}")
        elif truth is None:
            if rc == 0:
                problems.append(f"LLaMA-Factory fails ({load_error[:160]}) but lfm validate passes")
        else:
            read, read_keys, all_keys, messages_col = truth
            fields = (claim.get("report") or {}).get("fields")
            if fields is None:
                problems.append("lfm's report has no fields")
            else:
                said = set(fields["read"])
                if said != read:
                    problems.append(f"fields read: lfm says {sorted(said)}, LLaMA-Factory reads {sorted(read)}")
                prefix = f"{messages_col}[]."
                said_dropped_keys = {d[len(prefix):] for d in fields["dropped"] if d.startswith(prefix)}
                said_keys = all_keys - said_dropped_keys
                if said_keys != read_keys:
                    problems.append(f"message keys read: lfm says {sorted(said_keys)}, LLaMA-Factory reads {sorted(read_keys)}")
                dropped_text = [i for i in (claim.get("report") or {}).get("issues", []) if i["code"] == "field-dropped"]
                if dropped_text and rc == 0:
                    problems.append("lfm reports dropped fields as errors but exits 0")
        if problems:
            failed += 1
            print(f"FAIL {name}: " + "; ".join(problems))
        else:
            passed += 1
            if truth is None:
                print(f"ok   {name}: LLaMA-Factory fails to load it and lfm validate exits {rc}")
            else:
                read, read_keys, all_keys, _ = truth
                dropped = sorted(set(f for r in rows for f, v in r.items() if has_content(v)) - read)
                extra = f", message keys {sorted(read_keys)}" if all_keys else ""
                print(f"ok   {name}: reads {sorted(read)}{extra}; drops {dropped or 'nothing'}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
