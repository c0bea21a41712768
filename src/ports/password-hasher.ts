/** One-way password hashing (argon2id in production, src/security/argon2-password-hasher.ts). */
export interface PasswordHasher {
  /** A self-describing hash string (PHC format) that embeds its salt and parameters. */
  hash(password: string): Promise<string>;
  /** False for a wrong password and for a hash it cannot read; never throws for either. */
  verify(hash: string, password: string): Promise<boolean>;
}
