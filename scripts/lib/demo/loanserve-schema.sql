-- LoanServe, the demo's "production" application: the tables the restore runbook queries.
-- Every table has created_at, so a nightly dump can be cut back to how the data stood at 02:00.

CREATE TABLE tenants (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  slug text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id bigint NOT NULL REFERENCES tenants (id),
  email text NOT NULL,
  full_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('borrower', 'loan_officer', 'admin')),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, email)
);
CREATE INDEX users_created_at_idx ON users (created_at);

CREATE TABLE loans (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id bigint NOT NULL REFERENCES tenants (id),
  borrower_id bigint NOT NULL REFERENCES users (id),
  principal numeric(14, 2) NOT NULL CHECK (principal > 0),
  -- Annual interest rate in percent.
  rate numeric(5, 3) NOT NULL CHECK (rate >= 0),
  term_months integer NOT NULL CHECK (term_months > 0),
  status text NOT NULL CHECK (status IN ('application', 'approved', 'active', 'paid_off', 'defaulted')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX loans_tenant_id_idx ON loans (tenant_id);
CREATE INDEX loans_borrower_id_idx ON loans (borrower_id);
CREATE INDEX loans_status_idx ON loans (status);
CREATE INDEX loans_created_at_idx ON loans (created_at);

CREATE TABLE payments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The loan's tenant, denormalized as multi-tenant applications do, so per-tenant queries
  -- (and a recovery filtered by tenant_id) need no join.
  tenant_id bigint NOT NULL REFERENCES tenants (id),
  loan_id bigint NOT NULL REFERENCES loans (id),
  amount numeric(12, 2) NOT NULL CHECK (amount > 0),
  paid_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_tenant_id_idx ON payments (tenant_id);
CREATE INDEX payments_loan_id_idx ON payments (loan_id);
CREATE INDEX payments_created_at_idx ON payments (created_at);

CREATE TABLE documents (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  loan_id bigint NOT NULL REFERENCES loans (id),
  kind text NOT NULL CHECK (kind IN ('application', 'id_verification', 'income_proof', 'promissory_note', 'closing_disclosure')),
  storage_key text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_loan_id_idx ON documents (loan_id);
CREATE INDEX documents_created_at_idx ON documents (created_at);

CREATE TABLE audit_logs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id bigint NOT NULL REFERENCES tenants (id),
  -- NULL for actions taken by the system itself (scheduled jobs).
  actor_id bigint REFERENCES users (id),
  action text NOT NULL,
  entity text NOT NULL,
  entity_id bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_logs_tenant_id_idx ON audit_logs (tenant_id);
CREATE INDEX audit_logs_actor_id_idx ON audit_logs (actor_id);
CREATE INDEX audit_logs_created_at_idx ON audit_logs (created_at);
