"""Unit tests of the recipe's non-ML logic (issue 13 item 2). Standard library only:

  python3 -m unittest discover -s infra/finetune -p 'test_*.py'
"""
from __future__ import annotations

import contextlib
import io
import json
import random
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import measure  # noqa: E402
import run_stages  # noqa: E402
import train_lora  # noqa: E402
from packing import (  # noqa: E402
    chunks, epoch_order, loss_tokens, lr_factor, pack_row, pad_batch, plan_rows, segment_ids, warmup_steps,
)
from recipe_data import (  # noqa: E402
    DEFAULT_SYSTEM, IGNORE_INDEX, QWEN25_7B_CONFIG, QWEN_SPECIAL_IDS, CharTokenizer, build_examples,
    count_stages, filter_stage, fit_length, parse_line, read_jsonl, tokenize_example,
)

DEMO = HERE.parent.parent / "src" / "demo" / "demo-kb.jsonl"


def rec(instruction="包邮吗", output="满299元包邮", stage="basic", inp=""):
    return {"instruction": instruction, "input": inp, "output": output, "stage": stage}


class RecordParsing(unittest.TestCase):
    def test_a_good_line_is_trimmed_and_defaults_to_basic(self):
        self.assertEqual(parse_line('{"instruction": " 包邮吗 ", "output": "满299元包邮 "}'), rec())

    def test_a_stage_tag_is_kept(self):
        self.assertEqual(parse_line('{"instruction":"a","input":"b","output":"c","stage":"emotion"}')["stage"], "emotion")
        self.assertEqual(parse_line('{"instruction":"a","output":"c","stage":null}')["stage"], "basic")

    def test_bad_lines_say_why(self):
        self.assertEqual(parse_line("{"), "not valid JSON")
        self.assertEqual(parse_line("[1]"), "not a JSON object")
        self.assertIn('"instruction"', parse_line('{"instruction":"  ","output":"x"}'))
        self.assertIn('"input"', parse_line('{"instruction":"a","input":3,"output":"x"}'))
        self.assertIn('"output"', parse_line('{"instruction":"a"}'))
        self.assertIn('"stage"', parse_line('{"instruction":"a","output":"x","stage":"vip"}'))

    def test_read_jsonl_numbers_the_bad_lines_and_skips_blank_ones(self):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "t.jsonl"
            path.write_text('{"instruction":"a","output":"b"}\n\n{"instruction":"a"}\n', encoding="utf-8")
            records, errors = read_jsonl(path)
        self.assertEqual(len(records), 1)
        self.assertEqual(errors, [(3, '"output" must be a non-empty string')])

    def test_the_demo_knowledge_base_parses(self):
        records, errors = read_jsonl(DEMO)
        self.assertEqual(errors, [])
        self.assertGreater(len(records), 10)


class StageFiltering(unittest.TestCase):
    records = [rec(stage="basic"), rec(stage="promotion"), rec(stage="emotion"), rec(stage="promotion")]

    def test_one_stage_or_all(self):
        self.assertEqual([r["stage"] for r in filter_stage(self.records, "promotion")], ["promotion", "promotion"])
        self.assertEqual(len(filter_stage(self.records, None)), 4)
        self.assertEqual(count_stages(self.records), {"basic": 1, "promotion": 2, "emotion": 1})

    def test_an_unknown_stage_is_refused(self):
        with self.assertRaises(ValueError):
            filter_stage(self.records, "vip")

    def test_load_refuses_an_empty_stage_with_the_counts(self):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "t.jsonl"
            path.write_text(json.dumps(rec()) + "\n", encoding="utf-8")
            with self.assertRaises(SystemExit) as caught:
                train_lora.load(path, "emotion")
            self.assertIn("no records of stage emotion", str(caught.exception))
            self.assertEqual(train_lora.load(path, "emotion", allow_empty=True), [])

    def test_the_driver_chains_the_stages_in_order_and_skips_empty_ones(self):
        out = Path("/tmp/out")
        commands = run_stages.stage_commands(Path("d.jsonl"), out, {"basic": 3, "promotion": 0, "emotion": 2},
                                             ["--random-init"], eval_data=Path("h.jsonl"), python="py")
        self.assertEqual([s for s, _ in commands], ["basic", "emotion"])
        basic, emotion = commands[0][1], commands[1][1]
        self.assertNotIn("--init-adapter", basic)
        self.assertEqual(emotion[emotion.index("--init-adapter") + 1], str(out / "basic" / "adapter"))
        self.assertEqual(emotion[emotion.index("--stage") + 1], "emotion")
        self.assertEqual(emotion[emotion.index("--eval-data") + 1], "h.jsonl")
        self.assertEqual(emotion[-1], "--random-init")

    def test_the_driver_can_start_from_last_rounds_adapter(self):
        commands = run_stages.stage_commands(Path("d"), Path("o"), {"basic": 1}, [], init_adapter=Path("prev/adapter"))
        argv = commands[0][1]
        self.assertEqual(argv[argv.index("--init-adapter") + 1], "prev/adapter")


