#!/usr/bin/env python3
"""Load registered datasets through LLaMA-Factory's own data pipeline (no training).

Usage:
  load_datasets.py --dataset-dir DIR --model MODELDIR [--template llama3] \
      --check NAME:STAGE [--check NAME:STAGE ...]

STAGE is one of sft, dpo, rm, kto, pt, ppo. For each check this does exactly what
LLaMA-Factory's training workflows do before building the model (train/<stage>/workflow.py):

  model_args, data_args, training_args, finetuning_args, _ = llamafactory.hparams.get_train_args({...})
  tokenizer_module = llamafactory.model.load_tokenizer(model_args)
  template = llamafactory.data.get_template_and_fix_tokenizer(tokenizer_module["tokenizer"], data_args)
  dataset_module = llamafactory.data.get_dataset(template, model_args, data_args, training_args,
                                                 stage=("rm" if stage in ("dpo", "rm") else stage),
                                                 **tokenizer_module)

A check passes iff get_dataset returns a train dataset with > 0 rows AND LLaMA-Factory did not
drop or skip a single example (warnings "Dropped invalid example", "Dropped lengthy example",
"Skipping this abnormal example", "Invalid role tag", "Invalid message count" are counted
with a handler on the `llamafactory` logger). lfm promises that a registered dataset loads cleanly.

Output: one line per check, `ok   NAME (stage) rows=N` or `FAIL NAME (stage): <error>`, then
`N passed, M failed`. Exit status 1 if any check failed, 2 on usage errors.
LLaMA-Factory's warnings/errors go to stderr (truncated); its INFO chatter is hidden unless --verbose.
"""

import argparse
import contextlib
import io
import logging
import os
import re
import sys
import shutil
import tempfile
import traceback

STAGES = ("sft", "dpo", "rm", "kto", "pt", "ppo")

# Warnings by which LLaMA-Factory (data/converter.py, data/processor/*.py) reports a dropped or skipped row.
DROP_PATTERNS = re.compile(
    r"^(Dropped invalid example|Dropped lengthy example|Skipping this abnormal example"
    r"|Invalid role tag|Invalid message count)"
)
# A row skipped by the converter ("Skipping this abnormal example") reaches the processor empty and is
# reported again as "Dropped invalid example", so only the processors' "Dropped ..." lines are counted.
DROP_COUNTED = re.compile(r"^Dropped ")
# Harmless on CPU (we disable bf16/fp16 on purpose); not echoed.
QUIET = ("We recommend enable mixed precision training.",)


class DropCounter(logging.Handler):
    """Counts LLaMA-Factory's 'dropped/skipped example' warnings and echoes warnings to stderr."""

    def __init__(self, echo_limit=400):
        super().__init__(level=logging.WARNING)
        self.echo_limit = echo_limit
        self.reset()

    def reset(self):
        self.dropped = 0
        self.problems = []  # first few drop-related messages, for the FAIL line

    def emit(self, record):
        try:
            msg = record.getMessage()
        except Exception:  # pragma: no cover - never let logging break a check
            msg = str(record.msg)
        if DROP_PATTERNS.match(msg):
            if DROP_COUNTED.match(msg):
                self.dropped += 1
            if len(self.problems) < 3:
                self.problems.append(msg[:200])
        if msg in QUIET:
            return
        short = msg if len(msg) <= self.echo_limit else msg[: self.echo_limit] + f"... [{len(msg)} chars]"
        sys.stderr.write(f"  [{record.levelname}] {record.name}: {short}\n")


