/** issue 13 item 4: the adapters the model node serves (vLLM's GET /v1/models). */

export interface CatalogModel {
  /** What a chat request names as `model`: the base model or a LoRA module. */
  name: string;
  /** The base model a LoRA module was loaded onto (vLLM's `parent`); null for a base model. */
  parent: string | null;
}

export interface CatalogListing {
  /** Whether a model node is configured at all (MODEL_BASE_URL). */
  configured: boolean;
  /** Whether it answered the listing. */
  available: boolean;
  /** Why not, when it did not. */
  error: string | null;
  models: CatalogModel[];
}

export interface ModelCatalog {
  /** Never throws: a node that is down or answers nonsense is `available: false` with the reason. */
  list(): Promise<CatalogListing>;
}