class Rendering(unittest.TestCase):
    def test_persona_only_by_default(self):
        ex = build_examples([rec(inp="德国")], DEFAULT_SYSTEM, -1, 1)[0]
        self.assertEqual(ex["prompt"][0], {"role": "system", "content": DEFAULT_SYSTEM})
        self.assertEqual(ex["prompt"][1], {"role": "user", "content": "包邮吗\n德国"})
        self.assertEqual(ex["completion"], [{"role": "assistant", "content": "满299元包邮"}])

    def test_knowledge_in_prompt_carries_the_records_own_entry(self):
        pool = [rec(instruction=f"问{i}", output=f"答{i}") for i in range(5)]
        ex = build_examples(pool, "P", 2, 7)[3]
        system = ex["prompt"][0]["content"]
        self.assertTrue(system.startswith("P\n\n店铺知识"))
        self.assertIn("顾客问：问3\n   回答：答3", system)
        self.assertEqual(system.count("顾客问："), 3)

    def test_char_tokenizer_renders_chatml_with_qwens_special_ids(self):
        tok = CharTokenizer()
        text = tok.apply_chat_template([{"role": "user", "content": "好"}], add_generation_prompt=True)
        self.assertEqual(text, "<|im_start|>user\n好<|im_end|>\n<|im_start|>assistant\n")
        ids = tok(text)["input_ids"]
        self.assertEqual(ids[0], QWEN_SPECIAL_IDS["<|im_start|>"])
        self.assertEqual(len(ids), 1 + 4 + 1 + 1 + 1 + 1 + 1 + 9 + 1)
        self.assertTrue(all(i < QWEN25_7B_CONFIG["vocab_size"] for i in ids))

    def test_only_the_answer_carries_labels(self):
        tok = CharTokenizer()
        ex = build_examples([rec()], "P", -1, 1)[0]
        ids, labels = tokenize_example(tok, ex)
        self.assertEqual(len(ids), len(labels))
        answer = [i for i, label in zip(ids, labels) if label != IGNORE_INDEX]
        self.assertEqual(answer, tok("满299元包邮<|im_end|>\n")["input_ids"])
        prompt_len = labels.index(next(label for label in labels if label != IGNORE_INDEX))
        self.assertEqual(ids[prompt_len - 1], ord("\n"))  # the prompt ends with the generation prompt
        self.assertEqual(ids[prompt_len - 2 - len("assistant")], QWEN_SPECIAL_IDS["<|im_start|>"])

    def test_a_template_that_renders_the_prompt_differently_is_refused(self):
        class Odd(CharTokenizer):
            def apply_chat_template(self, messages, tokenize=False, add_generation_prompt=False):
                return ("X" if add_generation_prompt else "Y") + super().apply_chat_template(messages, tokenize, add_generation_prompt)

        with self.assertRaises(ValueError):
            tokenize_example(Odd(), build_examples([rec()], "P", -1, 1)[0])

    def test_overlong_samples_are_refused_or_truncated_but_never_kept_without_an_answer(self):
        ids, labels = list(range(10)), [IGNORE_INDEX] * 6 + list(range(6, 10))
        self.assertEqual(fit_length(ids, labels, 10, "refuse"), (ids, labels))
        self.assertIsNone(fit_length(ids, labels, 8, "refuse"))
        self.assertEqual(fit_length(ids, labels, 8, "truncate"), (ids[:8], labels[:8]))
        self.assertIsNone(fit_length(ids, labels, 5, "truncate"))

    def test_prepare_samples_lists_the_overlong_ones_and_stops(self):
        examples = build_examples([rec(), rec(output="长" * 300)], "P", -1, 1)
        with self.assertRaises(SystemExit) as caught:
            train_lora.prepare_samples(CharTokenizer(), examples, 100, "refuse")
        self.assertIn("1 sample(s) longer than --max-length 100: #2", str(caught.exception))
        self.assertEqual(len(train_lora.prepare_samples(CharTokenizer(), examples, 100, "truncate")), 2)


