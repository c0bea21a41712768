#!/usr/bin/env python3
"""The recipe's 分阶段 (issue 13): basic Q&A, then promotions, then complaint handling, each stage
continuing from the adapter of the one before (train_lora.py --stage S --init-adapter PREV).

A stage with no records in --data is skipped, and the next continues from the last adapter made.
Everything after `--` goes to every train_lora.py call unchanged (e.g. --random-init, --epochs 2).

  python infra/finetune/run_stages.py --data train.jsonl --eval-data heldout.jsonl --output-dir out/support-v2
  # → out/support-v2/basic/adapter, out/support-v2/promotion/adapter, out/support-v2/emotion/adapter (serve this one)
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from recipe_data import STAGES, count_stages, read_jsonl  # noqa: E402


def stage_commands(data: Path, output_dir: Path, counts: dict[str, int], extra: list[str],
                   eval_data: Path | None = None, init_adapter: Path | None = None,
                   python: str = sys.executable) -> list[tuple[str, list[str]]]:
    """(stage, argv) for each stage that has records, in the recipe's order, chained by --init-adapter."""
    commands = []
    previous = init_adapter
    for stage in STAGES:
        if counts.get(stage, 0) == 0:
            continue
        out = output_dir / stage
        argv = [python, str(HERE / "train_lora.py"), "--data", str(data), "--stage", stage, "--output-dir", str(out)]
        if eval_data:
            argv += ["--eval-data", str(eval_data)]
        if previous:
            argv += ["--init-adapter", str(previous)]
        commands.append((stage, argv + extra))
        previous = out / "adapter"
    return commands


def main(argv: list[str]) -> None:
    extra: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1:]
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--eval-data", type=Path)
    p.add_argument("--output-dir", type=Path, required=True)
    p.add_argument("--init-adapter", type=Path, help="continue the first stage from this adapter (e.g. last round's)")
    p.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    args = p.parse_args(argv)

    records, errors = read_jsonl(args.data)
    if errors:
        sys.exit(f"{args.data}: {len(errors)} bad line(s) (first: line {errors[0][0]}: {errors[0][1]})")
    counts = count_stages(records)
    print(f"records per stage: {counts}")
    commands = stage_commands(args.data, args.output_dir, counts, extra, args.eval_data, args.init_adapter)
    if not commands:
        sys.exit(f"{args.data}: no records")
    for stage, command in commands:
        print(f"== stage {stage}: " + " ".join(command), flush=True)
        if args.dry_run:
            continue
        done = subprocess.run(command)
        if done.returncode != 0:
            sys.exit(f"stage {stage} failed (exit {done.returncode}); later stages not run")
    print(f"final adapter: {args.output_dir / commands[-1][0] / 'adapter'}")


if __name__ == "__main__":
    main(sys.argv[1:])
