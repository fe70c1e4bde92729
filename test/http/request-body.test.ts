/**
 * The one request-body reader of the HTTP surfaces, through a real node:http server: a body within
 * the limit is read whole, declared or chunked; one over it is refused (by Content-Length before
 * reading, or counted while reading) and the server answers 413 with the shared message without
 * waiting for the rest; a client that goes away mid-body is reported as aborted.
 */
import { createServer, request, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { readRequestBody, TOO_LARGE_HEADERS, tooLargeMessage, type BodyRead } from "../../src/http/request-body.js";

const LIMIT = 1024;
let server: Server;
let base: string;
let reads: BodyRead[];
let settled: () => void = () => {};

beforeAll(async () => {
  server = createServer((req, res) => {
    void readRequestBody(req, LIMIT).then((read) => {
      reads.push(read);
      settled();
      if (read.ok) res.writeHead(200).end(`read ${read.body.length} bytes: ${read.body.toString("utf8").slice(0, 10)}`);
      else if (read.reason === "too-large") res.writeHead(413, TOO_LARGE_HEADERS).end(tooLargeMessage(LIMIT));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  reads = [];
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** POSTs `body` declared (Content-Length) or chunked in pieces of 256 bytes. */
function post(body: string, chunked: boolean): Promise<{ status: number; text: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const headers = chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(Buffer.byteLength(body)) };
    const req = request(`${base}/`, { method: "POST", headers, agent: false }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text, connection: res.headers.connection }));
    });
    // The server may answer 413 and close before the whole body is sent.
    req.on("error", (error: Error & { code?: string }) => {
      if (error.code !== "EPIPE" && error.code !== "ECONNRESET") reject(error);
    });
    if (!chunked) return void req.end(body);
    for (let i = 0; i < body.length; i += 256) req.write(body.slice(i, i + 256));
    req.end();
  });
}

test.each([false, true])("a body at the limit is read whole (chunked: %s)", async (chunked) => {
  const reply = await post("a".repeat(LIMIT), chunked);
  expect(reply).toMatchObject({ status: 200, text: `read ${LIMIT} bytes: aaaaaaaaaa` });
  expect(reads).toEqual([{ ok: true, body: Buffer.from("a".repeat(LIMIT)) }]);
  expect((await post("", chunked)).text).toBe("read 0 bytes: ");
});

test.each([false, true])("one byte over is 413 with the shared message and Connection: close (chunked: %s)", async (chunked) => {
  const reply = await post("b".repeat(LIMIT + 1), chunked);
  expect(reply).toEqual({ status: 413, text: tooLargeMessage(LIMIT), connection: "close" });
  expect(reads).toEqual([{ ok: false, reason: "too-large" }]);
});

test.each([false, true])("an answer comes before the rest of a body over the limit is sent (chunked: %s)", async (chunked) => {
  // A client that never finishes its body still gets the 413: the server does not wait for it.
  const reply = await rawPost(chunked, "e".repeat(LIMIT * 2));
  expect(reply).toMatch(/^HTTP\/1\.1 413 /);
  expect(reply).toContain(tooLargeMessage(LIMIT));
  expect(reads).toEqual([{ ok: false, reason: "too-large" }]);
});

test("the message names the limit in bytes and in the unit people read", () => {
  expect(tooLargeMessage(64 * 1024)).toBe("the request body is larger than 65536 bytes (64 KiB), the most this route accepts");
  expect(tooLargeMessage(25 * 1024 * 1024)).toBe("the request body is larger than 26214400 bytes (25 MiB), the most this route accepts");
  expect(tooLargeMessage(1000)).toBe("the request body is larger than 1000 bytes (1000 B), the most this route accepts");
});

test("a client that goes away mid-body is reported as aborted (nothing to answer)", async () => {
  const done = new Promise<void>((resolve) => (settled = resolve));
  const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
  socket.on("error", () => {});
  socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n${"d".repeat(100)}`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  socket.destroy();
  await done;
  expect(reads).toEqual([{ ok: false, reason: "aborted" }]);
});

/**
 * Sends the headers and `part` of a body that claims 8 MiB (declared, or chunked and never
 * ended), over a raw socket (nock, loaded for every test, buffers node:http request bodies until
 * they end), and returns what the server answers.
 */
function rawPost(chunked: boolean, part: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
    let text = "";
    socket.on("data", (c: Buffer) => (text += c.toString()));
    socket.on("error", () => {});
    socket.on("close", () => resolve(text));
    const length = chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${8 * 1024 * 1024}`;
    const body = chunked ? `${part.length.toString(16)}\r\n${part}\r\n` : part;
    socket.write(`POST / HTTP/1.1\r\nHost: x\r\n${length}\r\n\r\n${body}`);
  });
}