def sample(n, prompt, start=1):
    ids = list(range(start, start + n))
    return ids, [IGNORE_INDEX] * prompt + ids[prompt:]


class PackingPlanner(unittest.TestCase):
    def test_first_fit_decreasing(self):
        self.assertEqual(plan_rows([5, 7, 3, 2, 4], 10), [[1, 2], [0, 4], [3]])

    def test_no_row_overflows_and_every_sample_is_placed_once(self):
        rng = random.Random(3)
        for _ in range(50):
            lengths = [rng.randint(1, 300) for _ in range(rng.randint(1, 200))]
            rows = plan_rows(lengths, 512)
            placed = sorted(i for row in rows for i in row)
            self.assertEqual(placed, list(range(len(lengths))))
            self.assertTrue(all(sum(lengths[i] for i in row) <= 512 for row in rows))
            fill = [sum(lengths[i] for i in row) for row in rows]
            for j in range(1, len(rows)):  # first fit: a sample opens a row only if no earlier row had room
                smallest = min(lengths[i] for i in rows[j])
                self.assertTrue(all(smallest > 512 - fill[i] for i in range(j)))

    def test_a_sample_longer_than_a_row_is_refused_not_split(self):
        with self.assertRaises(ValueError):
            plan_rows([3, 11], 10)
        with self.assertRaises(ValueError):
            plan_rows([0], 10)
        self.assertEqual(plan_rows([10], 10), [[0]])

    def test_the_plan_is_deterministic(self):
        self.assertEqual(plan_rows([4, 4, 4, 2], 8), [[0, 1], [2, 3]])

    def test_positions_restart_and_boundaries_carry_no_label(self):
        row = pack_row([sample(4, 2), sample(3, 1, start=100), sample(2, 0, start=200)])
        self.assertEqual(row["position_ids"], [0, 1, 2, 3, 0, 1, 2, 0, 1])
        self.assertEqual(row["lengths"], [4, 3, 2])
        self.assertEqual(row["input_ids"], [1, 2, 3, 4, 100, 101, 102, 200, 201])
        self.assertEqual(row["labels"], [IGNORE_INDEX, IGNORE_INDEX, 3, 4, IGNORE_INDEX, 101, 102, IGNORE_INDEX, 201])
        self.assertEqual(segment_ids(row["position_ids"]), [0, 0, 0, 0, 1, 1, 1, 2, 2])

    def test_a_packed_row_scores_the_same_tokens_as_the_samples_apart(self):
        parts = [sample(6, 3), sample(5, 2), sample(7, 4)]
        row = pack_row(parts)
        self.assertEqual(loss_tokens(row["labels"]), sum(loss_tokens(labels) for _, labels in parts))

    def test_a_single_token_sample_restarts_too(self):
        self.assertEqual(segment_ids(pack_row([sample(1, 0), sample(1, 0)])["position_ids"]), [0, 1])

    def test_a_sample_with_mismatched_labels_is_refused(self):
        with self.assertRaises(ValueError):
            pack_row([([1, 2], [1])])

    def test_the_reference_batch_pads_right_with_no_labels_on_padding(self):
        batch = pad_batch([sample(3, 1), sample(1, 0, start=9)], pad_id=0)
        self.assertEqual(batch["input_ids"], [[1, 2, 3], [9, 0, 0]])
        self.assertEqual(batch["attention_mask"], [[1, 1, 1], [1, 0, 0]])
        self.assertEqual(batch["labels"], [[IGNORE_INDEX, 2, 3], [9, IGNORE_INDEX, IGNORE_INDEX]])

    def test_epoch_orders_are_permutations_that_change_per_epoch(self):
        a, b = epoch_order(50, 42, 0), epoch_order(50, 42, 1)
        self.assertEqual(sorted(a), list(range(50)))
        self.assertNotEqual(a, b)
        self.assertEqual(a, epoch_order(50, 42, 0))
        self.assertEqual(chunks([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]])

    def test_cosine_schedule_with_warm_up(self):
        total, warm = 100, warmup_steps(100)
        self.assertEqual(warm, 3)
        self.assertAlmostEqual(lr_factor(0, total, warm), 1 / 3)
        self.assertAlmostEqual(lr_factor(3, total, warm), 1.0)
        self.assertAlmostEqual(lr_factor(100, total, warm), 0.0)
        self.assertTrue(all(lr_factor(s, total, warm) >= lr_factor(s + 1, total, warm) for s in range(3, 100)))


