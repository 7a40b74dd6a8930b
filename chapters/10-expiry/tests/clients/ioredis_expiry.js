// Chapter 10's server with ioredis (chapter 9's tests/clients install, whose directory is the
// second argument): TTLs set and read with SET EX/PX, SETEX, EXPIRE, TTL, PTTL, PERSIST, and a
// key gone once it expires. Prints "ok ioredis expiry"; exits 1 with the reason.
//
// Usage: node ioredis_expiry.js PORT CHAPTER9_CLIENTS_DIR
const assert = require("assert");
const Redis = require(`${process.argv[3]}/node_modules/ioredis`);

async function waitUntil(condition, ms = 10000) {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function main() {
  const r = new Redis({ host: "127.0.0.1", port: Number(process.argv[2]), lazyConnect: true });
  await r.connect();
  assert.strictEqual(await r.set("io:ex", "v", "EX", 100), "OK");
  const ttl = await r.ttl("io:ex");
  assert.ok(ttl >= 99 && ttl <= 100, `ttl ${ttl}`);
  assert.strictEqual(await r.persist("io:ex"), 1);
  assert.strictEqual(await r.ttl("io:ex"), -1);
  assert.strictEqual(await r.ttl("io:missing"), -2);
  assert.strictEqual(await r.expire("io:ex", 50, "NX"), 1);
  const pttl = await r.pttl("io:ex");
  assert.ok(pttl > 49000 && pttl <= 50000, `pttl ${pttl}`);
  assert.strictEqual(await r.setex("io:setex", 100, "v"), "OK");
  const setexTtl = await r.ttl("io:setex");
  assert.ok(setexTtl >= 99 && setexTtl <= 100, `setex ttl ${setexTtl}`);
  assert.strictEqual(await r.set("io:px", "v", "PX", 300), "OK");
  await waitUntil(async () => (await r.get("io:px")) === null);
  assert.strictEqual(await r.exists("io:px"), 0);
  await assert.rejects(r.expire("io:ex", 5, "NX", "GT"), /not compatible/);
  r.disconnect();
  console.log("ok ioredis expiry");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
