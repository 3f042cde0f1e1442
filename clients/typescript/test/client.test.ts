// Runs against a live server: scripts/test-typescript.sh starts one and sets ACTORS_URL.
// The tests in this file run in order; the writes come after the reads of the seed data.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { createActorsClient, listAllActors, nextAfter } from "../src/client.js";

const baseUrl = process.env["ACTORS_URL"];
if (!baseUrl) {
  throw new Error("ACTORS_URL is not set: run scripts/test-typescript.sh, which starts a server");
}
const client = createActorsClient({ baseUrl, username: "user", password: "password" });

test("list returns the 8 seed actors", async () => {
  const { data, error, response } = await client.GET("/actors");
  assert.equal(response.status, 200, JSON.stringify(error));
  assert.ok(data);
  assert.equal(data.length, 8);
  assert.deepEqual(data[0], { id: 1, actor: "William Shatner", role: "James T" });
  assert.deepEqual(
    data.map((a) => a.id),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
});

test("listAllActors follows Link rel=next across pages", async () => {
  const first = await client.GET("/actors", { params: { query: { limit: 3 } } });
  assert.equal(first.data?.length, 3);
  assert.equal(nextAfter(first.response.headers.get("Link")), 3);

  const all = await listAllActors(client, 3);
  assert.equal(all.length, 8);
});

test("get one actor, with its ETag", async () => {
  const { data, response } = await client.GET("/actors/{id}", { params: { path: { id: 1 } } });
  assert.equal(response.status, 200);
  assert.equal(data?.actor, "William Shatner");
  assert.match(response.headers.get("ETag") ?? "", /^"[^"]+"$/);
});

test("an unknown id is a 404 problem", async () => {
  const { data, error, response } = await client.GET("/actors/{id}", {
    params: { path: { id: 999999 } },
  });
  assert.equal(data, undefined);
  assert.equal(response.status, 404);
  assert.equal(response.headers.get("Content-Type"), "application/problem+json");
  assert.equal(error?.status, 404);
  assert.equal(typeof error?.title, "string");
});

test("wrong credentials are a 401 problem with a challenge", async () => {
  const intruder = createActorsClient({ baseUrl, username: "user", password: "wrong" });
  const { data, error, response } = await intruder.GET("/actors");
  assert.equal(data, undefined);
  assert.equal(response.status, 401);
  assert.match(response.headers.get("WWW-Authenticate") ?? "", /^Basic /);
  assert.equal(error?.status, 401);
});

test("create, replace with If-Match, then delete", async (t) => {
  let id = 0;
  let etag = "";

  await t.test("create", async () => {
    const { data, response } = await client.POST("/actors", {
      body: { actor: "Zoe Saldana", role: "Uhura" },
    });
    assert.equal(response.status, 201);
    assert.ok(data);
    assert.equal(data.actor, "Zoe Saldana");
    assert.equal(response.headers.get("Location"), `/actors/${data.id}`);
    id = data.id;
    etag = response.headers.get("ETag") ?? "";
    assert.notEqual(etag, "");
  });

  await t.test("replace with the current ETag", async () => {
    const { data, response } = await client.PUT("/actors/{id}", {
      params: { path: { id }, header: { "If-Match": etag } },
      body: { actor: "Zoe Saldana", role: "Nyota Uhura" },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(data, { id, actor: "Zoe Saldana", role: "Nyota Uhura" });
    const newTag = response.headers.get("ETag") ?? "";
    assert.notEqual(newTag, etag);

    // The old ETag no longer matches: the lost update is refused.
    const stale = await client.PUT("/actors/{id}", {
      params: { path: { id }, header: { "If-Match": etag } },
      body: { actor: "Zoe Saldana", role: "Uhura" },
    });
    assert.equal(stale.response.status, 412);
    assert.equal(stale.error?.status, 412);
    etag = newTag;
  });

  await t.test("delete", async () => {
    const { response } = await client.DELETE("/actors/{id}", {
      params: { path: { id }, header: { "If-Match": etag } },
    });
    assert.equal(response.status, 204);
    const gone = await client.GET("/actors/{id}", { params: { path: { id } } });
    assert.equal(gone.response.status, 404);
  });
});

test("src/example.ts runs (last: it adds an actor)", async () => {
  const example = fileURLToPath(new URL("../src/example.js", import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [example, baseUrl]);
  assert.match(stdout, /^William Shatner as James T ETag "[^"]+"$/m);
  assert.match(stdout, /^201 \/actors\/\d+$/m);
  assert.match(stdout, /^9 actors$/m);
});
