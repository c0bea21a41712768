"""Padding-free packing of short chat samples, and the batching of the reference loop, in pure Python.

Issue 13 item 2: the export's samples are short (a persona, a question, an answer: 100–300
tokens), so padding them to the longest of a batch wastes much of the GPU. Packed, several samples
share one row of up to max_length tokens; position_ids restart at 0 for every sample, which is how
the attention implementations of transformers recognise packed sequences (flash attention turns
the restarts into cu_seqlens; sdpa/eager/flex build a block-diagonal mask from them), so no token
attends to another sample. The first label of every sample is IGNORE_INDEX, so the last token of
one sample is never trained to predict the first token of the next.
"""
from __future__ import annotations

import math
import random

from recipe_data import IGNORE_INDEX


def plan_rows(lengths: list[int], capacity: int) -> list[list[int]]:
    """First-fit decreasing: sample indices grouped into rows whose lengths add up to ≤ capacity.

    Longest first, each into the first row with room (ties in the order given, so the plan is
    deterministic). A sample is never split across rows; one longer than a row is the caller's to
    truncate or refuse first (fit_length), and is refused here."""
    if capacity <= 0:
        raise ValueError("capacity must be positive")
    for i, n in enumerate(lengths):
        if n <= 0:
            raise ValueError(f"sample {i} is empty")
        if n > capacity:
            raise ValueError(f"sample {i} has {n} tokens, more than a row of {capacity}")
    rows: list[list[int]] = []
    room: list[int] = []
    for i in sorted(range(len(lengths)), key=lambda k: (-lengths[k], k)):
        for r, free in enumerate(room):
            if lengths[i] <= free:
                rows[r].append(i)
                room[r] -= lengths[i]
                break
        else:
            rows.append([i])
            room.append(capacity - lengths[i])
    return rows


def pack_row(samples: list[tuple[list[int], list[int]]]) -> dict:
    """Samples (input_ids, labels) → one row: input_ids, labels, position_ids, and the sample lengths."""
    input_ids: list[int] = []
    labels: list[int] = []
    position_ids: list[int] = []
    lengths: list[int] = []
    for ids, sample_labels in samples:
        if len(ids) != len(sample_labels) or not ids:
            raise ValueError("a sample needs as many labels as tokens, and at least one token")
        input_ids.extend(ids)
        labels.append(IGNORE_INDEX)  # the boundary: nothing is predicted across it
        labels.extend(sample_labels[1:])
        position_ids.extend(range(len(ids)))
        lengths.append(len(ids))
    return {"input_ids": input_ids, "labels": labels, "position_ids": position_ids, "lengths": lengths}


def segment_ids(position_ids: list[int]) -> list[int]:
    """Which sample each token of a packed row belongs to, read from the position_ids restarts
    (what transformers' find_packed_sequence_indices computes on the GPU)."""
    segments: list[int] = []
    current = -1
    previous = None
    for p in position_ids:
        if previous is None or p != previous + 1:
            current += 1
        segments.append(current)
        previous = p
    return segments


def pad_batch(samples: list[tuple[list[int], list[int]]], pad_id: int) -> dict:
    """The reference loop's batch: samples right-padded to the longest, with an attention mask."""
    width = max(len(ids) for ids, _ in samples)
    batch: dict[str, list[list[int]]] = {"input_ids": [], "labels": [], "attention_mask": []}
    for ids, sample_labels in samples:
        pad = width - len(ids)
        batch["input_ids"].append(ids + [pad_id] * pad)
        batch["labels"].append(sample_labels + [IGNORE_INDEX] * pad)
        batch["attention_mask"].append([1] * len(ids) + [0] * pad)
    return batch


def loss_tokens(labels: list[int]) -> int:
    """The tokens a causal LM is scored on in one row: labels shift left by one, so the first never counts."""
    return sum(1 for label in labels[1:] if label != IGNORE_INDEX)


def epoch_order(count: int, seed: int, epoch: int) -> list[int]:
    """A fresh, reproducible order of rows (or samples) for every epoch."""
    order = list(range(count))
    random.Random(seed * 1000 + epoch).shuffle(order)
    return order


def chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def warmup_steps(total_steps: int, ratio: float = 0.03) -> int:
    return math.ceil(total_steps * ratio)


def lr_factor(step: int, total_steps: int, warmup: int) -> float:
    """Linear warm-up, then cosine decay to 0 (the schedule TRL used here: cosine, 3 % warm-up)."""
    if warmup > 0 and step < warmup:
        return (step + 1) / warmup
    span = max(1, total_steps - warmup)
    progress = min(1.0, (step - warmup) / span)
    return 0.5 * (1.0 + math.cos(math.pi * progress))
