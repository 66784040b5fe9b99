import { encodeValue } from "./serialization.js";

/** The cache key of a task call: its name and a SHA-256 of its recorded arguments. */
export async function cacheKey(name: string, args: readonly unknown[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(encodeValue(args)));
  const hex = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${name}:${hex}`;
}
