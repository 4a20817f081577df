import { sha256Hex } from "@repo/mcp-core";

/** A user as the API returns it. */
export interface User {
  id: number;
  name: string;
  email: string;
  role: "admin" | "member" | "viewer" | "service";
}

/**
 * The user holding a token, found by the token's SHA-256 (lowercase hex, as `tokens.token_sha256`
 * holds it): the plaintext is never stored, and the lookup is an indexed equality on a digest,
 * which reveals nothing useful about other tokens.
 */
export async function userForToken(db: D1Database, token: string): Promise<User | null> {
  const digest = await sha256Hex(token);
  return db
    .prepare("SELECT u.id, u.name, u.email, u.role FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_sha256 = ?")
    .bind(digest)
    .first<User>();
}

export function userById(db: D1Database, id: number): Promise<User | null> {
  return db.prepare("SELECT id, name, email, role FROM users WHERE id = ?").bind(id).first<User>();
}
