// Creates a user: npm run user:create -- --email ada@example.com --role admin [--name "Ada"]
// The password is read from NEW_USER_PASSWORD or standard input (never from argv, which other
// users of the machine can see); without either, a one-time password is generated and shown
// once, and the person must choose their own at first sign-in (as from the People page).
// Recovery (say the only admin forgot their password): --reset-password gives an existing
// person a new one-time password and ends their sessions, audited as done by "system".
import { parseArgs } from "node:util";
import { createDb } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { createUser } from "@/lib/users/create-user";
import { resetUserPassword } from "@/lib/users/reset-user-password";
import { generatePassword } from "@/lib/users/passwords";
import { startEmbeddedDatabase } from "./lib/embedded-database";

async function readStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
  return text || undefined;
}

async function main() {
  const { values } = parseArgs({
    options: {
      email: { type: "string" },
      role: { type: "string", default: "viewer" },
      name: { type: "string" },
      "reset-password": { type: "boolean", default: false },
    },
  });
  if (!values.email) {
    throw new Error(
      "Usage: npm run user:create -- --email EMAIL --role viewer|operator|admin [--name NAME]\n" +
        "       npm run user:create -- --email EMAIL --reset-password",
    );
  }
  if (values["reset-password"]) return resetPassword(values.email);
  const supplied = process.env.NEW_USER_PASSWORD || (await readStdin());
  const password = supplied ?? generatePassword();
  const embedded = process.env.DATABASE_URL ? undefined : await startEmbeddedDatabase();
  const db = createDb(process.env.DATABASE_URL || embedded?.url || "");
  try {
    const user = await createUser({
      ctx: systemCtx(db),
      input: { email: values.email, role: values.role as "viewer", name: values.name, password, passwordChangeRequired: !supplied },
    });
    console.log(`Created ${user.role} ${user.email}.`);
    if (!supplied) console.log(`One-time password (shown once; they choose their own at first sign-in): ${password}`);
  } finally {
    await db.$disconnect();
    await embedded?.stop();
  }
}

async function resetPassword(email: string) {
  const embedded = process.env.DATABASE_URL ? undefined : await startEmbeddedDatabase();
  const db = createDb(process.env.DATABASE_URL || embedded?.url || "");
  try {
    const user = await db.user.findUnique({ where: { email: email.toLowerCase() } });
    if (!user) throw new Error(`No person with email ${email}.`);
    const result = await resetUserPassword({ ctx: systemCtx(db), input: { userId: user.id } });
    console.log(`Reset the password of ${result.user.email}; their sessions ended.`);
    console.log(`One-time password (shown once; they choose their own at next sign-in): ${result.oneTimePassword}`);
  } finally {
    await db.$disconnect();
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
