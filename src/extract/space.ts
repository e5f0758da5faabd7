/**
 * A run of white space (JavaScript's \s, which includes U+00A0) that is not already one plain
 * space: a space followed by more white space, or any other white space character with what
 * follows it.
 */
const SPACE_RUN = / [\s\u00a0]+|[^\S ][\s\u00a0]*/g;

/**
 * `text` with every run of white space (incl. U+00A0) made one space, the same string as
 * `text.replace(/[\s\u00a0]+/g, ' ')`. Prose is mostly single spaces, and that replaced each of
 * them by a space again (a match, a piece of the new string, per word): three times as slow on
 * digest entries as leaving them alone.
 */
export function collapseSpace(text: string): string {
  return text.replace(SPACE_RUN, ' ');
}
