/**
 * A Map of at most `max` entries that forgets the oldest insertion when it is full (the simulator's generation
 * records, sticky routes and prompt-cache prefixes: long-running simulators must not grow without bound).
 */
export class BoundedMap<K, V> {
  readonly #map = new Map<K, V>();
  // Evictions walk one live iterator in insertion order. A fresh `keys().next()` per eviction rescans the holes
  // that earlier deletions left at the front of V8's hash table (about 20 µs per insert into a full map); this
  // iterator passes each hole once, and everything before it has been deleted, so its next key is the oldest live
  // one. It is kept only while evictions advance it: an iterator that is not advanced keeps alive every table V8
  // rehashes the map into meanwhile, with their keys (a soak test saw ~190 bytes leak per request). So it is made
  // when the map first fills, and dropped when a key moves to the end without an eviction.
  #oldest: Iterator<K> | undefined;

  constructor(readonly max: number) {}

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    return this.#map.get(key);
  }

  /** Stores `value` as the newest entry (an existing key moves to the end), forgetting the oldest when a new key
   * finds the map full. */
  set(key: K, value: V): void {
    if (this.#map.delete(key)) {
      this.#oldest = undefined;
    } else if (this.#map.size >= this.max) {
      this.#oldest ??= this.#map.keys();
      const oldest = this.#oldest.next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
    this.#map.set(key, value);
  }
}
