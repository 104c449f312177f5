/**
 * One color per allocator name, the same in every chart of every page, so that `byte-cas` is the same blue
 * in a report, in a compare page and in the README's image. The shipped allocators have fixed colors
 * (Vega's tableau10, picked so that a variant never shares its parent's color: compare puts them side
 * by side); any other name (a user's module) gets a color hashed from its name, stable across runs.
 */

const fixed: Readonly<Record<string, string>> = {
  'byte-cas': '#4c78a8',
  'colored-region': '#f58518',
  'stack-bitmap': '#54a24b',
  'byte-cas/racy-rmw': '#e45756',
  'byte-cas/partial-claim': '#72b7b2',
  'byte-cas/precedence': '#b279a2',
  'colored-region/two-color': '#9d755d',
  'colored-region/one-sided': '#ff9da6',
  'stack-bitmap/double-push': '#c9a400',
};

export function colorOf(allocator: string): string {
  return fixed[allocator] ?? hashedColor(allocator);
}

/** The allocators in the order charts list them: shipped ones first, in the table above, then by name. */
export function orderAllocators(names: Iterable<string>): string[] {
  const known = Object.keys(fixed);
  const rank = (name: string) => (known.includes(name) ? known.indexOf(name) : known.length);
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

// FNV-1a over the name picks a hue; saturation and lightness stay where a line reads well on white.
function hashedColor(name: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return hslToHex(hash % 360, 0.6, 0.42);
}

function hslToHex(hue: number, saturation: number, lightness: number): string {
  const amplitude = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    const value = lightness - amplitude * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}
