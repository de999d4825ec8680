package com.idexa.webhooks.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.idexa.webhooks.client.ClientService;
import com.idexa.webhooks.support.DeliveryTestSupport;
import com.idexa.webhooks.support.TestHttp;
import com.idexa.webhooks.support.TestReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * An eventId names one event. Sent again with the same document it is a replay (the first answer, nothing new);
 * sent with another document it is the platform's mistake, and answering the first event's delivery would lose
 * the second document's callback without a word: 409, naming the field, and nothing of the request recorded.
 */
class EventIdReuseTest extends DeliveryTestSupport {

    @Autowired
    JdbcClient jdbc;

    private final TestReceiver receiver = TestReceiver.start();

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void anEventIdSentAgainWithAnotherDocumentIsAConflictAndRecordsNothing() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        TestHttp.Response first = reportDocument(client, "evt-1", "{\"id\": \"d1\", \"status\": 1}");
        assertThat(first.status()).isEqualTo(202);

        TestHttp.Response otherDocument = reportDocument(client, "evt-1", "{\"id\": \"d2\", \"status\": 1}");
        TestHttp.Response otherContent = reportDocument(client, "evt-1", "{\"id\": \"d1\", \"status\": 2}");
        // numbers that doubles cannot tell apart
        reportDocument(client, "evt-n", "{\"id\": \"n\", \"total\": 19.9999999999999999, \"big\": 1e400}");
        TestHttp.Response otherTotal =
                reportDocument(client, "evt-n", "{\"id\": \"n\", \"total\": 20.0, \"big\": 1e400}");
        TestHttp.Response otherBig =
                reportDocument(client, "evt-n", "{\"id\": \"n\", \"total\": 19.9999999999999999, \"big\": 2e400}");
        // exponents past what an exact decimal holds: compared as written
        assertThat(reportDocument(client, "evt-x", "{\"id\": \"x\", \"n\": 1e2147483648}")
                        .status())
                .isEqualTo(202);
        TestHttp.Response otherHuge = reportDocument(client, "evt-x", "{\"id\": \"x\", \"n\": 2e2147483648}");
        TestHttp.Response otherSmall = reportDocument(client, "evt-x", "{\"id\": \"x\", \"n\": 1}");

        for (TestHttp.Response conflict :
                new TestHttp.Response[] {otherDocument, otherContent, otherTotal, otherBig, otherHuge, otherSmall}) {
            assertThat(conflict.status()).as(conflict.body()).isEqualTo(409);
            assertThat(conflict.header("Content-Type")).startsWith("application/problem+json");
            assertThat(conflict.json().get("errors").get(0).get("field").asString())
                    .isEqualTo("eventId");
            assertThat(conflict.json().get("errors").get(0).get("message").asString())
                    .contains("another document");
        }
        assertThat(eventsOf(client)).isEqualTo(3);
        assertThat(deliveriesOf(client)).isEqualTo(3);
    }

    @Test
    void theSameDocumentWrittenDifferentlyIsAReplay() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        TestHttp.Response first = reportDocument(client, "evt-2", "{\"id\": \"d1\", \"status\": 1}");

        TestHttp.Response replay = reportDocument(client, "evt-2", "{ \"status\" : 1,\n \"id\" : \"d1\" }");
        TestHttp.Response sameNumbers = reportDocument(client, "evt-2", "{\"id\": \"d1\", \"status\": 1.0}");
        TestHttp.Response sameNumbersAgain = reportDocument(client, "evt-2", "{\"id\": \"d1\", \"status\": 1e0}");

        for (TestHttp.Response again : new TestHttp.Response[] {replay, sameNumbers, sameNumbersAgain}) {
            assertThat(again.status()).as(again.body()).isEqualTo(202);
            assertThat(again.json()).isEqualTo(first.json());
        }
        assertThat(deliveriesOf(client)).isOne();
    }

    @Test
    void aBatchReusingAnEventIdIsRefusedWholeNamingTheEvent() {
        ClientService.IssuedKey client = newClient();
        registerWebhook(client, simpleWebhook("POST", receiver.url("/cb/:id")));
        reportDocument(client, "evt-earlier", "{\"id\": \"d0\"}");

        TestHttp.Response withEarlier = reportBatch(
                batchEvent(client, "evt-new", "{\"id\": \"d1\"}"),
                batchEvent(client, "evt-earlier", "{\"id\": \"d9\"}"));
        TestHttp.Response twiceInIt = reportBatch(
                batchEvent(client, "evt-twice", "{\"id\": \"d2\"}"),
                batchEvent(client, "evt-twice", "{\"id\": \"d3\"}"));

        assertThat(withEarlier.status()).as(withEarlier.body()).isEqualTo(409);
        assertThat(withEarlier.json().get("errors").get(0).get("field").asString())
                .isEqualTo("events[1].eventId");
        assertThat(twiceInIt.status()).as(twiceInIt.body()).isEqualTo(409);
        assertThat(twiceInIt.json().get("errors").get(0).get("field").asString())
                .isEqualTo("events[1].eventId");
        assertThat(eventsOf(client)).as("only the earlier event").isOne();
    }

    private long eventsOf(ClientService.IssuedKey client) {
        return jdbc.sql("SELECT count(*) FROM events WHERE client_id = ?")
                .param(client.clientId())
                .query(Long.class)
                .single();
    }

    private long deliveriesOf(ClientService.IssuedKey client) {
        return jdbc.sql("SELECT count(*) FROM deliveries WHERE client_id = ?")
                .param(client.clientId())
                .query(Long.class)
                .single();
    }
}
