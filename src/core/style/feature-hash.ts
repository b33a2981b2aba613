// Deterministic 32-bit string hashing for the style features (FNV-1a steps plus a murmur finaliser).
// It must stay stable across releases: stored profiles index their counts by these hashes.

export const fnvOffset = 0x811c9dc5

/** One FNV-1a step over a code point (all 21 bits, so astral emoji hash as one symbol). */
export function hashStep(hash: number, codePoint: number): number {
  let next = Math.imul(hash ^ (codePoint & 0xff), 0x01000193)
  next = Math.imul(next ^ (codePoint >>> 8), 0x01000193)
  return next >>> 0
}

/** Murmur3's finaliser, so the low bits used as bucket indices are well mixed. */
export function finalizeHash(hash: number): number {
  let mixed = hash ^ (hash >>> 16)
  mixed = Math.imul(mixed, 0x85ebca6b)
  mixed ^= mixed >>> 13
  mixed = Math.imul(mixed, 0xc2b2ae35)
  mixed ^= mixed >>> 16
  return mixed >>> 0
}

/** Hash of a whole string under a salt (the salt keeps different feature views apart). */
export function hashString(text: string, salt: number): number {
  let hash = hashStep(fnvOffset, salt)
  for (const character of text) hash = hashStep(hash, character.codePointAt(0) ?? 0)
  return finalizeHash(hash)
}
