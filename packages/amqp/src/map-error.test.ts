import { ErrorCode } from "@kytos-events/core";
import { describe, expect, it } from "vitest";
import { isRetriableConnectFailure, mapConnectError } from "./map-error.js";

const url = "amqps://guest:***@broker:5671/";
const nodeError = (code: string, message = code) => Object.assign(new Error(message), { code });

describe("mapConnectError", () => {
  it.each([
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "ERR_TLS_CERT_ALTNAME_INVALID",
    "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED",
  ])("maps the TLS failure %s to KE_AUTHENTICATION_FAILED naming the URL and the tls options", (code) => {
    const err = mapConnectError(nodeError(code), url);
    expect(err.code).toBe(ErrorCode.AuthenticationFailed);
    expect(err.message).toContain(`TLS with RabbitMQ at ${url} failed (${code})`);
    expect(err.message).toContain("tls.ca");
    expect(err.cause).toBeInstanceOf(Error);
  });

  it("finds a TLS code in the error's cause", () => {
    const wrapped = new Error("connect failed", { cause: nodeError("CERT_HAS_EXPIRED") });
    expect(mapConnectError(wrapped, url).code).toBe(ErrorCode.AuthenticationFailed);
  });

  it("maps TLS against a plain AMQP port to a retriable KE_TRANSPORT_UNAVAILABLE saying to check the listener", () => {
    const err = mapConnectError(nodeError("ERR_SSL_WRONG_VERSION_NUMBER"), url);
    expect(err.code).toBe(ErrorCode.TransportUnavailable);
    expect(err.message).toContain("check that the listener speaks TLS");
  });

  it("keeps a refused connection a KE_TRANSPORT_UNAVAILABLE", () => {
    expect(mapConnectError(nodeError("ECONNREFUSED"), url).code).toBe(ErrorCode.TransportUnavailable);
  });
});

describe("isRetriableConnectFailure", () => {
  it("a refused login, virtual host or certificate is not retriable; an unreachable broker is", () => {
    expect(
      isRetriableConnectFailure(mapConnectError(new Error("ACCESS_REFUSED - Login was refused"), url)),
    ).toBe(false);
    expect(
      isRetriableConnectFailure(mapConnectError(new Error("NOT_ALLOWED - vhost x not found"), url)),
    ).toBe(false);
    expect(isRetriableConnectFailure(mapConnectError(nodeError("CERT_HAS_EXPIRED"), url))).toBe(false);
    expect(isRetriableConnectFailure(mapConnectError(nodeError("ECONNREFUSED"), url))).toBe(true);
  });
});
