/**
 * A Map of at most `max` entries that forgets the oldest insertion when it is full (the simulator's generation
 * records, sticky routes and prompt-cache prefixes: long-running simulators must not grow without bound).
 */
export class BoundedMap<K, V> {
  readonly #map = new Map<K, V>();
  // Evictions walk one live iterator in insertion order. A fresh `keys().next()` per eviction rescans the holes
  // that earlier deletions left at the front of V8's hash table (about 20 µs per insert into a full map); this
  // iterator passes each hole once, and everything before it has been deleted, so its next key is the oldest live
  // one. It is created only when the map first fills: an iterator that is never advanced keeps alive every table
  // V8 has rehashed the map into since, with their keys (a soak test saw ~190 bytes leak per request).
  #oldest: Iterator<K> | undefined;

  constructor(readonly max: number) {}

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  /** Stores `value` as the newest entry (an existing key moves to the end), forgetting the oldest when full. */
  set(key: K, value: V): void {
    if (this.#map.size >= this.max) {
      this.#oldest ??= this.#map.keys();
      const oldest = this.#oldest.next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
    this.#map.delete(key);
    this.#map.set(key, value);
  }
}
