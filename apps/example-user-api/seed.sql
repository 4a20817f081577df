-- Demo data for local development and tests; never apply it to a deployed database.
-- The plaintext tokens are listed in README.md (they are demo data); only their SHA-256 is stored.
INSERT OR IGNORE INTO users (id, name, email, role) VALUES (1, 'Ada Lovelace', 'ada@example.com', 'admin');
INSERT OR IGNORE INTO users (id, name, email, role) VALUES (2, 'Grace Hopper', 'grace@example.com', 'member');
INSERT OR IGNORE INTO users (id, name, email, role) VALUES (3, 'Alan Turing', 'alan@example.com', 'viewer');
INSERT OR IGNORE INTO users (id, name, email, role) VALUES (4, 'MCP server (service account)', 'mcp-server@example.com', 'service');
INSERT OR IGNORE INTO tokens (token_sha256, user_id, label) VALUES ('fdfe88f6a38aabdd2bffee1b6a8fd5bf9bdb173f3e4a6b25d9524f0902af2fc0', 1, 'ada laptop');
INSERT OR IGNORE INTO tokens (token_sha256, user_id, label) VALUES ('3e849beb74a6b2d1f5f25fb2a734fa30ff9e1fb493df4cf3a065a0df066efe4f', 2, 'grace laptop');
INSERT OR IGNORE INTO tokens (token_sha256, user_id, label) VALUES ('8fd0caad760ec19f8ed1510dbc9c45693e73dc6dc1075863bff81068b5ce66c5', 3, 'alan laptop');
INSERT OR IGNORE INTO tokens (token_sha256, user_id, label) VALUES ('a1c30fd4e4fc244630809469bcb2669194b2f1d4598c9b6fa61313176040f252', 4, 'remote-mcp-bearer-auth');
