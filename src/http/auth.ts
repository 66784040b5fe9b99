const encoder = new TextEncoder();

/**
 * Compares a secret given by a client with the expected one in time that depends only on the
 * expected secret's length, so response timing does not reveal how much of a guess was right.
 *
 * @example
 * timingSafeEqual(headerToken, configuredToken); // true only for an exact match
 */
export function timingSafeEqual(given: string, expected: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  let diff = a.length ^ b.length;
  const width = Math.max(a.length, 1);
  for (let i = 0; i < b.length; i++) diff |= (a[i % width] ?? 0) ^ b[i]!;
  return diff === 0;
}

/**
 * True when the `Authorization` header value carries `Bearer <token>` with exactly `token`
 * (the scheme is case-insensitive, as RFC 7235 says).
 */
export function hasBearerToken(header: string | undefined | null, token: string): boolean {
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return timingSafeEqual(match?.[1] ?? "", token);
}
