"""The recipe's data side, in pure Python (no torch, no transformers): records, stages, the chat
rendering of a record, its token ids and loss mask, and a stand-in tokenizer for --random-init.

Kept free of ML imports so that `python3 -m unittest discover -s infra/finetune -p 'test_*.py'`
runs on any machine (issue 13 item 2); train_lora.py imports torch only inside functions.
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

# The recipe's 分阶段 (issue 13): basic Q&A first, then promotions, then complaint handling. The
# export tags every pair with one of these; a record without a tag is basic Q&A.
STAGES = ("basic", "promotion", "emotion")
DEFAULT_STAGE = "basic"

# The channel's default persona: DEFAULT_SYSTEM_PROMPT in src/domain/channel.ts. Train with the
# system prompt the service will send (inference.md §4.5); pass --system if your channel sets its own.
DEFAULT_SYSTEM = "你是本店的在线客服，只根据提供的店铺知识回答顾客的问题，语气亲切简洁；不知道答案时请说明会转人工客服。"

# The knowledge block kefu-bridge appends to the persona (src/model/prompt.ts), for --knowledge-in-prompt.
KNOWLEDGE_HEADER = "店铺知识（回答只能依据以下内容）："
ANSWER_RULES = (
    "回答要求：只根据上面的店铺知识回答顾客，不要编造价格、时效、政策或订单信息；"
    "店铺知识没有覆盖的问题，或需要查询顾客本人订单、账户信息的问题，请直接告诉顾客会为其转接人工客服。"
)

IGNORE_INDEX = -100  # the label that carries no loss (torch's cross_entropy ignore_index)


# ---------------------------------------------------------------- records ----

def parse_line(line: str) -> dict | str:
    """One JSONL line → record, or why it is refused (the rules of POST /api/knowledge/import,
    plus the optional "stage" tag of the training export)."""
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
    stage = value.get("stage", DEFAULT_STAGE)
    if stage is None:
        stage = DEFAULT_STAGE
    if stage not in STAGES:
        return f'"stage" must be one of {", ".join(STAGES)}'
    return {"instruction": instruction.strip(), "input": inp.strip(), "output": output.strip(), "stage": stage}


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


def filter_stage(records: list[dict], stage: str | None) -> list[dict]:
    """The records of one stage, or all of them (stage None)."""
    if stage is None:
        return list(records)
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}: expected one of {', '.join(STAGES)}")
    return [r for r in records if r["stage"] == stage]


def count_stages(records: list[dict]) -> dict[str, int]:
    counts = {s: 0 for s in STAGES}
    for r in records:
        counts[r["stage"]] += 1
    return counts


# ---------------------------------------------------------------- rendering ----

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


def tokenize_example(tokenizer, example: dict) -> tuple[list[int], list[int]]:
    """A prompt-completion example → (input_ids, labels) with the prompt's labels at IGNORE_INDEX.

    The chat template renders the whole conversation; the prompt is rendered with the generation
    prompt (`<|im_start|>assistant\\n` for Qwen), so the completion is what the model must write,
    its end-of-turn token included. Prompt and completion are tokenized apart so that the boundary
    is exact even when a tokenizer would merge across it. Works with a transformers tokenizer and
    with CharTokenizer (both: apply_chat_template(tokenize=False) and __call__ → input_ids)."""
    prompt_text = tokenizer.apply_chat_template(example["prompt"], tokenize=False, add_generation_prompt=True)
    full_text = tokenizer.apply_chat_template(example["prompt"] + example["completion"], tokenize=False)
    if not full_text.startswith(prompt_text):
        raise ValueError("the chat template renders the prompt differently inside the full conversation")
    prompt_ids = list(tokenizer(prompt_text, add_special_tokens=False)["input_ids"])
    completion_ids = list(tokenizer(full_text[len(prompt_text):], add_special_tokens=False)["input_ids"])
    if not completion_ids:
        raise ValueError("the completion renders to no tokens")
    return prompt_ids + completion_ids, [IGNORE_INDEX] * len(prompt_ids) + completion_ids


def fit_length(ids: list[int], labels: list[int], max_length: int, policy: str) -> tuple[list[int], list[int]] | None:
    """A sample longer than a row: "refuse" → None (the caller lists them and stops), "truncate" →
    its first max_length tokens (None when no answer token is left, as it would teach nothing)."""
    if len(ids) <= max_length:
        return ids, labels
    if policy != "truncate":
        return None
    ids, labels = ids[:max_length], labels[:max_length]
    if all(label == IGNORE_INDEX for label in labels):
        return None
    return ids, labels


# ---------------------------------------------------------------- --random-init ----

# Qwen2.5-7B-Instruct's config.json, embedded so that --random-init needs no download. Random
# weights cost the same FLOPs and memory as the real ones, which is all a measurement needs.
QWEN25_7B_CONFIG = {
    "hidden_size": 3584,
    "num_hidden_layers": 28,
    "num_attention_heads": 28,
    "num_key_value_heads": 4,
    "intermediate_size": 18944,
    "vocab_size": 152064,
    "rope_theta": 1000000.0,
    "max_position_embeddings": 32768,
    "rms_norm_eps": 1e-6,
    "tie_word_embeddings": False,
    "hidden_act": "silu",
    "bos_token_id": 151643,
    "eos_token_id": 151645,
    "use_sliding_window": False,
    "use_cache": False,
}

# A tiny model of the same family, for a smoke run on any machine (CPU included).
TINY_CONFIG = {
    **QWEN25_7B_CONFIG,
    "hidden_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "intermediate_size": 128,
    "max_position_embeddings": 4096,
}

RANDOM_INIT_CONFIGS = {"qwen2.5-7b": QWEN25_7B_CONFIG, "tiny": TINY_CONFIG}

# Qwen2's special tokens, at their real ids (the regular vocabulary ends at 151643).
QWEN_SPECIAL_IDS = {"<|endoftext|>": 151643, "<|im_start|>": 151644, "<|im_end|>": 151645}
QWEN_REGULAR_VOCAB = 151643


class CharTokenizer:
    """A stand-in for Qwen's tokenizer that needs no download: one id per character, Qwen's
    special tokens at their real ids, and Qwen's ChatML template.

    For measuring only. Qwen's BPE packs about 1.0–1.5 Chinese characters into a token, so one id
    per character slightly overstates the token count of Chinese text (an upper bound on length)."""

    eos_token_id = QWEN_SPECIAL_IDS["<|im_end|>"]
    pad_token_id = QWEN_SPECIAL_IDS["<|endoftext|>"]
    _special = re.compile("(" + "|".join(re.escape(t) for t in QWEN_SPECIAL_IDS) + ")")

    def __init__(self, vocab_size: int = 152064) -> None:
        self.regular = min(vocab_size, QWEN_REGULAR_VOCAB)

    def apply_chat_template(self, messages: list[dict], tokenize: bool = False, add_generation_prompt: bool = False) -> str:
        if tokenize:
            raise ValueError("CharTokenizer renders text only: call it on the rendered text")
        text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
        return text + ("<|im_start|>assistant\n" if add_generation_prompt else "")

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        for piece in self._special.split(text):
            if piece in QWEN_SPECIAL_IDS:
                ids.append(QWEN_SPECIAL_IDS[piece])
            else:
                ids.extend(ord(ch) % self.regular for ch in piece)
        return ids

    def __call__(self, text: str, add_special_tokens: bool = False) -> dict:
        return {"input_ids": self.encode(text)}
