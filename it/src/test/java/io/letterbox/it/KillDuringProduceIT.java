package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.readAll;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.AckedStream;
import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.TestBroker;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker is SIGKILLed in the middle of a stream of acks=all produces and restarted on the
 * same directory: every acknowledged record is read back once, at its acknowledged offset, in
 * order per partition, and the same producer carries on without an error.
 */
class KillDuringProduceIT {

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("kill-during-produce");

    @Test
    void everyAcknowledgedRecordSurvivesKillDashNine() throws Exception {
        TestBroker broker = BROKER.broker();
        broker.assumeCanKill();
        // Given a producer (client defaults: acks=all, idempotent) streaming keyed records
        String topic = uniqueTopic("kill-9");
        createTopic(broker.bootstrap(), topic, 3, Map.of());
        int ackedBeforeKill;
        AckedStream stream;
        try (KafkaProducer<String, String> producer = producer(broker.bootstrap())) {
            stream = new AckedStream(producer, 500, Integer.MAX_VALUE,
                    seq -> new ProducerRecord<>(topic, "key-" + seq % 10, "v#" + seq), m -> { });
            ItSupport.await("records acknowledged before the kill", () -> stream.ackedCount() >= 200);
            Thread.sleep(1_500);

            // When the broker is killed mid-stream and started again on the same directory
            ackedBeforeKill = stream.ackedCount();
            broker.kill();
            Thread.sleep(500);
            broker.start();
            int ackedAtRestart = stream.ackedCount();
            ItSupport.await("records acknowledged after the restart", () -> stream.ackedCount() >= ackedAtRestart + 200);
            Thread.sleep(1_500);
            stream.stop();
            producer.flush();
        }

        // Then the producer carried on without an error, through the crash, and every acknowledged
        // record is in the log once, at its offset, in order per partition
        assertThat(ackedBeforeKill).isPositive();
        stream.assertEveryAcknowledgedRecordIn(readAll(broker.bootstrap(), topic));
    }
}
