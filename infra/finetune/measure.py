#!/usr/bin/env python3
"""Measures the recipe at full size on one GPU, with --random-init (issue 13 item 2).

The Qwen2.5-7B-Instruct architecture with random weights (same FLOPs and memory as the real
weights, no download), LoRA r=64 on q/k/v/o, bf16, AdamW, the loop of train_lora.py. Runs, each
with a fresh optimizer on the same model (the model is built once; throughput does not depend on
what the adapter has learnt):

  ref-256-{unpacked,packed}     200 samples x 3 epochs at 256 tokens each: the reference's own shape
  export-200-{unpacked,packed}  200 samples x 3 epochs at the lengths train_lora.py renders from --data
  export-2000-{unpacked,packed} 2,000 samples x 3 epochs, same lengths

and prints, and writes to --json after every run: wall time, tokens/s (real tokens, not padding),
peak memory, and the ratio to the reference (one H200, plain loop, no packing: 200 x 3 at 256
tokens in 11 s, about 14,000 tokens/s). Stops starting runs that would not finish within
--budget-s, so the whole thing fits one device command under 10 minutes.

  python infra/finetune/measure.py --json OUT.json            # the full measurement
  python infra/finetune/measure.py --smoke                    # a short check of the same code paths
  python infra/finetune/measure.py --smoke --arch tiny        # the same on a tiny model (CPU is fine)
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from recipe_data import DEFAULT_SYSTEM, IGNORE_INDEX, CharTokenizer, build_examples, read_jsonl, tokenize_example  # noqa: E402

# The reference: one H200, PyTorch 2.11, transformers 5.17, peft 0.21, plain loop, bf16,
# no packing, no gradient checkpointing: 200 samples x 3 epochs x 256 tokens in 11 s.
REFERENCE = {"samples": 200, "epochs": 3, "tokens_per_sample": 256, "wall_s": 11.0}
REFERENCE_TOKENS_PER_S = REFERENCE["samples"] * REFERENCE["epochs"] * REFERENCE["tokens_per_sample"] / REFERENCE["wall_s"]
DEMO_DATA = HERE.parent.parent / "src" / "demo" / "demo-kb.jsonl"


# ---------------------------------------------------------------- pure helpers ----

def export_samples(records: list[dict], persona: str, distractors: int, seed: int) -> list[tuple[list[int], list[int]]]:
    """Every record rendered and tokenized as train_lora.py does it (chat template included), with
    the character stand-in tokenizer of --random-init."""
    tokenizer = CharTokenizer()
    return [tokenize_example(tokenizer, ex) for ex in build_examples(records, persona, distractors, seed)]


def draw(pool: list, count: int, seed: int) -> list:
    """count items drawn from pool with replacement (the export's length distribution, resampled)."""
    rng = random.Random(seed)
    return [pool[rng.randrange(len(pool))] for _ in range(count)]


def fixed_samples(count: int, length: int, seed: int) -> list[tuple[list[int], list[int]]]:
    """The reference's shape: samples of exactly `length` tokens, the second half of each the answer."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        ids = [rng.randrange(1000, 150000) for _ in range(length)]
        half = length // 2
        out.append((ids, [IGNORE_INDEX] * half + ids[half:]))
    return out


def length_summary(samples: list[tuple[list[int], list[int]]]) -> dict:
    lengths = sorted(len(ids) for ids, _ in samples)
    n = len(lengths)
    return {"count": n, "min": lengths[0], "median": lengths[n // 2], "p90": lengths[min(n - 1, (9 * n) // 10)],
            "max": lengths[-1], "mean": round(sum(lengths) / n, 1)}


def compare_to_reference(real_tokens: int, wall_s: float) -> dict:
    """How this run compares with the reference loop at the same number of real tokens."""
    reference_s = real_tokens / REFERENCE_TOKENS_PER_S
    return {
        "reference_s_same_tokens": round(reference_s, 2),
        "tokens_per_s_ratio": round((real_tokens / wall_s) / REFERENCE_TOKENS_PER_S, 3),
        "verdict": "no slower than the reference" if wall_s <= reference_s else "slower than the reference",
    }


def plan(smoke: bool) -> list[dict]:
    if smoke:
        return [
            {"name": "smoke-unpacked", "source": "export", "samples": 32, "epochs": 1, "pack": False},
            {"name": "smoke-packed", "source": "export", "samples": 32, "epochs": 1, "pack": True},
        ]
    runs = []
    for name, source, samples in (("ref-256", "fixed", 200), ("export-200", "export", 200), ("export-2000", "export", 2000)):
        for pack in (False, True):
            runs.append({"name": f"{name}-{'packed' if pack else 'unpacked'}", "source": source,
                         "samples": samples, "epochs": 3, "pack": pack})
    return runs


def fits_budget(planned_tokens: int, best_tokens_per_s: float | None, elapsed_s: float, budget_s: float) -> bool:
    """Start a run only if, at the slowest rate seen so far (with a margin), it ends within the budget."""
    if best_tokens_per_s is None:
        return elapsed_s < budget_s
    return elapsed_s + 1.3 * planned_tokens / best_tokens_per_s + 5 <= budget_s


# ---------------------------------------------------------------- on the GPU ----

def environment() -> dict:
    import peft
    import torch
    import transformers

    env = {"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__}
    if torch.cuda.is_available():
        env["gpu"] = torch.cuda.get_device_name(0)
        env["gpu_memory_gib"] = round(torch.cuda.get_device_properties(0).total_memory / 2**30, 1)
    return env


def smoke_init_adapter(model, train_lora, args, samples, settings, device, pad_id) -> dict:
    """--init-adapter round trip on the live model: save, unload, load back trainable, train on;
    and a mismatched adapter (another r) is refused with a message."""
    work = Path(tempfile.mkdtemp(prefix="kefu-measure-"))
    first = work / "stage1"
    model.save_pretrained(str(first))
    base = model.unload()
    continued = train_lora.attach_lora(base, argparse.Namespace(init_adapter=first, rank=args.rank, alpha=args.alpha, dropout=0.05))
    stats = train_lora.run_training(continued, samples[:8], {**settings, "epochs": 1}, device, pad_id)
    wrong = work / "wrong-rank"
    wrong.mkdir()
    cfg = json.loads((first / "adapter_config.json").read_text(encoding="utf-8"))
    (wrong / "adapter_config.json").write_text(json.dumps({**cfg, "r": args.rank // 2}), encoding="utf-8")
    try:
        train_lora.attach_lora(continued.unload(), argparse.Namespace(init_adapter=wrong, rank=args.rank, alpha=args.alpha, dropout=0.05))
        refused = None
    except SystemExit as e:
        refused = str(e)
    if not refused:
        sys.exit("SMOKE FAILED: an adapter of another rank was accepted by --init-adapter")
    print(f"mismatch refused: {refused}")
    return {"continued_steps": stats["optimizer_steps"], "mismatch_refused": True}


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--smoke", action="store_true", help="a short run of every code path (packing check, both loops, --init-adapter)")
    p.add_argument("--arch", default="qwen2.5-7b", choices=("qwen2.5-7b", "tiny"))
    p.add_argument("--data", type=Path, default=DEMO_DATA, help="where the sample lengths come from (the export's train.jsonl, or the demo KB)")
    p.add_argument("--knowledge-in-prompt", type=int, default=-1, metavar="N", help="render as train_lora.py --knowledge-in-prompt N")
    p.add_argument("--max-length", type=int, default=2048)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--attn-implementation", default="auto")
    p.add_argument("--budget-s", type=float, default=540, help="start no run that would end after this many seconds")
    p.add_argument("--json", type=Path, help="write the results here (after every run)")
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args(argv)
    started = time.perf_counter()

    import train_lora

    records, errors = read_jsonl(args.data)
    if errors or not records:
        sys.exit(f"{args.data}: {len(errors)} bad line(s), {len(records)} record(s)")
    pool = export_samples(records, DEFAULT_SYSTEM, args.knowledge_in_prompt, args.seed)
    too_long = [len(ids) for ids, _ in pool if len(ids) > args.max_length]
    if too_long:
        sys.exit(f"{len(too_long)} rendered record(s) longer than --max-length {args.max_length}")

    model_args = argparse.Namespace(random_init=args.arch, attn_implementation=args.attn_implementation, seed=args.seed,
                                    gradient_checkpointing=False, base_model=None, init_adapter=None,
                                    rank=64, alpha=128, dropout=0.05)
    model, tokenizer, device = train_lora.build_model(model_args)
    model = train_lora.attach_lora(model, model_args)
    mask_mode = train_lora.check_packing(model, pool, device)
    report = {
        "what": "issue 13 item 2: LoRA r=64/alpha=128 on q,k,v,o, bf16, AdamW, random weights",
        "arch": args.arch, "environment": environment(), "mask_mode": mask_mode,
        "attention": getattr(model.config, "_attn_implementation", None),
        "reference": {**REFERENCE, "tokens_per_s": round(REFERENCE_TOKENS_PER_S, 1)},
        "lengths_from": str(args.data), "knowledge_in_prompt": args.knowledge_in_prompt,
        "export_lengths": length_summary(pool), "runs": [],
    }
    print("export lengths (tokens, chat template included): " + json.dumps(report["export_lengths"]))

    def settings(pack: bool, epochs: int) -> dict:
        return {"pack": pack, "max_length": args.max_length, "batch_size": args.batch_size, "grad_accum": 1 if pack else 4,
                "epochs": epochs, "lr": 2e-4, "seed": args.seed, "mask_mode": mask_mode, "max_grad_norm": 1.0, "log_every": 50}

    # Warm-up, not reported: CUDA context, cuBLAS and kernel selection for both loops.
    for pack in (False, True):
        train_lora.run_training(model, draw(pool, 16, args.seed + 7), settings(pack, 1), device, tokenizer.pad_token_id)

    slowest = None
    for i, run in enumerate(plan(args.smoke)):
        source = fixed_samples(run["samples"], REFERENCE["tokens_per_sample"], args.seed + i) if run["source"] == "fixed" \
            else draw(pool, run["samples"], args.seed + i)
        planned = sum(len(ids) for ids, _ in source) * run["epochs"]
        elapsed = time.perf_counter() - started
        if not fits_budget(planned, slowest, elapsed, args.budget_s):
            print(f"== {run['name']}: skipped, would not end within --budget-s {args.budget_s:.0f} (at {elapsed:.0f} s)")
            report["runs"].append({**run, "skipped": "budget"})
            continue
        print(f"== {run['name']}: {run['samples']} samples x {run['epochs']} epochs, {'packed' if run['pack'] else 'unpacked'}", flush=True)
        stats = train_lora.run_training(model, source, settings(run["pack"], run["epochs"]), device, tokenizer.pad_token_id)
        result = {**run, **stats, "lengths": length_summary(source), **compare_to_reference(stats["real_tokens"], stats["wall_s"])}
        slowest = stats["tokens_per_s"] if slowest is None else min(slowest, stats["tokens_per_s"])
        print("RESULT " + json.dumps({k: v for k, v in result.items() if k != "loss"}), flush=True)
        report["runs"].append(result)
        if args.json:
            args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")

    if args.smoke:
        report["init_adapter"] = smoke_init_adapter(model, train_lora, model_args, pool, settings(True, 1), device, tokenizer.pad_token_id)
    report["total_s"] = round(time.perf_counter() - started, 1)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(("SMOKE OK " if args.smoke else "MEASURED ") + json.dumps(
        {"total_s": report["total_s"], "mask_mode": mask_mode,
         "runs": {r["name"]: ({"wall_s": r["wall_s"], "tokens_per_s": r["tokens_per_s"], "ratio": r["tokens_per_s_ratio"],
                               "peak_gib": r["peak_memory_gib"]} if "wall_s" in r else r.get("skipped")) for r in report["runs"]}}))


if __name__ == "__main__":
    main(sys.argv[1:])
