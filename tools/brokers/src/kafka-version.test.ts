import { describe, expect, it } from "vitest";
import { parseKafkaVersion, quorumStyle } from "./kafka-version.js";

describe("parseKafkaVersion", () => {
  it("reads X.Y.Z release numbers", () => {
    expect(parseKafkaVersion("4.4.0")).toEqual({ major: 4, minor: 4, patch: 0 });
    expect(parseKafkaVersion("3.10.12")).toEqual({ major: 3, minor: 10, patch: 12 });
  });

  it("rejects anything else, naming KAFKA_VERSION", () => {
    for (const bad of ["4.4", "v4.4.0", "4.4.0-rc1", "latest", ""]) {
      expect(() => parseKafkaVersion(bad)).toThrow(/not of the form X\.Y\.Z.*KAFKA_VERSION/);
    }
  });

  it("rejects versions that cannot run without ZooKeeper", () => {
    expect(() => parseKafkaVersion("3.2.3")).toThrow(/ZooKeeper/);
    expect(() => parseKafkaVersion("2.8.2")).toThrow(/ZooKeeper/);
    expect(parseKafkaVersion("3.3.0").minor).toBe(3);
  });
});

describe("quorumStyle", () => {
  it("uses a dynamic quorum from 3.9 (KIP-853) and static voters before", () => {
    expect(quorumStyle(parseKafkaVersion("3.8.1"))).toBe("static");
    expect(quorumStyle(parseKafkaVersion("3.9.0"))).toBe("dynamic");
    expect(quorumStyle(parseKafkaVersion("4.4.0"))).toBe("dynamic");
  });
});
