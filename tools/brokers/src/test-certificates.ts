// Throwaway TLS material for broker tests, made by openssl: a CA and an unrelated second CA
// (for "untrusted CA" cases), a server certificate for localhost and the given IP signed by
// the first, a client certificate for mutual TLS, and Kafka's PEM key store (key + chain).
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TestCertificates {
  /** Paths of the files written into the directory. */
  readonly files: {
    readonly ca: string;
    readonly otherCa: string;
    readonly serverCert: string;
    readonly serverKey: string;
    /** The server's private key followed by its certificate, as Kafka's PEM key store wants it. */
    readonly serverKeystore: string;
    readonly clientCert: string;
    readonly clientKey: string;
  };
  /** The same, as PEM text. */
  readonly pem: {
    readonly ca: string;
    readonly otherCa: string;
    readonly serverCert: string;
    readonly serverKey: string;
    readonly clientCert: string;
    readonly clientKey: string;
  };
}

/** Writes the certificates into `dir` (which must exist); the server's SAN is localhost and `host`. */
export async function makeTestCertificates(dir: string, host = "127.0.0.1"): Promise<TestCertificates> {
  const openssl = (...args: string[]) => run("openssl", args, { cwd: dir });
  const days = ["-days", "2"];
  for (const ca of ["ca", "other-ca"]) {
    await openssl(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${ca}.key`,
      "-out",
      `${ca}.pem`,
      ...days,
      "-subj",
      `/CN=kytos-events test ${ca}`,
    );
  }
  await writeFile(join(dir, "san.ext"), `subjectAltName=DNS:localhost,IP:${host}\n`);
  for (const [name, cn, ext] of [
    ["server", "localhost", ["-extfile", "san.ext"]],
    ["client", "kytos-client", []],
  ] as const) {
    await openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${cn}`,
    );
    await openssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      ...days,
      ...ext,
    );
  }
  const path = (file: string) => join(dir, file);
  const read = (file: string) => readFile(path(file), "utf8");
  const pem = {
    ca: await read("ca.pem"),
    otherCa: await read("other-ca.pem"),
    serverCert: await read("server.crt"),
    serverKey: await read("server.key"),
    clientCert: await read("client.crt"),
    clientKey: await read("client.key"),
  };
  await writeFile(path("server-keystore.pem"), pem.serverKey + pem.serverCert);
  return {
    files: {
      ca: path("ca.pem"),
      otherCa: path("other-ca.pem"),
      serverCert: path("server.crt"),
      serverKey: path("server.key"),
      serverKeystore: path("server-keystore.pem"),
      clientCert: path("client.crt"),
      clientKey: path("client.key"),
    },
    pem,
  };
}
