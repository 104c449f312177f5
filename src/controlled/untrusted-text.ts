/**
 * A value from untrusted input (a token's field, a key, a path) shown inside a one-line message. The
 * message goes to a terminal, so the value must not be able to break the line, move the cursor or
 * recolor the screen, and must not make the message as long as the input.
 */

/** Characters of a value shown before it is cut short: enough to recognize it, too few to flood. */
const SHOWN_CHARS = 60;

/**
 * A string as a JSON-style quoted literal with every character outside printable ASCII escaped (so
 * control characters, ANSI escapes, bidi overrides and line separators stay inert), cut to a few
 * dozen characters; a number or boolean as written; anything else by its type.
 */
export function quote(value: unknown): string {
  if (typeof value === 'string') {
    const cut = value.length > SHOWN_CHARS ? value.slice(0, SHOWN_CHARS) : value;
    const escaped = cut.replace(/[^\x20-\x7e]|["\\]/g, (c) => (c === '"' || c === '\\' ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
    return value.length > SHOWN_CHARS ? `"${escaped}..." (${value.length.toLocaleString('en-US')} characters)` : `"${escaped}"`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value;
}
