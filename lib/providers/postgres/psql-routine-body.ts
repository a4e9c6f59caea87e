import "server-only";

// psql joins everything up to the `;` after END into one statement once a CREATE [OR REPLACE]
// FUNCTION|PROCEDURE has said BEGIN (psqlscan.l, PostgreSQL 14+), so that a BEGIN ATOMIC body is
// sent whole. The server splits at every `;` outside such a body. Where the two disagree, psql
// would send several server statements as one, and the guard could not judge them one by one.

const LEAD_WORDS = new Set(["create", "function", "procedure", "or", "replace"]);
const isRoutine = (word: string | undefined) => word === "function" || word === "procedure";

/** Follows one statement's words (lower case) the way psql does. */
export class RoutineBodyTracker {
  private identifierCount = 0;
  private leadWords: string[] = [];
  private previousWord = "";
  /** psql's begin_depth: `;` ends the statement only at 0. */
  private beginDepth = 0;
  /** The begin depth at which a BEGIN ATOMIC body opened; 0 when outside one. */
  private atomicLevel = 0;

  /** One identifier or keyword; `parenDepth` as psql counts it (psql ignores words inside parentheses). */
  word(word: string, parenDepth: number): void {
    if (this.identifierCount < 4) this.leadWords.push(LEAD_WORDS.has(word) ? word : "");
    this.identifierCount++;
    const [w0, w1, w2, w3] = this.leadWords;
    const createsRoutine = w0 === "create" && (isRoutine(w1) || (w1 === "or" && w2 === "replace" && isRoutine(w3)));
    if (createsRoutine && parenDepth === 0) {
      if (word === "begin") this.beginDepth++;
      else if (word === "case" && this.beginDepth >= 1) this.beginDepth++;
      else if (word === "end" && this.beginDepth > 0) {
        this.beginDepth--;
        if (this.beginDepth < this.atomicLevel) this.atomicLevel = 0;
      } else if (word === "atomic" && this.previousWord === "begin" && this.atomicLevel === 0) this.atomicLevel = this.beginDepth;
    }
    this.previousWord = word;
  }

  /**
   * A `;` outside parentheses: `end` (psql sends the statement, as the server would split it),
   * `body` (inside a BEGIN ATOMIC body: part of one statement for both), or `joined` (psql would
   * go on and send the next statements with this one).
   */
  semicolon(): "end" | "body" | "joined" {
    if (this.beginDepth === 0) return "end";
    return this.atomicLevel > 0 && this.beginDepth >= this.atomicLevel ? "body" : "joined";
  }

  reset(): void {
    this.identifierCount = 0;
    this.leadWords = [];
    this.previousWord = "";
    this.beginDepth = 0;
    this.atomicLevel = 0;
  }
}
