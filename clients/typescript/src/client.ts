// A typed client for the actors API: openapi-fetch checks every path, parameter, body and
// response against the types openapi-typescript generated from api/openapi.yaml
// (src/schema.d.ts; regenerate with `npm run generate`).
import createClient, { type Client, type Middleware } from "openapi-fetch";

import type { Actor, paths } from "./schema.js";

// Every type generated from the spec, each schema by its name (Actor, Problem, ...): a schema
// added to the spec is exported with no change here.
export type * from "./schema.js";
export type ActorsClient = Client<paths>;

export interface ActorsClientOptions {
  /** The server's origin, e.g. http://127.0.0.1:5000 */
  baseUrl: string;
  username: string;
  password: string;
  /** Another fetch implementation, e.g. for tests; the global fetch by default. */
  fetch?: typeof globalThis.fetch;
}

/** createActorsClient returns a client that sends HTTP Basic credentials with every request. */
export function createActorsClient(options: ActorsClientOptions): ActorsClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const authorization = basicAuthorization(options.username, options.password);
  const basicAuth: Middleware = {
    onRequest({ request }) {
      request.headers.set("Authorization", authorization);
      return request;
    },
  };
  client.use(basicAuth);
  return client;
}

/** basicAuthorization encodes the credentials as UTF-8 (RFC 7617), which btoa alone cannot. */
export function basicAuthorization(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/**
 * listAllActors walks the pages of GET /actors: the server says a page follows with
 * `Link: </actors?limit=N&after=ID>; rel="next"`, and the next request passes that `after`.
 */
export async function listAllActors(client: ActorsClient, limit = 100): Promise<Actor[]> {
  const all: Actor[] = [];
  let after: number | undefined;
  for (;;) {
    const { data, error, response } = await client.GET("/actors", {
      params: { query: after === undefined ? { limit } : { limit, after } },
    });
    if (error || !data) {
      throw new Error(`GET /actors: ${response.status} ${error?.detail ?? ""}`.trim());
    }
    all.push(...data);
    const next = nextAfter(response.headers.get("Link"));
    if (next === undefined) {
      return all;
    }
    after = next;
  }
}

/** nextAfter reads the `after` query parameter of the rel="next" link, if there is one. */
export function nextAfter(link: string | null): number | undefined {
  for (const part of link?.split(",") ?? []) {
    const match = /<([^>]*)>\s*;\s*rel="?next"?/.exec(part);
    if (match?.[1] !== undefined) {
      const after = new URL(match[1], "http://placeholder").searchParams.get("after");
      return after === null ? undefined : Number(after);
    }
  }
  return undefined;
}