def parse_check(text):
    name, sep, stage = text.rpartition(":")
    if not sep or not name or stage not in STAGES:
        raise argparse.ArgumentTypeError(f"expected NAME:STAGE with STAGE in {'|'.join(STAGES)}, got {text!r}")
    return name, stage


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset-dir", required=True, help="directory holding dataset_info.json")
    ap.add_argument("--model", required=True, help="local model/tokenizer directory (e.g. from make_tiny_model.py)")
    ap.add_argument("--template", default="llama3")
    ap.add_argument("--check", action="append", type=parse_check, required=True, metavar="NAME:STAGE")
    ap.add_argument("--cutoff-len", type=int, default=256)
    ap.add_argument("--max-samples", type=int, default=50)
    ap.add_argument("--verbose", action="store_true", help="show LLaMA-Factory INFO logs and sample prints")
    args = ap.parse_args(argv)

    dataset_dir = os.path.abspath(args.dataset_dir)
    model_dir = os.path.abspath(args.model)
    work = tempfile.mkdtemp(prefix="lfm-conformance-load-")

    # Everything local and uncached: a cached `map` would not re-emit the drop warnings.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ["HF_DATASETS_CACHE"] = os.path.join(work, "hf-datasets-cache")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ["LLAMAFACTORY_VERBOSITY"] = "INFO" if args.verbose else "WARNING"

    import datasets
    import transformers

    datasets.disable_caching()
    if not args.verbose:
        datasets.disable_progress_bars()
        datasets.logging.set_verbosity_error()
        transformers.utils.logging.set_verbosity_error()

    from llamafactory.data import get_dataset, get_template_and_fix_tokenizer
    from llamafactory.extras import logging as lf_logging
    from llamafactory.hparams import get_train_args
    from llamafactory.model import load_tokenizer

    lf_logging.get_logger(__name__)  # make sure LLaMA-Factory configured its root logger
    lf_root = logging.getLogger("llamafactory")
    counter = DropCounter()
    if not args.verbose:
        # Replace LLaMA-Factory's stdout handler: our stdout carries only the result lines.
        for h in list(lf_root.handlers):
            lf_root.removeHandler(h)
    lf_root.addHandler(counter)

    passed = failed = 0
    for i, (name, stage) in enumerate(args.check):
        counter.reset()
        label = f"{name} ({stage})"
        try:
            out_dir = os.path.join(work, f"out-{i}")
            os.makedirs(out_dir)
            hparams = dict(
                model_name_or_path=model_dir,
                stage=stage,
                do_train=True,
                finetuning_type="lora",
                dataset=name,
                dataset_dir=dataset_dir,
                template=args.template,
                cutoff_len=args.cutoff_len,
                max_samples=args.max_samples,
                overwrite_cache=True,
                output_dir=out_dir,
                overwrite_output_dir=True,
                report_to="none",
                bf16=False,
                fp16=False,
                dataloader_num_workers=0,
            )
            model_args, data_args, training_args, _finetuning_args, _gen_args = get_train_args(hparams)
            if not args.verbose:
                transformers.utils.logging.set_verbosity_error()  # get_train_args may raise it to INFO
            tokenizer_module = load_tokenizer(model_args)
            template = get_template_and_fix_tokenizer(tokenizer_module["tokenizer"], data_args)
            data_stage = "rm" if stage in ("dpo", "rm") else stage
            sink = io.StringIO()
            with contextlib.redirect_stdout(sink if not args.verbose else sys.stdout):
                dataset_module = get_dataset(
                    template, model_args, data_args, training_args, stage=data_stage, **tokenizer_module
                )
            train = dataset_module.get("train_dataset")
            rows = len(train) if train is not None else 0
            if rows <= 0:
                raise RuntimeError("train dataset is empty")
            if counter.dropped or counter.problems:
                raise RuntimeError(
                    f"LLaMA-Factory dropped {counter.dropped} example(s) (rows left={rows}): "
                    + " | ".join(counter.problems)
                )
            print(f"ok   {label} rows={rows}", flush=True)
            passed += 1
        except Exception as e:  # one failing check must not abort the others
            err = f"{type(e).__name__}: {e}".replace("\n", " ")
            if len(err) > 500:
                err = err[:500] + "..."
            print(f"FAIL {label}: {err}", flush=True)
            if args.verbose:
                traceback.print_exc()
            failed += 1

    print(f"{passed} passed, {failed} failed", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
