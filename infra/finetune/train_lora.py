#!/usr/bin/env python3
"""LoRA SFT of Qwen2.5-7B-Instruct on a shop's Q&A, for serving with vLLM next to kefu-bridge.

Runs on a GPU node, not in CI. Run end to end on an H200 with a tiny random model only
(smoke_tiny.py beside this file); not yet on the 7B weights. See README.md beside this file.

Recipe (DESIGN.md user story; shared/protocols/inference.md §4.2-4.3):
  LoRA r=64, alpha=128, dropout 0.05 on q_proj/k_proj/v_proj/o_proj; 3 epochs; lr 2e-4;
  no modules_to_save (vLLM rejects lm_head/embed_tokens weights in adapters, inference.md §6.4);
  alpaca JSONL {"instruction","input","output"} turned into TRL's conversational
  prompt-completion form, so the loss covers the answer only (inference.md §4.3).

  python train_lora.py --data shop-qa.jsonl --output-dir out/support-v1
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

BASE_MODEL = "Qwen/Qwen2.5-7B-Instruct"
TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj"]

# The channel's default persona: DEFAULT_SYSTEM_PROMPT in src/domain/channel.ts. Train with the
# system prompt the service will send (inference.md §4.5); pass --system if your channel sets its own.
DEFAULT_SYSTEM = "你是本店的在线客服，只根据提供的店铺知识回答顾客的问题，语气亲切简洁；不知道答案时请说明会转人工客服。"

# The knowledge block kefu-bridge appends to the persona (src/model/prompt.ts), for --knowledge-in-prompt.
KNOWLEDGE_HEADER = "店铺知识（回答只能依据以下内容）："
ANSWER_RULES = (
    "回答要求：只根据上面的店铺知识回答顾客，不要编造价格、时效、政策或订单信息；"
    "店铺知识没有覆盖的问题，或需要查询顾客本人订单、账户信息的问题，请直接告诉顾客会为其转接人工客服。"
)
FORBIDDEN_ADAPTER_KEYS = ("lm_head", "embed_tokens")


# ---------------------------------------------------------------- data (no ML imports) ----

def parse_line(line: str) -> dict | str:
    """One JSONL line → record, or why it is refused (the rules of POST /api/knowledge/import)."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return "not valid JSON"
    if not isinstance(value, dict):
        return "not a JSON object"
    instruction, inp, output = value.get("instruction"), value.get("input", ""), value.get("output")
    if not isinstance(instruction, str) or not instruction.strip():
        return '"instruction" must be a non-empty string'
    if inp is None:
        inp = ""
    if not isinstance(inp, str):
        return '"input" must be a string'
    if not isinstance(output, str) or not output.strip():
        return '"output" must be a non-empty string'
    return {"instruction": instruction.strip(), "input": inp.strip(), "output": output.strip()}


def read_jsonl(path: Path) -> tuple[list[dict], list[tuple[int, str]]]:
    records, errors = [], []
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            parsed = parse_line(line)
            if isinstance(parsed, str):
                errors.append((number, parsed))
            else:
                records.append(parsed)
    return records, errors


def phrasing(rec: dict) -> str:
    return " / ".join(s for s in (rec["instruction"], rec["input"]) if s)


def system_prompt(persona: str, rec: dict, pool: list[dict], distractors: int, rng: random.Random) -> str:
    """The persona alone, or (distractors >= 0) persona + knowledge block as src/model/prompt.ts builds it."""
    if distractors < 0:
        return persona
    others = [r for r in pool if r is not rec]
    entries = rng.sample(others, min(distractors, len(others))) + [rec]
    rng.shuffle(entries)
    lines = [f"{i + 1}. 顾客问：{phrasing(e)}\n   回答：{e['output']}" for i, e in enumerate(entries)]
    return "\n".join([persona, "", KNOWLEDGE_HEADER, *lines, "", ANSWER_RULES])


def to_prompt_completion(rec: dict, system: str) -> dict:
    """alpaca → conversational prompt-completion (inference.md §4.3): loss on the answer only."""
    user = rec["instruction"] + ("\n" + rec["input"] if rec["input"] else "")
    return {
        "prompt": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        "completion": [{"role": "assistant", "content": rec["output"]}],
    }


