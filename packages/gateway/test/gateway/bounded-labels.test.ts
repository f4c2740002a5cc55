import { describe, expect, it } from 'vitest';
import { BoundedLabels, OTHER } from '../../src/metrics/bounded-labels.js';

describe('BoundedLabels', () => {
  it('keeps known values always, unknown ones up to the bound, and folds the rest into (other)', () => {
    const labels = new BoundedLabels((v) => v.startsWith('known/'), 2);
    expect(labels.of('x/1')).toBe('x/1');
    expect(labels.of('x/2')).toBe('x/2');
    expect(labels.of('x/3')).toBe(OTHER);
    // Values already kept stay themselves; known ones are never folded.
    expect(labels.of('x/1')).toBe('x/1');
    for (let i = 0; i < 10; i++) expect(labels.of(`known/${i}`)).toBe(`known/${i}`);
    expect(labels.of('x/4')).toBe(OTHER);
  });
});
