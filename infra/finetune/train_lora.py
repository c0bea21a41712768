#!/usr/bin/env python3
"""LoRA SFT of Qwen2.5-7B-Instruct on a shop's Q&A, for serving with vLLM next to kefu-bridge.

Runs on a GPU node, not in CI. See README.md beside this file.

Recipe (DESIGN.md user story; shared/protocols/inference.md §4.2-4.3; issue 13):
  LoRA r=64, alpha=128, dropout 0.05 on q_proj/k_proj/v_proj/o_proj; 3 epochs; lr 2e-4, cosine, 3 % warm-up;
  no modules_to_save (vLLM rejects lm_head/embed_tokens weights in adapters, inference.md §6.4);
  alpaca JSONL {"instruction","input","output"[,"stage"]} rendered with the chat template as a
  system + user prompt and an assistant completion; the loss covers the completion only.

A plain training loop (bf16, AdamW), the loop the issue's reference figures were measured with,
plus padding-free packing (--pack, the default), continuation from a previous stage's adapter
(--init-adapter), stage filtering (--stage) and a random-weight model for measuring (--random-init).

  python train_lora.py --data train.jsonl --output-dir out/support-v1
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from packing import (  # noqa: E402
    chunks, epoch_order, loss_tokens, lr_factor, pack_row, pad_batch, plan_rows, segment_ids, warmup_steps,
)
from recipe_data import (  # noqa: E402
    ANSWER_RULES, DEFAULT_SYSTEM, IGNORE_INDEX, KNOWLEDGE_HEADER, RANDOM_INIT_CONFIGS, STAGES,
    CharTokenizer, build_examples, count_stages, filter_stage, fit_length, read_jsonl, tokenize_example,
)

BASE_MODEL = "Qwen/Qwen2.5-7B-Instruct"
TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj"]
FORBIDDEN_ADAPTER_KEYS = ("lm_head", "embed_tokens")
__all__ = ["ANSWER_RULES", "DEFAULT_SYSTEM", "KNOWLEDGE_HEADER", "TARGET_MODULES", "load", "main"]


# ---------------------------------------------------------------- checks (no ML imports) ----

def adapter_mismatches(cfg: dict, rank: int, alpha: int, targets: list[str]) -> list[str]:
    """Why a previous stage's adapter cannot be continued under this recipe (empty: it can).
    A stage that silently changed r, alpha or the target modules would not be the same adapter
    any more, and vLLM serves every adapter of a node under one --max-lora-rank."""
    problems = []
    if cfg.get("peft_type", "LORA") != "LORA":
        problems.append(f"peft_type is {cfg.get('peft_type')}, not LORA")
    if cfg.get("r") != rank:
        problems.append(f"r={cfg.get('r')}, the recipe says r={rank} (--rank)")
    if cfg.get("lora_alpha") != alpha:
        problems.append(f"lora_alpha={cfg.get('lora_alpha')}, the recipe says {alpha} (--alpha)")
    found = cfg.get("target_modules")
    found = sorted([found] if isinstance(found, str) else (found or []))
    if found != sorted(targets):
        problems.append(f"target_modules={found}, the recipe says {sorted(targets)}")
    if cfg.get("modules_to_save"):
        problems.append(f"modules_to_save={cfg['modules_to_save']}: vLLM cannot serve it")
    return problems


def read_adapter_config(adapter_dir: Path) -> dict:
    path = adapter_dir / "adapter_config.json"
    if not path.is_file():
        sys.exit(f"--init-adapter {adapter_dir}: no adapter_config.json there (pass the <output-dir>/adapter of the previous stage)")
    return json.loads(path.read_text(encoding="utf-8"))


def prepare_samples(tokenizer, examples: list[dict], max_length: int, overlong: str) -> list[tuple[list[int], list[int]]]:
    """Tokenized samples that fit a row; stops with a clear message when some do not (--overlong refuse)."""
    samples, too_long = [], []
    for i, example in enumerate(examples):
        ids, labels = tokenize_example(tokenizer, example)
        fitted = fit_length(ids, labels, max_length, overlong)
        if fitted is None:
            too_long.append((i, len(ids)))
        else:
            samples.append(fitted)
    if too_long and overlong == "refuse":
        shown = ", ".join(f"#{i + 1} ({n} tokens)" for i, n in too_long[:5])
        sys.exit(f"{len(too_long)} sample(s) longer than --max-length {max_length}: {shown}. "
                 "Raise --max-length, or pass --overlong truncate to cut them")
    if too_long:
        print(f"dropped {len(too_long)} sample(s) with no answer token left within --max-length {max_length}")
    return samples


# ---------------------------------------------------------------- model (GPU node) ----

def transformers_compat() -> dict:
    """`torch_dtype` became `dtype` in transformers 4.56; 4.4x still wants the old name."""
    import transformers

    version = tuple(int(x) for x in re.findall(r"\d+", transformers.__version__)[:2])
    return {"dtype": "dtype" if version >= (4, 56) else "torch_dtype", "version": transformers.__version__}


def pick_attention(requested: str) -> str:
    """flash_attention_2 when the flash-attn package is there (varlen kernels from the position_ids
    restarts, nothing spent on other samples), else sdpa (transformers builds a block-diagonal
    mask from the restarts). check_packing() verifies either at start-up."""
    if requested != "auto":
        return requested
    try:
        import torch
        from transformers.utils import is_flash_attn_2_available

        if torch.cuda.is_available() and is_flash_attn_2_available():
            return "flash_attention_2"
    except ImportError:
        pass
    return "sdpa"


def build_model(args: argparse.Namespace):
    """(model, tokenizer, device) — the real base, or (--random-init) its architecture with random weights."""
    import torch
    from transformers import AutoModelForCausalLM

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    compat = transformers_compat()
    attn = pick_attention(args.attn_implementation)
    if args.random_init:
        from transformers import Qwen2Config

        config = Qwen2Config(**RANDOM_INIT_CONFIGS[args.random_init])
        torch.manual_seed(args.seed)
        with torch.device(device):
            model = AutoModelForCausalLM.from_config(config, attn_implementation=attn, **{compat["dtype"]: dtype})
        model = model.to(device)  # a no-op where the device context was honoured
        tokenizer = CharTokenizer(config.vocab_size)
    else:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(args.base_model)
        model = AutoModelForCausalLM.from_pretrained(args.base_model, attn_implementation=attn, **{compat["dtype"]: dtype}).to(device)
    # With use_cache on, the model makes a cache even in training, and transformers then skips
    # the packed-sequence detection (it looks for restarts only when there is no cache).
    model.config.use_cache = False
    if args.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    params = sum(p.numel() for p in model.parameters())
    print(f"model: {'random ' + args.random_init if args.random_init else args.base_model}, {params / 1e9:.2f} B parameters, "
          f"{dtype}, attention {attn}, transformers {compat['version']}, torch {torch.__version__}, device {device}")
    return model, tokenizer, device


def attach_lora(model, args: argparse.Namespace):
    """A fresh LoRA adapter, or the previous stage's (--init-adapter), trainable."""
    from peft import LoraConfig, PeftModel, get_peft_model

    if args.init_adapter:
        cfg = read_adapter_config(args.init_adapter)
        problems = adapter_mismatches(cfg, args.rank, args.alpha, TARGET_MODULES)
        if problems:
            sys.exit(f"--init-adapter {args.init_adapter} does not match the recipe: " + "; ".join(problems))
        if cfg.get("lora_dropout") != args.dropout:
            print(f"note: the adapter was saved with lora_dropout={cfg.get('lora_dropout')}; it keeps it")
        peft_model = PeftModel.from_pretrained(model, str(args.init_adapter), is_trainable=True)
        print(f"continuing from {args.init_adapter}")
    else:
        peft_model = get_peft_model(model, LoraConfig(
            r=args.rank,
            lora_alpha=args.alpha,
            lora_dropout=args.dropout,
            bias="none",
            task_type="CAUSAL_LM",
            target_modules=TARGET_MODULES,
            # no modules_to_save: vLLM cannot load lm_head/embed_tokens from an adapter (inference.md §6.4)
        ))
    trainable = sum(p.numel() for p in peft_model.parameters() if p.requires_grad)
    if trainable == 0:
        sys.exit("the adapter has no trainable parameters")
    print(f"trainable LoRA parameters: {trainable / 1e6:.1f} M")
    return peft_model


