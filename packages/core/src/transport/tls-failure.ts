// Which Node.js error codes mean a TLS handshake or certificate failure. Both transports map
// these to a non-retriable authentication error (an untrusted or unfit certificate stays so,
// whoever retries), so the list lives once, here: Node's ERR_SSL_*/ERR_TLS_* codes plus the
// OpenSSL X509 verdicts Node reports under their own names.
const X509_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
]);
const NODE_TLS_CODE = /^ERR_(SSL|TLS)_/;

/** True for an error `code` that names a TLS handshake or certificate failure. */
export function isTlsFailureCode(code: unknown): code is string {
  return typeof code === "string" && (NODE_TLS_CODE.test(code) || X509_CODES.has(code));
}
