import { describe, expect, it } from "vitest";
import { isTlsFailureCode } from "./tls-failure.js";

describe("isTlsFailureCode", () => {
  it("takes Node's TLS codes and OpenSSL's certificate verdicts, and nothing else", () => {
    for (const code of [
      "ERR_TLS_CERT_ALTNAME_INVALID",
      "ERR_SSL_WRONG_VERSION_NUMBER",
      "SELF_SIGNED_CERT_IN_CHAIN",
      "HOSTNAME_MISMATCH",
    ]) {
      expect(isTlsFailureCode(code), code).toBe(true);
    }
    for (const code of ["ECONNREFUSED", "ETIMEDOUT", undefined, 42, "ERR_SOCKET_CLOSED"]) {
      expect(isTlsFailureCode(code), String(code)).toBe(false);
    }
  });
});