class PackingCheckVerdict(unittest.TestCase):
    def test_restarts_honoured_leaking_or_inconclusive(self):
        self.assertEqual(train_lora.packing_verdict(0.002, 0.8), "position_ids")
        self.assertEqual(train_lora.packing_verdict(0.8, 0.8), "block_mask")
        self.assertEqual(train_lora.packing_verdict(0.5, 0.8), "block_mask")
        self.assertEqual(train_lora.packing_verdict(0.0001, 0.0002), "inconclusive")


class AdapterContinuation(unittest.TestCase):
    good = {"peft_type": "LORA", "r": 64, "lora_alpha": 128, "target_modules": ["v_proj", "q_proj", "o_proj", "k_proj"],
            "modules_to_save": None, "lora_dropout": 0.05}

    def test_the_recipes_adapter_matches(self):
        self.assertEqual(train_lora.adapter_mismatches(self.good, 64, 128, train_lora.TARGET_MODULES), [])

    def test_each_mismatch_is_named(self):
        bad = {**self.good, "r": 16, "lora_alpha": 32, "target_modules": ["q_proj", "v_proj"], "modules_to_save": ["lm_head"]}
        problems = train_lora.adapter_mismatches(bad, 64, 128, train_lora.TARGET_MODULES)
        self.assertEqual(len(problems), 4)
        self.assertIn("r=16", problems[0])
        self.assertIn("lora_alpha=32", problems[1])
        self.assertIn("target_modules", problems[2])
        self.assertIn("modules_to_save", problems[3])

    def test_a_missing_adapter_config_is_a_clear_error(self):
        with tempfile.TemporaryDirectory() as d, self.assertRaises(SystemExit) as caught:
            train_lora.read_adapter_config(Path(d))
        self.assertIn("no adapter_config.json", str(caught.exception))

    def test_flags(self):
        args = train_lora.parse_args(["--data", "d", "--output-dir", "o", "--random-init", "--no-pack", "--stage", "promotion"])
        self.assertEqual((args.random_init, args.pack, args.stage), ("qwen2.5-7b", False, "promotion"))
        self.assertEqual(train_lora.settings_from(args, "position_ids")["grad_accum"], 4)
        args = train_lora.parse_args(["--data", "d", "--output-dir", "o", "--init-adapter", "a/adapter"])
        self.assertTrue(args.pack)
        self.assertEqual(args.init_adapter, Path("a/adapter"))
        self.assertEqual(train_lora.settings_from(args, "position_ids")["grad_accum"], 1)
        with self.assertRaises(SystemExit), contextlib.redirect_stderr(io.StringIO()) as err:
            train_lora.parse_args(["--data", "d", "--output-dir", "o", "--random-init", "--merge-to", "m"])
        self.assertIn("--merge-to needs real weights", err.getvalue())

    def test_the_embedded_config_is_qwen25_7b(self):
        c = QWEN25_7B_CONFIG
        self.assertEqual((c["hidden_size"], c["num_hidden_layers"], c["num_attention_heads"], c["num_key_value_heads"]), (3584, 28, 28, 4))
        self.assertEqual((c["intermediate_size"], c["vocab_size"], c["max_position_embeddings"]), (18944, 152064, 32768))
        self.assertEqual((c["rope_theta"], c["rms_norm_eps"], c["tie_word_embeddings"]), (1e6, 1e-6, False))


