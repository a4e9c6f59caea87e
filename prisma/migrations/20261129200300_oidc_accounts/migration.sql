-- Single sign-on identities, bound to (issuer, subject) and never to an email address.
-- An identity is created by the person's first SSO sign-in when no account has their email, or by
-- an admin linking it to an existing person (audited). A sign-in whose email belongs to an
-- unlinked account is refused, so an identity-provider account claiming someone's email never
-- becomes that someone. People created by SSO before this migration were bound by email only:
-- their next SSO sign-in is refused until an admin links their identity (People page).
CREATE TABLE "oidc_accounts" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "issuer" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "email" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "linked_by_email" TEXT,
    "last_sign_in_at" TIMESTAMPTZ(3),

    CONSTRAINT "oidc_accounts_pkey" PRIMARY KEY ("id")
);

-- One person per identity; at most one identity per person and issuer.
CREATE UNIQUE INDEX "oidc_accounts_issuer_subject_key" ON "oidc_accounts"("issuer", "subject");

CREATE UNIQUE INDEX "oidc_accounts_user_id_issuer_key" ON "oidc_accounts"("user_id", "issuer");

ALTER TABLE "oidc_accounts" ADD CONSTRAINT "oidc_accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
