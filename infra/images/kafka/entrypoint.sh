#!/bin/sh
# Writes the broker's configuration from the environment (the settings that
# infra/kafka/config.ts gives the host's broker, with one listener per network),
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
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.segment.bytes=16777216
log.retention.hours=24
log.retention.bytes=134217728
log.retention.check.interval.ms=60000
num.network.threads=2
num.io.threads=4
metadata.max.idle.interval.ms=5000
PROPERTIES

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
