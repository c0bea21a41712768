-- Console users, server-side sessions and login throttling (issue #5, protocols/reliability.md §3.4 and §3.6).

CREATE TABLE users (
  id            text PRIMARY KEY,
  email         text NOT NULL UNIQUE CHECK (email = lower(email)),
  name          text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'agent')),
  disabled      boolean NOT NULL DEFAULT false,
  -- argon2id in PHC format: salt and parameters travel with the hash.
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz
);

-- Only sha256(cookie token) is kept: a copy of this table cannot be replayed as cookies.
-- Rows go on logout, on disabling or a password change, and when housekeeping finds them expired.
CREATE TABLE sessions (
  token_hash   text PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Fixed-window failure counters, one row per key (email+IP, IP, email), shared by every web process.
CREATE TABLE login_throttle (
  key          text PRIMARY KEY,
  failures     integer NOT NULL,
  window_start timestamptz NOT NULL
);
CREATE INDEX login_throttle_window_idx ON login_throttle (window_start);
