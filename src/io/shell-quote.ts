/** Quotes one argument for a POSIX shell, so that a printed command can be pasted as it is. */
export function shellQuote(arg: string): string {
  return /^[\w./,:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line from its words: the first one (`npm run stress --`) as it is, the rest quoted. */
export function commandLine(program: string, args: readonly string[]): string {
  return [program, ...args.map(shellQuote)].join(' ');
}
