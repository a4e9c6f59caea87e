import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  // `?? ""` rather than env(): generating the client must work where DATABASE_URL is unset (CI).
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
