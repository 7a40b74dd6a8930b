// ioredis and node-redis through nutcracker (chapter 9's tests/clients install, whose
// directory is the second argument). Both open a connection with commands twemproxy does not
// pass on (HELLO for RESP3, CLIENT SETINFO, ioredis's INFO ready check), and twemproxy
// closes the connection: told not to (RESP2, no client info, no ready check), both work.
// Prints "ok ioredis node-redis"; exits 1 with the reason.
//
// Usage: node through_proxy.js PROXY_PORT CHAPTER9_CLIENTS_DIR
const assert = require("assert");
const Redis = require(`${process.argv[3]}/node_modules/ioredis`);
const { createClient } = require(`${process.argv[3]}/node_modules/redis`);
const port = Number(process.argv[2]);

async function main() {
  //! [ioredis]
  const io = new Redis({ host: "127.0.0.1", port, protocol: 2, disableClientInfo: true,
                         enableReadyCheck: false, lazyConnect: true });
  //! [ioredis]
  await io.connect();
  assert.strictEqual(await io.set("io:a", "1"), "OK");
  assert.strictEqual(await io.set("io:b", "2"), "OK");
  assert.deepStrictEqual(await io.mget("io:a", "io:b", "io:none"), ["1", "2", null]);
  assert.strictEqual(await io.incr("io:a"), 2);
  io.disconnect();

  //! [node-redis]
  const nr = createClient({ socket: { host: "127.0.0.1", port }, RESP: 2, disableClientInfo: true });
  //! [node-redis]
  nr.on("error", () => {});
  await nr.connect();
  assert.strictEqual(await nr.set("nr:a", "x"), "OK");
  assert.strictEqual(await nr.get("nr:a"), "x");
  assert.strictEqual(await nr.incr("nr:n"), 1);
  assert.strictEqual(await nr.get("io:b"), "2");  // what ioredis wrote, through the proxy
  await nr.disconnect();  // not QUIT: the proxy closes the connection without a reply to it
  console.log("ok ioredis node-redis");
}

main().catch((e) => {
  console.error(e.stack || e);
  process.exit(1);
});
