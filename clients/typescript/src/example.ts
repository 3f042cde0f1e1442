// Example: `tsc` checks it with the rest; after compiling, run it against `make run` with
//   node dist/src/example.js [http://127.0.0.1:5000]
import { createActorsClient, listAllActors } from "./client.js";

const client = createActorsClient({
  baseUrl: process.argv[2] ?? "http://127.0.0.1:5000",
  username: "user",
  password: "password",
});

const { data, error, response } = await client.GET("/actors/{id}", { params: { path: { id: 1 } } });
if (data) {
  console.log(data.actor, "as", data.role, "ETag", response.headers.get("ETag"));
} else {
  console.error(response.status, error?.detail); // an application/problem+json body
}

const created = await client.POST("/actors", { body: { actor: "Zoe Saldana", role: "Uhura" } });
console.log(created.response.status, created.response.headers.get("Location"));

const everyone = await listAllActors(client); // follows Link: rel="next"
console.log(everyone.length, "actors");
