-- Users of the example backend, and the API tokens they hold. Tokens are stored only as the
-- SHA-256 of the token (hex), so a leak of this table does not leak usable credentials.
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer', 'service'))
);

CREATE TABLE tokens (
  token_sha256 TEXT PRIMARY KEY CHECK (length(token_sha256) = 64),
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  label TEXT NOT NULL
);

CREATE INDEX tokens_user_id ON tokens (user_id);
