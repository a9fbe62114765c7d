#!/usr/bin/env python3
"""Build a tiny, random, fully local Llama model + Llama-3-style tokenizer.

Usage: make_tiny_model.py OUTDIR [--corpus-dir DIR] [--vocab-size N] [--force]

The result loads with AutoTokenizer / AutoModelForCausalLM from OUTDIR and works with
LLaMA-Factory's `template: llama3` without resizing the vocabulary: all special tokens the
template needs (<|begin_of_text|>, <|eot_id|>, <|eom_id|>, header ids, ...) are in the
vocabulary, eos is <|eot_id|> (as in Llama-3-Instruct) and a pad token is set.

Deterministic (fixed seed, sorted corpus), needs no network, runs in a few seconds.
Idempotent: if OUTDIR/.lfm-tiny-complete matches this script's recipe, nothing is done.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile

RECIPE_VERSION = "2"  # bump when the recipe below changes

SPECIAL_TOKENS = [
    "<|begin_of_text|>",
    "<|end_of_text|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eot_id|>",
    "<|eom_id|>",
    "<|finetune_right_pad_id|>",
    "<|python_tag|>",
]
BOS, EOS, PAD = "<|begin_of_text|>", "<|eot_id|>", "<|finetune_right_pad_id|>"

BUILTIN_CORPUS = """\
Below is an instruction that describes a task. Write a response that appropriately completes the request.
Give three tips for staying healthy. Eat a balanced diet, exercise regularly and get enough sleep.
The quick brown fox jumps over the lazy dog. Hello, world! How are you today? I am fine, thank you.
What is the capital of France? The capital of France is Paris. Translate the sentence into English.
def main():\n    print("hello")\n    return 0\n{"name": "get_weather", "arguments": {"city": "Berlin"}}
user assistant system ipython tool function observation 0 1 2 3 4 5 6 7 8 9 10 100 1000
"""

MAX_BYTES_PER_FILE = 256 * 1024
TEXT_EXTS = (".json", ".jsonl", ".txt", ".md", ".csv")


def corpus_iter(corpus_dir):
    yield BUILTIN_CORPUS
    if not corpus_dir:
        return
    for root, dirs, files in os.walk(corpus_dir):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(TEXT_EXTS):
                continue
            with open(os.path.join(root, name), "rb") as f:
                data = f.read(MAX_BYTES_PER_FILE).decode("utf-8", errors="ignore")
            # Feed line by line so the trainer sees realistic "sentences".
            for line in data.splitlines():
                if line.strip():
                    yield line


def build_tokenizer(corpus_dir, vocab_size):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus_iter(corpus_dir), trainer=trainer)
    bos_id = tok.token_to_id(BOS)
    # Like the real Llama-3 tokenizer: prepend <|begin_of_text|> when add_special_tokens=True.
    tok.post_processor = processors.TemplateProcessing(
        single=f"{BOS}:0 $A:0",
        pair=f"{BOS}:0 $A:0 {BOS}:1 $B:1",
        special_tokens=[(BOS, bos_id)],
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        additional_special_tokens=[t for t in SPECIAL_TOKENS if t not in (BOS, EOS, PAD)],
        model_max_length=131072,  # as Llama-3; avoids "sequence length is longer" noise
        padding_side="right",
        clean_up_tokenization_spaces=False,
    )
    return fast


def build_model(tokenizer):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=2048,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    model = LlamaForCausalLM(config)
    model.to(torch.float32)
    return model


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--corpus-dir", help="directory of text/json files to train the BPE tokenizer on")
    ap.add_argument("--vocab-size", type=int, default=2048)
    ap.add_argument("--force", action="store_true", help="rebuild even if OUTDIR is complete")
    args = ap.parse_args(argv)

    outdir = os.path.abspath(args.outdir)
    marker = os.path.join(outdir, ".lfm-tiny-complete")
    recipe = {
        "recipe": RECIPE_VERSION,
        "vocab_size": args.vocab_size,
        "corpus_dir": os.path.abspath(args.corpus_dir) if args.corpus_dir else None,
    }
    if not args.force and os.path.isfile(marker):
        try:
            with open(marker) as f:
                if json.load(f) == recipe:
                    print(f"tiny model already complete: {outdir}")
                    return 0
        except (OSError, ValueError):
            pass

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")

    tokenizer = build_tokenizer(args.corpus_dir, args.vocab_size)
    model = build_model(tokenizer)
    assert model.config.vocab_size == len(tokenizer), (model.config.vocab_size, len(tokenizer))

    # Write into a temp dir next to OUTDIR, then swap it in, so OUTDIR is never half-written.
    parent = os.path.dirname(outdir)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".tiny-", dir=parent)
    try:
        tokenizer.save_pretrained(tmp)
        model.save_pretrained(tmp, safe_serialization=True)
        with open(os.path.join(tmp, ".lfm-tiny-complete"), "w") as f:
            json.dump(recipe, f)
        if os.path.exists(outdir):
            shutil.rmtree(outdir)
        os.chmod(tmp, 0o755)
        os.rename(tmp, outdir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

    n_params = sum(p.numel() for p in model.parameters())
    print(f"tiny model written: {outdir} (vocab={len(tokenizer)}, params={n_params})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
