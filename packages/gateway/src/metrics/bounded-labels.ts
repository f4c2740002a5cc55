/** The label value that stands for every value beyond the bound. */
export const OTHER = '(other)';

/**
 * Label values that come from client input (a request's `model`, its `models[]` fallbacks) — bounded, because every
 * distinct value is a time series kept in memory and scraped forever: a client sending random model ids would
 * otherwise grow the gateway and every Prometheus that scrapes it without limit. Values `known` to be real (in the
 * catalog) are always kept; up to `maxUnknown` others (local providers' models, ids the catalog has not listed
 * yet) too; beyond that they are counted under `(other)`.
 */
export class BoundedLabels {
  readonly #kept = new Set<string>();
  #unknown = 0;

  constructor(
    private readonly known: (value: string) => boolean = () => false,
    private readonly maxUnknown = 100,
  ) {}

  of(value: string): string {
    if (this.#kept.has(value)) return value;
    if (this.known(value)) {
      this.#kept.add(value);
      return value;
    }
    if (this.#unknown >= this.maxUnknown) return OTHER;
    this.#unknown++;
    this.#kept.add(value);
    return value;
  }
}
