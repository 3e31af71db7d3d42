import { hash as digest, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// argon2id with the library's defaults (19 MiB, t=2) — OWASP's recommended minimum.
export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// A dummy hash so that an unknown e-mail costs as much time as a wrong password.
let dummyHash: Promise<string> | undefined;

/** Verifies a password against a stored argon2id hash (or a dummy when there is none). */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  const target = stored ?? (await (dummyHash ??= hash('not-a-password')));
  try {
    const ok = await verify(target, password);
    return stored !== null && ok;
  } catch {
    return false;
  }
}

/** A random secret for a session, CSRF token or API token. */
export function randomSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** Stored form of a bearer/session secret: SHA-256 (the secret itself has 256 bits of entropy). */
export function hashSecret(secret: string): string {
  return digest('sha256', secret, 'hex');
}

export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
