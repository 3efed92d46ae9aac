// Public API of @kytos-events/amqp (work in progress).
export {};
