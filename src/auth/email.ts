const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu

/**
 * The one form of an address that keys the login throttle, the lookup and the unique index
 * (users.email compares it byte for byte). Unicode's NFKC_Casefold, approximated with what the
 * runtime has: NFKC (full-width letters, ligatures, the Kelvin sign), no default-ignorable
 * characters (zero-width spaces and joiners, soft hyphens), and a full case fold (upper then lower
 * case folds ß to ss and ς to σ, which lower case alone does not). Accents stay: é is not e.
 */
export function canonicalEmail(input: string): string {
  const folded = input.normalize('NFKC').replace(INVISIBLE, '').toUpperCase().toLowerCase()
  return folded.normalize('NFKC').trim()
}
