import { describe, expect, it } from "vitest";
import { apiErrorOf } from "./api";

const response = (status: number, statusText = "", headers: Record<string, string> = {}) => ({
  status,
  statusText,
  headers: new Headers(headers),
});

describe("apiErrorOf", () => {
  it("shows the server's own message and code", () => {
    const error = apiErrorOf(
      response(409),
      JSON.stringify({ error: { code: "conflict", message: "Target dr is being restored by run 1." } }),
    );
    expect(error).toMatchObject({ status: 409, code: "conflict", message: "Target dr is being restored by run 1." });
  });

  it("says what came back when it is not the app's JSON: status, the page's words, the request id", () => {
    const html = "<html><head><style>p{}</style></head><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>";
    expect(apiErrorOf(response(502, "Bad Gateway"), html).message).toBe("The server answered 502 Bad Gateway: 502 Bad Gateway nginx.");
    expect(apiErrorOf(response(500, "", { "x-request-id": "req-7" }), "").message).toBe(
      "The server answered 500 with no explanation (request id req-7).",
    );
    expect(apiErrorOf(response(500), JSON.stringify({ unexpected: true })).message).toBe('The server answered 500: {"unexpected":true}.');
  });
});