# ---------------------------------------------------------------- packing on the GPU ----

def block_diagonal_mask(position_ids: list[int], dtype, device):
    """The fallback: an additive (1, 1, L, L) mask, 0 inside a sample's causal triangle and the
    dtype's minimum elsewhere; transformers 4.4x and 5.x pass a 4D mask to sdpa/eager as is."""
    import torch

    seg = torch.tensor(segment_ids(position_ids), device=device)
    n = seg.shape[0]
    causal = torch.ones(n, n, dtype=torch.bool, device=device).tril()
    allowed = causal & (seg[:, None] == seg[None, :])
    mask = torch.zeros(n, n, dtype=dtype, device=device).masked_fill(~allowed, torch.finfo(dtype).min)
    return mask[None, None]


def packing_verdict(err: float, leak_err: float) -> str:
    """From the relative logit errors of check_packing: packed vs alone, and one-sequence vs alone.
    A leaking implementation makes packed as wrong as one sequence; an honest one, bf16 noise."""
    if leak_err < 1e-3:
        return "inconclusive"
    return "block_mask" if err > 0.5 * leak_err else "position_ids"


def check_packing(model, samples: list[tuple[list[int], list[int]]], device) -> str:
    """Does this attention implementation keep packed samples apart? Returns "position_ids" (it
    does, from the restarts alone) or "block_mask" (it does not: use block_diagonal_mask, and say so).

    Sample B's logits are computed alone, packed after sample A (positions restarting), and after A
    as one sequence (positions running on: what a leak across samples looks like). Packed must
    match alone far better than the leak does."""
    import torch

    a, b = samples[0][0], samples[1][0]
    row = pack_row([samples[0], samples[1]])
    ids = torch.tensor([row["input_ids"]], device=device)
    pos = torch.tensor([row["position_ids"]], device=device)
    run_on = torch.arange(len(row["input_ids"]), device=device)[None]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        alone = model(input_ids=torch.tensor([b], device=device), use_cache=False).logits[0].float()
        packed = model(input_ids=ids, position_ids=pos, use_cache=False).logits[0, len(a):].float()
        leak = model(input_ids=ids, position_ids=run_on, use_cache=False).logits[0, len(a):].float()
        scale = alone.abs().mean().item() or 1.0
        err = (packed - alone).abs().max().item() / scale
        leak_err = (leak - alone).abs().max().item() / scale
        print(f"packing check: samples of {len(a)} + {len(b)} tokens; relative error packed {err:.4f}, "
              f"as one sequence {leak_err:.4f}")
        verdict = packing_verdict(err, leak_err)
        mode = "position_ids" if verdict == "inconclusive" else verdict
        if verdict == "inconclusive":
            print("packing check: inconclusive (attending across samples changes little on this model); "
                  "trusting the position_ids restarts")
        elif verdict == "block_mask":
            mask = block_diagonal_mask(row["position_ids"], next(model.parameters()).dtype, device)
            try:
                fixed = model(input_ids=ids, position_ids=pos, attention_mask=mask, use_cache=False).logits[0, len(a):].float()
            except (RuntimeError, ValueError) as e:  # e.g. flash attention takes no 4D mask
                sys.exit(f"packing check failed: packed samples leak, and this attention implementation takes no "
                         f"block-diagonal mask ({e}); rerun with --attn-implementation sdpa, or with --no-pack")
            fixed_err = (fixed - alone).abs().max().item() / scale
            if fixed_err > 0.5 * leak_err:
                sys.exit(f"packing check failed: even a block-diagonal mask leaks (relative error {fixed_err:.4f}); "
                         "rerun with --attn-implementation sdpa, or with --no-pack")
            print("packing check: this attention implementation does NOT honour position_ids restarts; "
                  f"falling back to an explicit block-diagonal mask (relative error {fixed_err:.4f}), which "
                  "costs memory and attention time on long rows")
        else:
            print("packing check: ok, samples in a row do not see each other")
    if was_training:
        model.train()
    return mode


