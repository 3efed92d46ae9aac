// Contract test kit for transports (work in progress).
export {};
