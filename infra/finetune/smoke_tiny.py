#!/usr/bin/env python3
"""Runs train_lora.py end to end on a tiny random Qwen2 model, on the GPU node, in about a minute.

No download: the model (2 layers, hidden 64) and its tokenizer (a BPE trained here on the data,
with Qwen's ChatML special tokens and chat template) are built in a temporary directory. What it
checks is the pipeline, not quality: the data becomes TRL prompt-completion examples, SFT with
LoRA runs with loss on the answer only, the adapter is saved with the rank asked for and without
lm_head/embed_tokens (what vLLM would refuse), it loads back onto the base, and --merge-to
writes a model that generates. Use it after installing requirements.txt, before the real run.

  python infra/finetune/smoke_tiny.py [--data src/demo/demo-kb.jsonl] [--keep out/smoke]
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import train_lora  # noqa: E402  (the script under test)

# Qwen2.5's ChatML turns; the template renders a generation prompt the way Qwen's does.
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
CHAT_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def build_tiny_base(records: list[dict], out: Path) -> None:
    """A random 2-layer Qwen2 and a BPE tokenizer trained on the records and the prompts' fixed text."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import AutoModelForCausalLM, PreTrainedTokenizerFast, Qwen2Config

    corpus = [train_lora.DEFAULT_SYSTEM, train_lora.KNOWLEDGE_HEADER, train_lora.ANSWER_RULES, "system user assistant"]
    corpus += [f"{r['instruction']} {r['input']} {r['output']}" for r in records]
    bpe = Tokenizer(models.BPE(unk_token=None, byte_fallback=False))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=2000, special_tokens=SPECIALS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.save_pretrained(out)

    config = Qwen2Config(
        vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=False,
    )
    AutoModelForCausalLM.from_config(config).save_pretrained(out, safe_serialization=True)


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=HERE.parent.parent / "src" / "demo" / "demo-kb.jsonl")
    p.add_argument("--keep", type=Path, help="keep the base, adapter and merged model here instead of a temporary directory")
    args = p.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="kefu-smoke-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        records = train_lora.load(args.data)
        base = work / "tiny-base"
        build_tiny_base(records, base)
        rank = 8
        train_lora.main([
            "--data", str(args.data), "--output-dir", str(work / "run"), "--base-model", str(base),
            "--epochs", "2", "--rank", str(rank), "--alpha", "16", "--batch-size", "4", "--grad-accum", "1",
            "--max-length", "1024", "--knowledge-in-prompt", "2", "--merge-to", str(work / "merged"),
        ])
        report = check(base, work / "run" / "adapter", work / "merged", rank)
        print("SMOKE OK " + json.dumps(report, ensure_ascii=False))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def check(base: Path, adapter_dir: Path, merged_dir: Path, rank: int) -> dict:
    """The adapter loads back onto the base and changes its output; the merged model generates."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    cfg = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    assert cfg["r"] == rank and sorted(cfg["target_modules"]) == sorted(train_lora.TARGET_MODULES), cfg
    tokenizer = AutoTokenizer.from_pretrained(base)
    prompt = tokenizer.apply_chat_template([{"role": "user", "content": "包邮吗"}], add_generation_prompt=True, tokenize=False)
    ids = tokenizer(prompt, return_tensors="pt").input_ids
    plain = AutoModelForCausalLM.from_pretrained(base)
    tuned = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base), str(adapter_dir))
    with torch.no_grad():
        delta = (tuned(ids).logits - plain(ids).logits).abs().max().item()
    assert delta > 0, "the adapter changes nothing: its B matrices are still zero, so nothing was trained"
    merged = AutoModelForCausalLM.from_pretrained(merged_dir)
    out = merged.generate(ids, max_new_tokens=8, do_sample=False)
    assert out.shape[1] > ids.shape[1], "the merged model generated nothing"
    return {"adapter_r": cfg["r"], "targets": cfg["target_modules"], "logit_change": round(delta, 4), "generated_tokens": int(out.shape[1] - ids.shape[1])}


if __name__ == "__main__":
    main(sys.argv[1:])
