import { accessSync, constants, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { SecretRef } from "@/lib/config/schema";
import { ConfigurationError, errorCode } from "@/lib/errors";

/**
 * Reads a secret when it is needed (not at start-up), so a rotated value is picked up and a
 * missing one fails the step that needs it. Messages name the variable or file, never a value.
 */
export async function resolveSecret(ref: SecretRef): Promise<string> {
  if ("env" in ref) {
    const value = process.env[ref.env];
    if (value === undefined) {
      throw new ConfigurationError(
        `The secret environment variable ${ref.env} is not set. Set it in Restore Console's environment and restart.`,
      );
    }
    if (value === "") {
      throw new ConfigurationError(`The secret environment variable ${ref.env} is empty. Give it the secret's value and restart.`);
    }
    return value;
  }

  let content: string;
  try {
    content = await readFile(ref.file, "utf8");
  } catch (error) {
    const reason =
      errorCode(error) === "ENOENT"
        ? "does not exist"
        : errorCode(error) === "EACCES"
          ? "cannot be read (permission denied)"
          : errorCode(error) === "EISDIR"
            ? "is a directory, not a file"
            : "cannot be read";
    throw new ConfigurationError(`The secret file ${ref.file} ${reason}. Check the path and the file's permissions.`, {
      cause: error,
    });
  }
  // Files written by editors and `echo` end with a newline that is not part of the secret.
  const value = content.replace(/\r?\n$/, "");
  if (value === "") throw new ConfigurationError(`The secret file ${ref.file} is empty.`);
  return value;
}

/** Where a secret comes from and whether it is available, for display: never the value. */
export function describeSecretRef(ref: SecretRef): string {
  if ("env" in ref) {
    const value = process.env[ref.env];
    const state = value === undefined ? "not set" : value === "" ? "empty" : "set";
    return `env ${ref.env} (${state})`;
  }
  return `file ${ref.file} (${fileState(ref.file)})`;
}

function fileState(file: string): string {
  try {
    if (!statSync(file).isFile()) return "not a file";
    accessSync(file, constants.R_OK);
    return "readable";
  } catch (error) {
    return errorCode(error) === "ENOENT" ? "missing" : "not readable";
  }
}
