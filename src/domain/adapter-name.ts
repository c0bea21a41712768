/**
 * What may name a model adapter (issue 13 item 4, review item 5): the one rule for shadow
 * adapters, report URLs and report bodies. vLLM names are model ids and LoRA module names such as
 * `Qwen/Qwen2.5-7B-Instruct` or `support-v2`; a blank, a newline, a NUL (PostgreSQL drops it and
 * stores `xy` for `x\u0000y`) or a `../..` path names no adapter, only trouble in logs and paths.
 */
import { ValidationError } from './errors.js';

export const MAX_ADAPTER_NAME_LENGTH = 200;

/** Letters, digits and . _ : / - only (so no whitespace or control characters), starting with a letter or digit. */
const ADAPTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

/** Why `name` cannot name an adapter, or null when it can. */
export function adapterNameProblem(name: string): string | null {
  if (name.length === 0 || name.length > MAX_ADAPTER_NAME_LENGTH) return `must be 1–${MAX_ADAPTER_NAME_LENGTH} characters`;
  if (!ADAPTER_NAME.test(name)) return 'must start with a letter or digit and contain only letters, digits and . _ : / -';
  // Path-like names stay names: no empty, `.` or `..` segment between slashes.
  if (name.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) return 'must not contain an empty, . or .. path segment';
  return null;
}

export function isAdapterName(name: string): boolean {
  return adapterNameProblem(name) === null;
}

/** Throws 400 MODEL.INVALID_NAME; the name itself is not echoed (it may hold anything). */
export function assertAdapterName(name: string): void {
  const problem = adapterNameProblem(name);
  if (problem) throw new ValidationError(`not an adapter name: it ${problem}`, 'MODEL.INVALID_NAME');
}