# ---------------------------------------------------------------- the loop ----

def micro_batches(samples, pack: bool, max_length: int, batch_size: int, seed: int, epoch: int, rows, pad_id: int) -> list[dict]:
    """One epoch's forward passes: packed rows (one row each) or padded batches of batch_size samples."""
    if pack:
        return [pack_row([samples[i] for i in rows[r]]) for r in epoch_order(len(rows), seed, epoch)]
    order = epoch_order(len(samples), seed, epoch)
    return [pad_batch([samples[i] for i in group], pad_id) for group in chunks(order, batch_size)]


def to_tensors(mb: dict, pack: bool, device, mask_mode: str, dtype):
    import torch

    if pack:
        inputs = {
            "input_ids": torch.tensor([mb["input_ids"]], device=device),
            "position_ids": torch.tensor([mb["position_ids"]], device=device),
        }
        if mask_mode == "block_mask":
            inputs["attention_mask"] = block_diagonal_mask(mb["position_ids"], dtype, device)
        return inputs, torch.tensor([mb["labels"]], device=device)
    inputs = {"input_ids": torch.tensor(mb["input_ids"], device=device),
              "attention_mask": torch.tensor(mb["attention_mask"], device=device)}
    return inputs, torch.tensor(mb["labels"], device=device)


def summed_loss(model, inputs: dict, labels):
    """Sum of the token losses (float32), so that a step's loss is normalised once by its token count."""
    import torch.nn.functional as F

    logits = model(**inputs, use_cache=False).logits
    return F.cross_entropy(
        logits[:, :-1].float().reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1),
        ignore_index=IGNORE_INDEX, reduction="sum",
    )


