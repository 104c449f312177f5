/**
 * Text from files (a result file's allocator name, a scenario's description) on its way to a
 * terminal. A control character there is an instruction to the terminal, not text: an ANSI escape
 * recolors, moves the cursor or rewrites what was printed before, a carriage return overwrites a line,
 * and a bidi override makes text read in another order than it runs. Each is shown as `\u001b`.
 */
const control = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu;
const controlExceptLines = /[^\P{Cc}\n\t]|[\u202a-\u202e\u2066-\u2069]/gu;

const escaped = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Every control character escaped: for one-line messages. */
export function escapeControl(text: string): string {
  return text.replace(control, escaped);
}

/** Control characters escaped except newlines and tabs: for a block of output. */
export function terminalSafe(text: string): string {
  return text.replace(controlExceptLines, escaped);
}

/** Whether `text` holds a character {@link escapeControl} would escape. */
export function hasControl(text: string): boolean {
  control.lastIndex = 0;
  return control.test(text);
}
