#!/usr/bin/env python3
"""Runs train_lora.py end to end on a tiny random Qwen2 model, on the GPU node, in about a minute.

No download: the model (2 layers, hidden 64) and its tokenizer (a BPE trained here on the data,
with Qwen's ChatML special tokens and chat template) are built in a temporary directory. What it
checks is the pipeline, not quality: the demo records, tagged with the three stages in turn, go
through run_stages.py (basic → promotion → emotion, each stage continuing from the adapter of the
one before with --init-adapter, packed); the reference loop (--no-pack) runs too; an adapter of
another rank is refused by --init-adapter; the last adapter has the rank asked for and no
lm_head/embed_tokens (what vLLM would refuse), it loads back onto the base and changes its output,
and the merged model generates. Use it after installing requirements.txt, before the real run.

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
import run_stages  # noqa: E402
import train_lora  # noqa: E402  (the script under test)
from recipe_data import STAGES  # noqa: E402

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
        staged = work / "staged.jsonl"
        staged.write_text("".join(json.dumps({**r, "stage": STAGES[i % len(STAGES)]}, ensure_ascii=False) + "\n"
                                  for i, r in enumerate(records)), encoding="utf-8")
        rank = 8
        common = ["--base-model", str(base), "--rank", str(rank), "--alpha", "16", "--max-length", "1024",
                  "--knowledge-in-prompt", "2", "--log-every", "1"]
        run_stages.main(["--data", str(staged), "--output-dir", str(work / "stages"), "--", "--epochs", "2", *common])
        first, last = work / "stages" / STAGES[0] / "adapter", work / "stages" / STAGES[-1] / "adapter"
        train_lora.main(["--data", str(args.data), "--output-dir", str(work / "unpacked"), "--no-pack",
                         "--epochs", "1", "--batch-size", "4", *common])
        refused = refuses_other_rank(staged, work, first, common)
        train_lora.merge(str(base), last, work / "merged")
        report = check(base, first, last, work / "merged", rank)
        print("SMOKE OK " + json.dumps({**report, "other_rank_refused": refused}, ensure_ascii=False))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def refuses_other_rank(data: Path, work: Path, adapter: Path, common: list[str]) -> str:
    """--init-adapter with an adapter of r=8 under --rank 16 must stop with a message, not train."""
    argv = ["--data", str(data), "--output-dir", str(work / "wrong"), "--init-adapter", str(adapter), *common, "--rank", "16"]
    try:
        train_lora.main(argv)
    except SystemExit as e:
        if "does not match the recipe" in str(e):
            return str(e)
        raise
    raise AssertionError("an adapter of another rank was continued")


def check(base: Path, first: Path, adapter_dir: Path, merged_dir: Path, rank: int) -> dict:
    """The last stage's adapter went on from the first's, loads back onto the base and changes its
    output; the merged model generates."""
    import torch
    from peft import PeftModel
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    cfg = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    assert cfg["r"] == rank and sorted(cfg["target_modules"]) == sorted(train_lora.TARGET_MODULES), cfg
    a, b = load_file(str(first / "adapter_model.safetensors")), load_file(str(adapter_dir / "adapter_model.safetensors"))
    assert a.keys() == b.keys(), "the stages' adapters have different tensors"
    moved = max((a[k].float() - b[k].float()).abs().max().item() for k in a)
    assert moved > 0, "the later stages did not train the adapter any further"
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
    return {"adapter_r": cfg["r"], "targets": cfg["target_modules"], "stage_change": round(moved, 4),
            "logit_change": round(delta, 4), "generated_tokens": int(out.shape[1] - ids.shape[1])}


if __name__ == "__main__":
    main(sys.argv[1:])
