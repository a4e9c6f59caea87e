// The `[userId]` segment's schema lives with the people verbs; re-exported for the routes beside it.
export { UserParams } from "@/lib/users/people-context";
