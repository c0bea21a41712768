-- issue 14 item 3: quick replies (快捷回复). Canned texts an agent inserts from the reply box with `/`.
-- owner_id NULL: shared with every agent, managed by admins. Otherwise a personal one, seen and
-- managed by its owner only (a user id, or 'admin-token' for the API token). No foreign key to users:
-- the admin token is no user, and users are disabled rather than deleted.
-- text keeps variables such as {客户} as typed: the console expands them when inserting, never the server.
CREATE TABLE quick_replies (
  id         bigserial PRIMARY KEY,
  owner_id   text,
  title      text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 40),
  text       text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 2000),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- One title per owner, and one among the shared ones ('' stands for shared: no user id is empty).
CREATE UNIQUE INDEX quick_replies_owner_title_idx ON quick_replies ((coalesce(owner_id, '')), title);
