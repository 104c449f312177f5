/** Quotes one argument for a POSIX shell, so that a printed command can be pasted as it is. */
export function shellQuote(arg: string): string {
  return /^[\w./,:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
