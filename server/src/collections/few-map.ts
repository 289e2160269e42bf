/**
 * Values found by a key that is one of their own fields, for sets that are almost always tiny
 * (the devices bound to one node's indicator): the value itself while there is one, then a plain
 * array searched in order while it holds at most FEW_MAX values, then a Map. One value costs
 * nothing beyond itself; an array of one ~56 B and a Map of one ~180 B more, which at 100,000
 * series is 5.6 MB and 18 MB (issue 10's memory row).
 *
 * @example
 *   let devices: FewMap<string, { id: string }> | undefined;
 *   devices = fewAdd(devices, 'a', { id: 'a' }, (d) => d.id);   // the value itself
 *   devices = fewAdd(devices, 'b', { id: 'b' }, (d) => d.id);   // [a, b]
 *   fewGet(devices, 'a', (d) => d.id);                            // { id: 'a' }
 */
export type FewMap<K, V extends object> = V | V[] | Map<K, V>;

/** Largest array before it becomes a Map. */
export const FEW_MAX = 8;

export function fewGet<K, V extends object>(set: FewMap<K, V> | undefined, key: K, keyOf: (v: V) => K): V | undefined {
  if (set === undefined) return undefined;
  if (set instanceof Map) return set.get(key);
  if (!Array.isArray(set)) return keyOf(set) === key ? set : undefined;
  for (let i = 0; i < set.length; i++) if (keyOf(set[i]!) === key) return set[i];
  return undefined;
}

/**
 * Adds `value` under `key` (not present yet); returns the set to keep from now on (the value, a new array or a Map).
 */
export function fewAdd<K, V extends object>(
  set: FewMap<K, V> | undefined,
  key: K,
  value: V,
  keyOf: (v: V) => K,
): FewMap<K, V> {
  if (set === undefined) return value;
  if (set instanceof Map) return set.set(key, value);
  if (!Array.isArray(set)) return [set, value];
  if (set.length < FEW_MAX) {
    set.push(value);
    return set;
  }
  const map = new Map<K, V>();
  for (const v of set) map.set(keyOf(v), v);
  return map.set(key, value);
}

/** The values, in insertion order. */
export function fewValues<K, V extends object>(set: FewMap<K, V> | undefined): Iterable<V> {
  if (set === undefined) return [];
  if (set instanceof Map) return set.values();
  return Array.isArray(set) ? set : [set];
}