def real_tokens(mb: dict) -> int:
    return len(mb["input_ids"]) if "position_ids" in mb else sum(sum(m) for m in mb["attention_mask"])


def run_training(model, samples, settings: dict, device, pad_id: int, eval_samples=None, save=None) -> dict:
    """The training loop itself, shared by train_lora.py and measure.py. settings: pack, max_length,
    batch_size, grad_accum, epochs, lr, seed, mask_mode, max_grad_norm, log_every. Returns timings."""
    import torch

    pack, epochs = settings["pack"], settings["epochs"]
    dtype = next(model.parameters()).dtype
    rows = plan_rows([len(ids) for ids, _ in samples], settings["max_length"]) if pack else None
    per_epoch = len(rows) if pack else math.ceil(len(samples) / settings["batch_size"])
    steps_per_epoch = math.ceil(per_epoch / settings["grad_accum"])
    total_steps = steps_per_epoch * epochs
    warm = warmup_steps(total_steps)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=settings["lr"], weight_decay=0.0, fused=device.type == "cuda")
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: lr_factor(step, total_steps, warm))
    fill = (sum(len(ids) for ids, _ in samples) / (len(rows) * settings["max_length"])) if pack else None
    layout = (f"packed into {len(rows)} rows of up to {settings['max_length']} tokens ({fill:.0%} full)" if pack
              else f"padded batches of {settings['batch_size']}")
    print(f"{len(samples)} samples, {layout}; {epochs} epochs x {steps_per_epoch} optimizer steps "
          f"of up to {settings['grad_accum']} forward pass(es)")

    model.train()
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    step, passes_done, tokens, padded, history = 0, 0, 0, 0, []
    for epoch in range(epochs):
        passes = micro_batches(samples, pack, settings["max_length"], settings["batch_size"], settings["seed"], epoch, rows, pad_id)
        for group in chunks(passes, settings["grad_accum"]):
            scored = sum(loss_tokens(lab) for mb in group for lab in ([mb["labels"]] if pack else mb["labels"]))
            step_loss = torch.zeros((), device=device)
            for mb in group:
                inputs, labels = to_tensors(mb, pack, device, settings["mask_mode"], dtype)
                loss = summed_loss(model, inputs, labels) / max(1, scored)
                loss.backward()
                step_loss += loss.detach()
                tokens += real_tokens(mb)
                passes_done += 1
                padded += inputs["input_ids"].numel()
            torch.nn.utils.clip_grad_norm_(params, settings["max_grad_norm"])
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            if step == 1 or step % settings["log_every"] == 0 or step == total_steps:
                value = step_loss.item()  # syncs: only every log_every steps
                history.append((step, round(value, 4)))
                print(f"step {step}/{total_steps} epoch {epoch + 1} loss {value:.4f} lr {scheduler.get_last_lr()[0]:.2e}", flush=True)
        if eval_samples:
            print(f"epoch {epoch + 1}: held-out loss {evaluate(model, eval_samples, settings, device, pad_id):.4f}", flush=True)
        if save is not None:
            save(epoch + 1)
    if device.type == "cuda":
        torch.cuda.synchronize()
    wall = time.perf_counter() - started
    peak = torch.cuda.max_memory_allocated() / 2**30 if device.type == "cuda" else None
    return {
        "wall_s": round(wall, 2), "real_tokens": tokens, "computed_tokens": padded,
        "tokens_per_s": round(tokens / wall, 1), "optimizer_steps": step, "forward_passes": passes_done,
        "peak_memory_gib": round(peak, 2) if peak is not None else None, "loss": history,
        "rows": len(rows) if pack else None, "row_fill": round(fill, 3) if pack else None,
    }


