import type { Role, User } from '../domain/user.js';

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
}

export interface UserPatch {
  name?: string;
  role?: Role;
  disabled?: boolean;
  passwordHash?: string;
  /** issue 14 item 4: MIN_CAPACITY..MAX_CAPACITY (domain/presence.ts). */
  capacity?: number;
}

/** A user with the hash that only login may see. */
export interface UserCredentials {
  user: User;
  passwordHash: string;
}

/** Console users. Emails arrive normalized (lower-cased); the store keeps them unique. */
export interface UserStore {
  /** Null when the email is taken. */
  create(input: NewUser): Promise<User | null>;
  /**
   * Creates the user only while the table is empty (first start). Null when some user exists
   * already, including one another process created at the same moment.
   */
  createFirst(input: NewUser): Promise<User | null>;
  get(id: string): Promise<User | null>;
  findByEmail(email: string): Promise<UserCredentials | null>;
  list(): Promise<User[]>;
  count(): Promise<number>;
  /** Enabled admins: the last one may not be demoted or disabled. */
  countActiveAdmins(): Promise<number>;
  /** Null when no such user. */
  update(id: string, patch: UserPatch): Promise<User | null>;
  recordLogin(id: string, at: Date): Promise<void>;
}
