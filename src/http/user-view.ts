import { DEFAULT_CAPACITY } from '../domain/presence.js';
import type { User } from '../domain/user.js';

/** How users leave the API: never with a password hash (the domain type has none to leak). */
export const userView = (u: User) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  disabled: u.disabled,
  createdAt: u.createdAt,
  lastLoginAt: u.lastLoginAt,
  // issue 14 item 4: how many open chats auto-assignment gives them at most.
  capacity: u.capacity ?? DEFAULT_CAPACITY,
});
