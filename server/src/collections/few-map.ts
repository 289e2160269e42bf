/**
 * Values found by a key that is one of their own fields, for sets that are almost always tiny
 * (the devices of one node's indicator, the devices writing one series): a plain array searched
 * in order while it holds at most FEW_MAX values, a Map once it grows past that. An array of one
 * costs ~60 B; a Map of one ~180 B, which at 100,000 series is 12 MB (issue 10's memory row).
 *
 * @example
 *   let devices: FewMap<string, { id: string }> = [];
 *   devices = fewAdd(devices, 'a', { id: 'a' }, (d) => d.id);   // still an array
 *   fewGet(devices, 'a', (d) => d.id);                            // { id: 'a' }
 */
export type FewMap<K, V> = V[] | Map<K, V>;

/** Largest array before it becomes a Map. */
export const FEW_MAX = 8;

export function fewGet<K, V>(set: FewMap<K, V>, key: K, keyOf: (v: V) => K): V | undefined {
  if (set instanceof Map) return set.get(key);
  for (let i = 0; i < set.length; i++) if (keyOf(set[i]!) === key) return set[i];
  return undefined;
}

/** Adds `value` under `key` (not present yet); returns the set to keep, which may be a new array or Map. */
export function fewAdd<K, V>(set: FewMap<K, V>, key: K, value: V, keyOf: (v: V) => K): FewMap<K, V> {
  if (set instanceof Map) return set.set(key, value);
  // A new array of exactly one: V8 gives an empty array's first push room for 17 (~150 B).
  if (set.length === 0) return [value];
  if (set.length < FEW_MAX) {
    set.push(value);
    return set;
  }
  const map = new Map<K, V>();
  for (const v of set) map.set(keyOf(v), v);
  return map.set(key, value);
}

/** The values, in insertion order. */
export function fewValues<K, V>(set: FewMap<K, V>): Iterable<V> {
  return set instanceof Map ? set.values() : set;
}
