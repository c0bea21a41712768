#!/usr/bin/env bash
# Serve Qwen2.5-7B-Instruct with LoRA adapters on the GPU node, OpenAI-compatible, for kefu-bridge.
# Runs on the GPU node, not in CI; not run in this repository yet.
#
#   VLLM_API_KEY=... ADAPTERS="support-v1 support-v2" infra/vllm/serve.sh
#
# Then on the kefu-bridge side:
#   MODEL_BASE_URL=http://<gpu-node>:8000/v1  MODEL_API_KEY=$VLLM_API_KEY
#   and per channel: PATCH /api/channels/:id {"model":{"name":"support-v1"}}
#
# Sources (shared/protocols/inference.md):
#   §1.1  the launch command and flags; `--lora-modules name=path`; --served-model-name sets the
#         base model's id, which is kefu-bridge's MODEL_NAME default (qwen2.5-7b-instruct).
#   §1.2  a request picks the adapter by putting its name in `model`.
#   §0/§6 --max-lora-rank defaults to 16: a rank-64 adapter fails with "LoRA rank 64 is greater
#         than max_lora_rank 16" (vLLM #2847). Set it to the real max rank, not higher: vLLM
#         pre-allocates by it.
#   §1.1  --generation-config vllm: ignore the model repo's generation_config.json defaults
#         (temperature 0.7, top_p 0.8, repetition_penalty 1.05); kefu-bridge sends temperature itself.
#   §1.5  runtime adapter (un)loading (VLLM_ALLOW_RUNTIME_LORA_UPDATING) is for development only;
#         this script leaves it off. Add an adapter by restarting with it in ADAPTERS.
#   §6.3  do not add --enforce-eager: LoRA decoding gets much slower without CUDA graphs.
#   §1.4  GET /health is 200 when the engine is up, but the first request to a new adapter can be
#         slow: run one warm-up request per adapter (see the end of this file).
# vLLM moves fast: check these flags against `vllm serve --help` of the version you pin.
set -euo pipefail

BASE_MODEL="${BASE_MODEL:-Qwen/Qwen2.5-7B-Instruct}"     # HF id or a local directory with the weights
SERVED_NAME="${SERVED_NAME:-qwen2.5-7b-instruct}"
ADAPTERS_DIR="${ADAPTERS_DIR:-/models/adapters}"         # one PEFT adapter directory per name
ADAPTERS="${ADAPTERS:-support-v1}"                       # space-separated adapter names
MAX_LORA_RANK="${MAX_LORA_RANK:-64}"                     # r=64 in infra/finetune/train_lora.py
MAX_LORAS="${MAX_LORAS:-2}"                              # distinct adapters in one running batch
MAX_CPU_LORAS="${MAX_CPU_LORAS:-4}"                      # adapters cached in CPU RAM (>= MAX_LORAS)
MAX_MODEL_LEN="${MAX_MODEL_LEN:-8192}"
GPU_MEMORY_UTILIZATION="${GPU_MEMORY_UTILIZATION:-0.90}"
PORT="${PORT:-8000}"
: "${VLLM_API_KEY:?set VLLM_API_KEY (kefu-bridge sends it as MODEL_API_KEY)}"

lora_modules=()
for name in $ADAPTERS; do
  dir="$ADAPTERS_DIR/$name"
  if [[ ! -f "$dir/adapter_config.json" ]]; then
    echo "adapter $name: $dir/adapter_config.json not found (see infra/finetune/README.md)" >&2
    exit 1
  fi
  lora_modules+=("$name=$dir")
done

exec vllm serve "$BASE_MODEL" \
  --served-model-name "$SERVED_NAME" \
  --dtype bfloat16 \
  --max-model-len "$MAX_MODEL_LEN" \
  --gpu-memory-utilization "$GPU_MEMORY_UTILIZATION" \
  --enable-lora \
  --max-lora-rank "$MAX_LORA_RANK" \
  --max-loras "$MAX_LORAS" \
  --max-cpu-loras "$MAX_CPU_LORAS" \
  --lora-modules "${lora_modules[@]}" \
  --generation-config vllm \
  --api-key "$VLLM_API_KEY" \
  --port "$PORT"

# Check and warm up once the server is up (inference.md §1.3, §1.4):
#   curl -s -H "Authorization: Bearer $VLLM_API_KEY" http://localhost:8000/v1/models    # lists each adapter with parent
#   curl -s -H "Authorization: Bearer $VLLM_API_KEY" -H 'Content-Type: application/json' \
#     http://localhost:8000/v1/chat/completions \
#     -d '{"model":"support-v1","messages":[{"role":"user","content":"包邮吗"}],"max_tokens":16,"logprobs":true}'
