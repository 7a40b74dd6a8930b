// Chapter 9's server with Node's two Redis clients, ioredis (RESP3 by default: it sends
// HELLO 3) and node-redis (RESP2, then RESP3): binary values, pipelines, MGET, INCR from
// several clients at once, SCAN to the end, and an error as the library's error type.
// Usage: node node_clients.js PORT. Prints one "ok <client>" line per client; exits 1 with
// the reason on the first failure, and on its own after 30 seconds.
"use strict";
const assert = require("node:assert/strict");
const Redis = require("ioredis");
const { createClient, RESP_TYPES, ErrorReply } = require("redis");

const port = Number(process.argv[2]);
setTimeout(() => { console.error("timed out"); process.exit(1); }, 30000).unref();

const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));  // every byte, \0 \r \n too

async function with_ioredis(prefix) {
  const options = { port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0,
                    retryStrategy: () => null };
  const redis = new Redis(options);
  await redis.connect();  // HELLO 3, CLIENT SETINFO, then INFO for the ready check
  assert.equal(await redis.set(prefix + "bin", binary), "OK");
  assert.deepEqual(await redis.getBuffer(prefix + "bin"), binary);
  assert.equal(await redis.get(prefix + "missing"), null);

  const results = await redis.pipeline()
      .set(prefix + "a", "1").set(prefix + "b", "2").get(prefix + "a").incr(prefix + "a").exec();
  assert.deepEqual(results, [[null, "OK"], [null, "OK"], [null, "1"], [null, 2]]);
  assert.deepEqual(await redis.mget(prefix + "a", prefix + "nope", prefix + "b"), ["2", null, "2"]);
  // A transaction: MULTI, the commands (each +QUEUED), EXEC with their replies.
  assert.deepEqual(await redis.multi().incr(prefix + "a").get(prefix + "a").exec(),
                   [[null, 3], [null, "3"]]);
  // WATCH: a key changed by another client makes EXEC answer null, and nothing runs.
  const other = new Redis(options);
  await other.connect();
  assert.equal(await redis.watch(prefix + "a"), "OK");
  assert.equal(await other.set(prefix + "a", "changed"), "OK");
  assert.equal(await redis.multi().set(prefix + "a", "mine").exec(), null);
  assert.equal(await redis.get(prefix + "a"), "changed");
  other.disconnect();
  await redis.set(prefix + "a", "2");

  // INCR from several clients at once.
  const clients = await Promise.all(Array.from({ length: 4 }, async () => {
    const c = new Redis(options);
    await c.connect();
    return c;
  }));
  await Promise.all(clients.map(async (c) => {
    for (let i = 0; i < 250; i++) await c.incr(prefix + "counter");
  }));
  assert.equal(await redis.get(prefix + "counter"), "1000");
  clients.forEach((c) => c.disconnect());

  // SCAN to the end.
  const wanted = new Set();
  const pipe = redis.pipeline();
  for (let i = 0; i < 300; i++) { wanted.add(prefix + "scan:" + i); pipe.set(prefix + "scan:" + i, "v"); }
  await pipe.exec();
  const found = new Set();
  await new Promise((resolve, reject) => {
    redis.scanStream({ match: prefix + "scan:*", count: 17 })
        .on("data", (keys) => keys.forEach((k) => found.add(k)))
        .on("end", resolve).on("error", reject);
  });
  assert.deepEqual(found, wanted);

  // An error reply is the library's error, and the connection goes on.
  await assert.rejects(redis.incr(prefix + "bin"),
                       (e) => e.name === "ReplyError" &&
                              e.message === "ERR value is not an integer or out of range");
  await assert.rejects(redis.call("NOSUCHCMD", "x"), /ERR unknown command 'NOSUCHCMD'/);
  assert.equal(await redis.ping(), "PONG");
  await redis.quit();
  console.log("ok ioredis");
}

async function with_node_redis(prefix, resp) {
  const client = createClient({ socket: { port, host: "127.0.0.1", reconnectStrategy: false },
                                RESP: resp });
  client.on("error", () => {});
  await client.connect();
  const bytes = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  assert.equal(await client.set(prefix + "bin", binary), "OK");
  assert.deepEqual(await bytes.get(prefix + "bin"), binary);
  assert.equal(await client.get(prefix + "missing"), null);

  const results = await client.multi()
      .set(prefix + "a", "1").set(prefix + "b", "2").get(prefix + "a").incr(prefix + "a")
      .execAsPipeline();  // no MULTI: the commands, pipelined
  assert.deepEqual(results, ["OK", "OK", "1", 2]);
  assert.deepEqual(await client.mGet([prefix + "a", prefix + "nope", prefix + "b"]), ["2", null, "2"]);
  assert.deepEqual(await client.multi().incr(prefix + "a").get(prefix + "a").exec(), [3, "3"]);
  await client.set(prefix + "a", "2");

  const clients = await Promise.all(Array.from({ length: 4 }, () =>
      createClient({ socket: { port, host: "127.0.0.1", reconnectStrategy: false }, RESP: resp })
          .on("error", () => {}).connect()));
  await Promise.all(clients.map(async (c) => {
    for (let i = 0; i < 250; i++) await c.incr(prefix + "counter");
  }));
  assert.equal(await client.get(prefix + "counter"), "1000");
  await Promise.all(clients.map((c) => c.close()));

  const wanted = new Set();
  await Promise.all(Array.from({ length: 300 }, (_, i) => {
    wanted.add(prefix + "scan:" + i);
    return client.set(prefix + "scan:" + i, "v");
  }));
  const found = new Set();
  for await (const batch of client.scanIterator({ MATCH: prefix + "scan:*", COUNT: 17 })) {
    for (const key of Array.isArray(batch) ? batch : [batch]) found.add(key);
  }
  assert.deepEqual(found, wanted);

  await assert.rejects(client.incr(prefix + "bin"),
                       (e) => e instanceof ErrorReply &&
                              e.message === "ERR value is not an integer or out of range");
  assert.equal(await client.ping(), "PONG");
  await client.close();
  console.log("ok node-redis RESP" + resp);
}

(async () => {
  await with_ioredis("io:");
  await with_node_redis("nr2:", 2);
  await with_node_redis("nr3:", 3);
})().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