def evaluate(model, samples, settings: dict, device, pad_id: int) -> float:
    import torch

    dtype = next(model.parameters()).dtype
    pack = settings["pack"]
    rows = plan_rows([len(ids) for ids, _ in samples], settings["max_length"]) if pack else None
    total, count = 0.0, 0
    model.eval()
    with torch.no_grad():
        for mb in micro_batches(samples, pack, settings["max_length"], settings["batch_size"], settings["seed"], 0, rows, pad_id):
            inputs, labels = to_tensors(mb, pack, device, settings["mask_mode"], dtype)
            total += summed_loss(model, inputs, labels).item()
            count += sum(loss_tokens(lab) for lab in ([mb["labels"]] if pack else mb["labels"]))
    model.train()
    return total / max(1, count)


def train(args: argparse.Namespace, train_examples: list[dict], eval_examples: list[dict] | None) -> Path:
    model, tokenizer, device = build_model(args)
    samples = prepare_samples(tokenizer, train_examples, args.max_length, args.overlong)
    eval_samples = prepare_samples(tokenizer, eval_examples, args.max_length, args.overlong) if eval_examples else None
    model = attach_lora(model, args)
    mask_mode = "position_ids"
    if args.pack and len(samples) >= 2:
        mask_mode = check_packing(model, samples, device)
    args.output_dir.mkdir(parents=True, exist_ok=True)

    def save(epoch: int) -> None:
        model.save_pretrained(str(args.output_dir / f"checkpoint-epoch{epoch}"))

    stats = run_training(model, samples, settings_from(args, mask_mode), device, tokenizer.pad_token_id, eval_samples, save)
    print("training: " + json.dumps({k: v for k, v in stats.items() if k != "loss"}))
    adapter_dir = args.output_dir / "adapter"
    model.save_pretrained(str(adapter_dir))  # adapter_config.json + adapter_model.safetensors
    return adapter_dir


