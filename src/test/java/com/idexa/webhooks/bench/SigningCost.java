package com.idexa.webhooks.bench;

import com.idexa.webhooks.signing.SigningKey;
import com.idexa.webhooks.signing.WebhookSignatures;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What signing adds to an attempt, in CPU time of the signing thread (so other work on the machine does not count):
 * the {@code webhook-signature} header for one key (v1 and v1a) and for three (a rotation's worst case), beside the
 * JDK's own Ed25519, which the service does not use. Run after {@code ./bench/run.sh} has built the class path:
 *
 * <pre>
 * java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" com.idexa.webhooks.bench.SigningCost
 * </pre>
 */
public final class SigningCost {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private SigningCost() {}

    public static void main(String[] args) throws Exception {
        byte[] body = ("{\"id\": \"document-0001\", \"status\": 1, \"statusDesc\": \"FINISHED\", \"pages\": "
                        + "[1, 2, 3], \"fields\": {\"total\": \"1234.56\", \"currency\": \"EUR\"}}")
                .repeat(8)
                .getBytes(StandardCharsets.UTF_8);
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        List<SigningKey> one = List.of(SigningKey.generate(now, true));
        List<SigningKey> three =
                List.of(SigningKey.generate(now, true), SigningKey.generate(now, true), SigningKey.generate(now, true));
        System.out.printf("body %d bytes%n", body.length);
        for (int round = 0; round < 3; round++) {
            report("header, 1 key (v1 + v1a)", 20_000, () -> WebhookSignatures.header(id, 1L, body, one, now, true));
            report("header, 3 keys", 10_000, () -> WebhookSignatures.header(id, 1L, body, three, now, true));
            report("header, 1 key, v1 only", 100_000, () -> WebhookSignatures.header(id, 1L, body, one, now, false));
        }
        PrivateKey jdkKey =
                KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();
        report("JDK Ed25519 alone (not used)", 1_000, () -> {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(jdkKey);
            signature.update(body);
            signature.sign();
        });
    }

    private interface Work {
        void run() throws Exception;
    }

    private static void report(String what, int times, Work work) throws Exception {
        long cpu = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < times; i++) {
            work.run();
        }
        double micros = (THREADS.getCurrentThreadCpuTime() - cpu) / 1_000.0 / times;
        System.out.printf("%-32s %8.1f us CPU per attempt%n", what, micros);
    }
}
