#!/usr/bin/env bash
# The supported-versions matrix: the main test run uses the default Kafka (tools/brokers,
# DEFAULT_KAFKA_VERSION); this gate runs the broker smoke tests on the other
# supported line, so a kafkajs/broker incompatibility there is caught too.
set -euo pipefail
for version in ${KAFKA_MATRIX:-3.9.2}; do
  echo "Kafka $version:"
  KAFKA_VERSION="$version" KAFKA_BROKERS="" pnpm exec vitest run --project integration test/smoke
done
