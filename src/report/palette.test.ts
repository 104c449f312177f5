import { describe, expect, it } from 'vitest';
import { allocators } from '../alloc/registry.ts';
import { colorOf, orderAllocators } from './palette.ts';

describe('palette', () => {
  it('gives every shipped allocator its own fixed color', () => {
    const names = Object.keys(allocators);
    expect(names).toHaveLength(9);
    const colors = names.map(colorOf);
    expect(new Set(colors).size).toBe(names.length);
    expect(colors.every((color) => /^#[0-9a-f]{6}$/.test(color))).toBe(true);
    expect(colorOf('byte-cas')).toBe('#4c78a8');
  });

  it('hashes other names to a stable color', () => {
    expect(colorOf('./my-allocator.ts')).toBe(colorOf('./my-allocator.ts'));
    expect(colorOf('./my-allocator.ts')).toMatch(/^#[0-9a-f]{6}$/);
    expect(colorOf('./my-allocator.ts')).not.toBe(colorOf('./other.ts'));
  });

  it('orders shipped allocators first, in registry order, then by name', () => {
    expect(orderAllocators(['z.ts', 'stack-bitmap', 'byte-cas/precedence', 'byte-cas', 'a.ts', 'byte-cas'])).toEqual(['byte-cas', 'stack-bitmap', 'byte-cas/precedence', 'a.ts', 'z.ts']);
  });
});