class LengthSampling(unittest.TestCase):
    def test_demo_lengths_are_rendered_with_the_template(self):
        records, _ = read_jsonl(DEMO)
        pool = measure.export_samples(records, DEFAULT_SYSTEM, -1, 42)
        self.assertEqual(len(pool), len(records))
        overhead = len("<|im_start|>system\n") - len("<|im_start|>") + 1  # a lower bound on the template's cost
        for (ids, _), r in zip(pool, records):
            self.assertGreater(len(ids), len(DEFAULT_SYSTEM) + len(r["instruction"]) + len(r["output"]) + overhead)
        with_knowledge = measure.export_samples(records, DEFAULT_SYSTEM, 2, 42)
        self.assertGreater(measure.length_summary(with_knowledge)["mean"], measure.length_summary(pool)["mean"])

    def test_draws_resample_the_pool_reproducibly(self):
        pool = list(range(7))
        drawn = measure.draw(pool, 200, 1)
        self.assertEqual(len(drawn), 200)
        self.assertEqual(set(drawn), set(pool))
        self.assertEqual(drawn, measure.draw(pool, 200, 1))

    def test_fixed_samples_have_the_reference_shape(self):
        samples = measure.fixed_samples(3, 256, 0)
        self.assertTrue(all(len(ids) == 256 and loss_tokens(labels) == 128 for ids, labels in samples))

    def test_length_summary(self):
        s = measure.length_summary([([0] * n, [0] * n) for n in (5, 1, 3, 2, 4)])
        self.assertEqual((s["min"], s["median"], s["max"], s["mean"]), (1, 3, 5, 3.0))

    def test_the_reference_rate_and_the_ratio(self):
        self.assertAlmostEqual(measure.REFERENCE_TOKENS_PER_S, 200 * 3 * 256 / 11)
        same = measure.compare_to_reference(153600, 11.0)
        self.assertEqual((same["reference_s_same_tokens"], same["tokens_per_s_ratio"]), (11.0, 1.0))
        self.assertEqual(measure.compare_to_reference(153600, 5.5)["tokens_per_s_ratio"], 2.0)
        self.assertEqual(measure.compare_to_reference(153600, 12)["verdict"], "slower than the reference")

    def test_the_plan_covers_200x3_and_2000_packed_and_unpacked(self):
        runs = measure.plan(smoke=False)
        self.assertEqual({(r["samples"], r["epochs"], r["pack"]) for r in runs if r["source"] == "export"},
                         {(200, 3, True), (200, 3, False), (2000, 3, True), (2000, 3, False)})
        self.assertTrue(all(r["samples"] <= 32 for r in measure.plan(smoke=True)))

    def test_the_budget_stops_runs_that_would_overrun(self):
        self.assertTrue(measure.fits_budget(10_000, None, 10, 540))
        self.assertTrue(measure.fits_budget(100_000, 10_000, 100, 540))
        self.assertFalse(measure.fits_budget(4_000_000, 10_000, 100, 540))


if __name__ == "__main__":
    unittest.main()
