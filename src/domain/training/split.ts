/**
 * Train / held-out split BY ANSWER GROUP (issue 13 item 1): a deterministic hash of the group's key
 * decides, so every phrasing of a held-out answer is held out and the evaluation (issue 13 item 3)
 * measures answers the adapter never saw. The same data always splits the same way.
 */

/** FNV-1a over the key's UTF-16 code units, as a number in [0, 1). */
export function unitHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Avalanche the low bits (murmur3's finalizer): keys that differ in one character spread evenly.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}

/** True when the group with this key belongs to the held-out set. */
export function isHeldOut(groupKey: string, heldoutShare: number): boolean {
  return unitHash(groupKey) < heldoutShare;
}
