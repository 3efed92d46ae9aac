// Public API of @kytos-events/kafka (work in progress).
export {};