def build_examples(records: list[dict], persona: str, distractors: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [to_prompt_completion(r, system_prompt(persona, r, records, distractors, rng)) for r in records]


# ---------------------------------------------------------------- training (GPU node) ----

def transformers_compat() -> dict:
    """Argument names that moved: `torch_dtype` → `dtype` (transformers 4.56), `warmup_ratio` →
    fractional `warmup_steps` (transformers 5; warmup_ratio is removed in 5.2)."""
    import transformers

    version = tuple(int(x) for x in re.findall(r"\d+", transformers.__version__)[:2])
    return {
        "dtype": "dtype" if version >= (4, 56) else "torch_dtype",
        "warmup": {"warmup_steps": 0.03} if version >= (5, 0) else {"warmup_ratio": 0.03},
    }


def train(args: argparse.Namespace, train_rows: list[dict], eval_rows: list[dict] | None) -> Path:
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    compat = transformers_compat()
    tokenizer = AutoTokenizer.from_pretrained(args.base_model)
    model = AutoModelForCausalLM.from_pretrained(args.base_model, **{compat["dtype"]: torch.bfloat16})
    lora = LoraConfig(
        r=args.rank,
        lora_alpha=args.alpha,
        lora_dropout=args.dropout,
        bias="none",
        task_type="CAUSAL_LM",
        target_modules=TARGET_MODULES,
        # no modules_to_save: vLLM cannot load lm_head/embed_tokens from an adapter (inference.md §6.4)
    )
    config = SFTConfig(
        output_dir=str(args.output_dir),
        num_train_epochs=args.epochs,
        learning_rate=args.lr,
        lr_scheduler_type="cosine",
        **compat["warmup"],
        per_device_train_batch_size=args.batch_size,
        gradient_accumulation_steps=args.grad_accum,
        max_length=args.max_length,
        completion_only_loss=True,
        bf16=True,
        gradient_checkpointing=True,
        gradient_checkpointing_kwargs={"use_reentrant": False},
        logging_steps=10,
        save_strategy="epoch",
        eval_strategy="epoch" if eval_rows else "no",
        report_to="none",
        seed=args.seed,
    )
    trainer = SFTTrainer(
        model=model,
        args=config,
        train_dataset=Dataset.from_list(train_rows),
        eval_dataset=Dataset.from_list(eval_rows) if eval_rows else None,
        processing_class=tokenizer,
        peft_config=lora,
    )
    trainer.model.print_trainable_parameters()
    trainer.train()
    adapter_dir = args.output_dir / "adapter"
    trainer.save_model(str(adapter_dir))  # adapter_config.json + adapter_model.safetensors
    return adapter_dir


def check_adapter(adapter_dir: Path, rank: int) -> None:
    """Fails when vLLM would refuse the adapter: wrong rank or full-weight modules inside (inference.md §6)."""
    from safetensors import safe_open

    cfg = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    if cfg.get("r") != rank:
        sys.exit(f"adapter_config.json has r={cfg.get('r')}, expected {rank}")
    if cfg.get("modules_to_save"):
        sys.exit(f"adapter_config.json has modules_to_save={cfg['modules_to_save']}: vLLM cannot serve it")
    with safe_open(str(adapter_dir / "adapter_model.safetensors"), framework="pt") as f:
        bad = [k for k in f.keys() if any(name in k for name in FORBIDDEN_ADAPTER_KEYS)]
    if bad:
        sys.exit(f"adapter carries {len(bad)} full-weight tensors (e.g. {bad[0]}): vLLM cannot serve it")
    print(f"adapter ok: {adapter_dir} (r={rank}, targets {cfg.get('target_modules')})")


def merge(base_model: str, adapter_dir: Path, merged_dir: Path) -> None:
    """Optional: fold the adapter into the base (inference.md §5) and save it with its tokenizer."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = AutoModelForCausalLM.from_pretrained(base_model, **{transformers_compat()["dtype"]: torch.bfloat16})
    merged = PeftModel.from_pretrained(base, str(adapter_dir)).merge_and_unload()
    merged.save_pretrained(str(merged_dir), safe_serialization=True)
    AutoTokenizer.from_pretrained(base_model).save_pretrained(str(merged_dir))
    print(f"merged model: {merged_dir} (serve it without --enable-lora)")


# ---------------------------------------------------------------- CLI ----

def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True, help='training JSONL, one {"instruction","input","output"} per line')
    p.add_argument("--eval-data", type=Path, help="held-out JSONL in the same format")
    p.add_argument("--output-dir", type=Path, required=True, help="checkpoints; the adapter lands in <dir>/adapter")
    p.add_argument("--base-model", default=BASE_MODEL, help="HF id or local directory")
    p.add_argument("--system", default=DEFAULT_SYSTEM, help="the channel's model.systemPrompt")
    p.add_argument("--knowledge-in-prompt", type=int, default=-1, metavar="N",
                   help="build the system message like the service does: persona + knowledge block with the "
                        "record's own entry and N other random entries + answer rules (default: persona only)")
    p.add_argument("--epochs", type=float, default=3)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--rank", type=int, default=64)
    p.add_argument("--alpha", type=int, default=128)
    p.add_argument("--dropout", type=float, default=0.05)
    p.add_argument("--max-length", type=int, default=2048)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--grad-accum", type=int, default=4)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--merge-to", type=Path, help="also write a merged full model here")
    p.add_argument("--check-data", action="store_true", help="validate the data, print one example, stop (no GPU)")
    return p.parse_args(argv)


def load(path: Path) -> list[dict]:
    records, errors = read_jsonl(path)
    for number, why in errors:
        print(f"{path}:{number}: {why}", file=sys.stderr)
    if errors:
        sys.exit(f"{path}: {len(errors)} bad line(s); fix them first")
    if not records:
        sys.exit(f"{path}: no records")
    return records


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    records = load(args.data)
    train_rows = build_examples(records, args.system, args.knowledge_in_prompt, args.seed)
    eval_rows = None
    if args.eval_data:
        eval_rows = build_examples(load(args.eval_data), args.system, args.knowledge_in_prompt, args.seed + 1)
    print(f"{len(train_rows)} training examples" + (f", {len(eval_rows)} held out" if eval_rows else ""))
    if args.check_data:
        print(json.dumps(train_rows[0], ensure_ascii=False, indent=2))
        return
    adapter_dir = train(args, train_rows, eval_rows)
    check_adapter(adapter_dir, args.rank)
    if args.merge_to:
        merge(args.base_model, adapter_dir, args.merge_to)


if __name__ == "__main__":
    main(sys.argv[1:])