def settings_from(args: argparse.Namespace, mask_mode: str) -> dict:
    return {
        "pack": args.pack, "max_length": args.max_length, "batch_size": args.batch_size,
        "grad_accum": args.grad_accum if args.grad_accum else (1 if args.pack else 4),
        "epochs": args.epochs, "lr": args.lr, "seed": args.seed, "mask_mode": mask_mode,
        "max_grad_norm": 1.0, "log_every": args.log_every,
    }


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
    p.add_argument("--data", type=Path, required=True, help='training JSONL, one {"instruction","input","output"[,"stage"]} per line')
    p.add_argument("--eval-data", type=Path, help="held-out JSONL in the same format (filtered by --stage too)")
    p.add_argument("--output-dir", type=Path, required=True, help="checkpoints; the adapter lands in <dir>/adapter")
    p.add_argument("--base-model", default=BASE_MODEL, help="HF id or local directory")
    p.add_argument("--random-init", nargs="?", const="qwen2.5-7b", choices=sorted(RANDOM_INIT_CONFIGS),
                   help="no download: the Qwen2.5-7B architecture (or 'tiny') with random weights and a "
                        "character stand-in tokenizer, for measuring; the adapter it makes is useless")
    p.add_argument("--init-adapter", type=Path, metavar="DIR",
                   help="continue from this adapter (the previous stage's <output-dir>/adapter); its r, alpha "
                        "and target modules must match the recipe")
    p.add_argument("--stage", choices=STAGES, help="train only the records of this stage (default: all)")
    p.add_argument("--system", default=DEFAULT_SYSTEM, help="the channel's model.systemPrompt")
    p.add_argument("--knowledge-in-prompt", type=int, default=-1, metavar="N",
                   help="build the system message like the service does: persona + knowledge block with the "
                        "record's own entry and N other random entries + answer rules (default: persona only)")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--rank", type=int, default=64)
    p.add_argument("--alpha", type=int, default=128)
    p.add_argument("--dropout", type=float, default=0.05)
    p.add_argument("--pack", action=argparse.BooleanOptionalAction, default=True,
                   help="padding-free packing of samples into rows of up to --max-length tokens (default); "
                        "--no-pack: the reference loop, padded batches of --batch-size samples")
    p.add_argument("--max-length", type=int, default=2048, help="tokens per packed row, and the longest sample")
    p.add_argument("--overlong", choices=("refuse", "truncate"), default="refuse",
                   help="a sample longer than --max-length: stop and list it (default), or cut it")
    p.add_argument("--batch-size", type=int, default=4, help="samples per forward pass with --no-pack")
    p.add_argument("--grad-accum", type=int, help="forward passes per optimizer step (default: 1 packed, 4 with --no-pack)")
    p.add_argument("--attn-implementation", default="auto",
                   help="auto (flash_attention_2 if installed, else sdpa), sdpa, flash_attention_2, eager")
    p.add_argument("--gradient-checkpointing", action="store_true", help="trade compute for memory (off, like the reference loop)")
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--merge-to", type=Path, help="also write a merged full model here")
    p.add_argument("--check-data", action="store_true", help="validate the data, print one example, stop (no GPU)")
    args = p.parse_args(argv)
    if args.random_init and args.merge_to:
        p.error("--merge-to needs real weights, not --random-init")
    return args


def load(path: Path, stage: str | None = None, allow_empty: bool = False) -> list[dict]:
    records, errors = read_jsonl(path)
    for number, why in errors:
        print(f"{path}:{number}: {why}", file=sys.stderr)
    if errors:
        sys.exit(f"{path}: {len(errors)} bad line(s); fix them first")
    selected = filter_stage(records, stage)
    if not selected and not allow_empty:
        sys.exit(f"{path}: no records" + (f" of stage {stage} (stages there: {count_stages(records)})" if stage else ""))
    return selected


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    records = load(args.data, args.stage)
    train_rows = build_examples(records, args.system, args.knowledge_in_prompt, args.seed)
    eval_rows = None
    if args.eval_data:
        eval_records = load(args.eval_data, args.stage, allow_empty=True)
        eval_rows = build_examples(eval_records, args.system, args.knowledge_in_prompt, args.seed + 1) or None
    print(f"{len(train_rows)} training examples" + (f" of stage {args.stage}" if args.stage else "")
          + (f", {len(eval_rows)} held out" if eval_rows else ""))
    if args.check_data:
        print(json.dumps(train_rows[0], ensure_ascii=False, indent=2))
        return
    adapter_dir = train(args, train_rows, eval_rows)
    check_adapter(adapter_dir, args.rank)
    if args.merge_to:
        merge(args.base_model, adapter_dir, args.merge_to)


if __name__ == "__main__":
    main(sys.argv[1:])
