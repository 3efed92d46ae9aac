// @kytos-events/consumer/redis: the idempotency store on Redis (ioredis is an optional peer
// dependency, needed only by applications that import this entry).
export type { RedisIdempotencyStoreConfig } from "./redis-idempotency-store.js";
export { RedisIdempotencyStore } from "./redis-idempotency-store.js";
export type { RedisArgument } from "./redis-transaction.js";
export { RedisTransaction } from "./redis-transaction.js";
