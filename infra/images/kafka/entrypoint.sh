#!/bin/sh
# Writes the broker's configuration: its listeners from the environment (one per
# network), the rest from broker.properties, which the host's broker shares,
# formats the log directory unless it already is (a restarted container keeps
# its topics and offsets), then hands PID 1 to the JVM so `docker stop` reaches it.
set -eu
data=/var/lib/kafka/data
conf=/var/lib/kafka/server.properties
cat > "$conf" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=localhost:9093
controller.listener.names=CONTROLLER
listeners=INTERNAL://0.0.0.0:9092,EXTERNAL://0.0.0.0:19092,CONTROLLER://localhost:9093
advertised.listeners=${KAFKA_ADVERTISED_LISTENERS}
inter.broker.listener.name=INTERNAL
listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${data}
num.partitions=${KAFKA_NUM_PARTITIONS}
PROPERTIES
# Everything else is what the host's broker runs with (infra/kafka/broker.properties).
cat /opt/kafka/broker.properties >> "$conf"

export CLASSPATH='/opt/kafka/libs/*'
logging=-Dlog4j2.configurationFile=/opt/kafka/log4j2.properties
set -f # KAFKA_HEAP_OPTS holds several options: split it, glob nothing
if [ ! -f "$data/meta.properties" ]; then
  java $KAFKA_HEAP_OPTS $logging kafka.tools.StorageTool format --standalone \
    --cluster-id "$KAFKA_CLUSTER_ID" --config "$conf" --ignore-formatted
fi
# The image formats at build time (`entrypoint.sh format`): one JVM start less per container.
if [ "${1:-}" = format ]; then exit 0; fi
# Any other command (`docker run … local/kafka:4 bash`) runs instead of the broker.
if [ $# -gt 0 ]; then exec "$@"; fi
exec java $KAFKA_HEAP_OPTS $logging kafka.Kafka "$conf"
