package com.idexa.webhooks;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Registers client webhooks and delivers document-finished callbacks to them. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class DocumentWebhooksApplication {

    public static void main(String[] args) {
        SpringApplication.run(DocumentWebhooksApplication.class, args);
    }
}
