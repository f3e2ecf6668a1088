// The four-letter-word whitelist (zoo.cfg `4lw.commands.whitelist`). Facts: protocol.md §7.1.
// Invariants: `srvr` is always enabled; `isro` is added with readonlymode.enabled; unset or
// empty means only `srvr`; `*` means every word in ALL_FOUR_LETTER_WORDS.

/** Every four-letter word a 3.8 server knows (protocol.md §7.2). */
export const ALL_FOUR_LETTER_WORDS: readonly string[] = [
  'conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'gtmk', 'hash', 'isro',
  'mntr', 'ruok', 'srst', 'srvr', 'stat', 'stmk', 'wchc', 'wchp', 'wchs',
];

/** The enabled words for a whitelist value (null = key unset). Unknown names are kept, harmless. */
export function resolveFourLetterWhitelist(value: string | null, readOnlyModeEnabled: boolean): ReadonlySet<string> {
  const words = new Set<string>();
  for (const item of (value ?? '').split(',')) {
    const word = item.trim();
    if (word === '*') {
      for (const known of ALL_FOUR_LETTER_WORDS) words.add(known);
    } else if (word !== '') {
      words.add(word);
    }
  }
  words.add('srvr');
  if (readOnlyModeEnabled) words.add('isro');
  return words;
}

/** The text a disabled word answers with before the connection is closed. */
export function notWhitelistedMessage(word: string): string {
  return `${word} is not executed because it is not in the whitelist.\n`;
}
