// @kytos-events/consumer/postgres: the idempotency store on PostgreSQL, with a transactional
// mode for effectively-once side effects (pg is an optional peer dependency, needed only by
// applications that import this entry).
export type { PostgresIdempotencyStoreConfig } from "./postgres-idempotency-store.js";
export { PostgresIdempotencyStore } from "./postgres-idempotency-store.js";
