import { randomBytes } from 'node:crypto';
import type { Role, User } from '../domain/user.js';
import type { NewUser, UserCredentials, UserPatch, UserStore } from '../ports/user-store.js';
import type { Database } from './database.js';

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  password_hash: string;
  created_at: Date | string;
  last_login_at: Date | string | null;
  /** Read by USER_COLUMNS; the session lookup leaves it out. */
  capacity?: number | string;
}

/** Also used by the session store, which reads the user row with the session in one query. */
export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: row.disabled,
    createdAt: new Date(row.created_at),
    lastLoginAt: row.last_login_at === null ? null : new Date(row.last_login_at),
    ...(row.capacity === undefined ? {} : { capacity: Number(row.capacity) }),
  };
}

export const USER_COLUMNS = 'id, email, name, role, disabled, password_hash, created_at, last_login_at, capacity';
const newId = () => 'u_' + randomBytes(6).toString('hex');

export function createUserStore(db: Database): UserStore {
  const one = (rows: UserRow[]) => (rows[0] ? toUser(rows[0]) : null);
  return {
    async create(input: NewUser) {
      const r = await db.query<UserRow>(
        `INSERT INTO users (id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (email) DO NOTHING RETURNING ${USER_COLUMNS}`,
        [newId(), input.email, input.name, input.role, input.passwordHash],
      );
      return one(r.rows);
    },
    async createFirst(input: NewUser) {
      // Two processes starting on an empty database may both get here: the unique email keeps
      // one row, and NOT EXISTS keeps a later start from adding a second "first" admin.
      const r = await db.query<UserRow>(
        `INSERT INTO users (id, email, name, role, password_hash)
         SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM users)
         ON CONFLICT (email) DO NOTHING RETURNING ${USER_COLUMNS}`,
        [newId(), input.email, input.name, input.role, input.passwordHash],
      );
      return one(r.rows);
    },
    async get(id: string) {
      return one((await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id])).rows);
    },
    async findByEmail(email: string): Promise<UserCredentials | null> {
      const r = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [email]);
      return r.rows[0] ? { user: toUser(r.rows[0]), passwordHash: r.rows[0].password_hash } : null;
    },
    async list() {
      return (await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY created_at, id`)).rows.map(toUser);
    },
    async count() {
      return Number((await db.query<{ n: number | string }>('SELECT count(*) AS n FROM users')).rows[0].n);
    },
    async countActiveAdmins() {
      const r = await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM users WHERE role = 'admin' AND NOT disabled`);
      return Number(r.rows[0].n);
    },
    async update(id: string, patch: UserPatch) {
      const r = await db.query<UserRow>(
        `UPDATE users SET name = COALESCE($2, name), role = COALESCE($3, role), disabled = COALESCE($4, disabled),
           password_hash = COALESCE($5, password_hash), capacity = COALESCE($6, capacity), updated_at = now()
         WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [id, patch.name ?? null, patch.role ?? null, patch.disabled ?? null, patch.passwordHash ?? null, patch.capacity ?? null],
      );
      return one(r.rows);
    },
    async recordLogin(id: string, at: Date) {
      await db.query('UPDATE users SET last_login_at = $2 WHERE id = $1', [id, at]);
    },
  };
}
