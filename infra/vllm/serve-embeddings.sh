#!/usr/bin/env bash
# Serve an embedding model (default BAAI/bge-m3) with vLLM's OpenAI-compatible /v1/embeddings, for
# kefu-bridge's dense knowledge retrieval (issue 12, item 3). Runs on the GPU node, next to the chat
# model of serve.sh, as a second vLLM process on its own port. Not run in CI; see EMBEDDINGS.md.
#
#   VLLM_API_KEY=... infra/vllm/serve-embeddings.sh
#
# Then on the kefu-bridge side:
#   EMBEDDING_BASE_URL=http://<gpu-node>:8001/v1  EMBEDDING_API_KEY=$VLLM_API_KEY  EMBEDDING_MODEL=bge-m3
#
# Flags (vLLM docs, "Pooling models"):
#   --runner pooling  runs the model as an embedding model (vLLM >= 0.10.1; `--runner auto`, the
#                     default, picks it too for bge-m3's XLMRobertaModel). On vLLM < 0.10.1 the flag
#                     was `--task embed`: set VLLM_LEGACY_TASK_FLAG=1.
#   --served-model-name  the id kefu-bridge sends as `model` (EMBEDDING_MODEL, default bge-m3). Stored
#                     vectors are keyed by it: serve another model under ANOTHER name, or kefu-bridge
#                     would mix vectors of two models (it re-embeds every entry once for a new name).
#   --gpu-memory-utilization  the share of the GPU this process may take. bge-m3 (568M parameters,
#                     ~1.1 GiB in bf16) needs little: 0.10 here, and start serve.sh with
#                     GPU_MEMORY_UTILIZATION=0.80 so the two fit on one card.
#   --max-model-len 8192  bge-m3's own limit; kefu-bridge sends at most the last 2,000 characters of
#                     a question and short knowledge phrasings.
# vLLM moves fast: check these flags against `vllm serve --help` of the version you pin.
set -euo pipefail

MODEL="${MODEL:-BAAI/bge-m3}"                         # HF id or a local directory with the weights
SERVED_NAME="${SERVED_NAME:-bge-m3}"                  # = kefu-bridge's EMBEDDING_MODEL
MAX_MODEL_LEN="${MAX_MODEL_LEN:-8192}"
GPU_MEMORY_UTILIZATION="${GPU_MEMORY_UTILIZATION:-0.10}"
PORT="${PORT:-8001}"
: "${VLLM_API_KEY:?set VLLM_API_KEY (kefu-bridge sends it as EMBEDDING_API_KEY)}"

runner=(--runner pooling)
if [[ "${VLLM_LEGACY_TASK_FLAG:-0}" == 1 ]]; then runner=(--task embed); fi

exec vllm serve "$MODEL" \
  "${runner[@]}" \
  --served-model-name "$SERVED_NAME" \
  --dtype bfloat16 \
  --max-model-len "$MAX_MODEL_LEN" \
  --gpu-memory-utilization "$GPU_MEMORY_UTILIZATION" \
  --api-key "$VLLM_API_KEY" \
  --port "$PORT"

# Check once the server is up (same request kefu-bridge sends):
#   curl -s -H "Authorization: Bearer $VLLM_API_KEY" -H 'Content-Type: application/json' \
#     http://localhost:8001/v1/embeddings \
#     -d '{"model":"bge-m3","input":["包邮吗","满多少包邮"],"encoding_format":"float"}' \
#     | python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; print(len(d), len(d[0]["embedding"]))'   # 2 1024
