import { ConflictError, ValidationError } from '../domain/errors.js';
import { EMAIL_PATTERN, normalizeEmail, PASSWORD_MAX, PASSWORD_MIN, type Actor, type Role, type User } from '../domain/user.js';
import type { CoreDeps } from './deps.js';

export interface CreateUserInput {
  email: string;
  name?: string;
  role: Role;
  password: string;
}

export function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new ValidationError(`password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`, 'USER.WEAK_PASSWORD');
  }
}

/** An admin adds a console user. The audit entry names the admin, never the password. */
export async function createUser(deps: CoreDeps, actor: Actor, input: CreateUserInput): Promise<User> {
  const email = normalizeEmail(input.email);
  if (!EMAIL_PATTERN.test(email)) throw new ValidationError('email is not an email address', 'USER.INVALID_EMAIL');
  checkPassword(input.password);
  const name = input.name?.trim() || email.split('@')[0];
  const user = await deps.users.create({ email, name, role: input.role, passwordHash: await deps.passwords.hash(input.password) });
  if (!user) throw new ConflictError('USER.EMAIL_TAKEN', `a user with email ${email} exists already`);
  await deps.audit.record({ actor: actor.id, action: 'user.create', target: `user:${user.id}`, details: { email, role: user.role } });
  return user;
}
