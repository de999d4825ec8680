package com.idexa.webhooks.web;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document at {@code /v3/api-docs} (Swagger UI at {@code /swagger-ui.html}): security schemes, and
 * the problem-document error format added to every operation so clients know what a failure looks like. The
 * client API's key scheme is declared by the client package, next to the resolver that checks it.
 */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(
        info =
                @Info(
                        title = "document-webhooks",
                        version = "1",
                        description =
                                "Webhooks for finished documents: register one webhook per client, read its delivery log, "
                                        + "retry and test deliveries. Errors are RFC 9457 problem documents."))
@SecurityScheme(
        name = BearerTokenInterceptor.ADMIN_TOKEN_SCHEME,
        type = SecuritySchemeType.HTTP,
        scheme = "bearer",
        description = "webhooks.admin-token")
@SecurityScheme(
        name = BearerTokenInterceptor.INTERNAL_TOKEN_SCHEME,
        type = SecuritySchemeType.HTTP,
        scheme = "bearer",
        description = "webhooks.internal-token, held by the document platform")
class OpenApiConfiguration {

    @Bean
    OpenApiCustomizer problemResponses() {
        return openApi -> {
            Schema<?> fieldError = new ObjectSchema()
                    .addProperty("field", new StringSchema().example("url"))
                    .addProperty(
                            "message",
                            new StringSchema().example("url must contain :id, where the document id is placed"));
            Schema<?> problem = new ObjectSchema()
                    .description("RFC 9457 problem document")
                    .addProperty("type", new StringSchema().example("about:blank"))
                    .addProperty("title", new StringSchema().example("Invalid request"))
                    .addProperty("status", new IntegerSchema().example(400))
                    .addProperty(
                            "detail",
                            new StringSchema().example("url: url must contain :id, where the document id is placed"))
                    .addProperty("instance", new StringSchema().example("/document_webhooks"))
                    .addProperty(
                            "errors", new ArraySchema().items(fieldError).description("Present on validation errors"));
            openApi.getComponents().addSchemas("Problem", problem);
            Map<String, String> defaults = Map.of(
                    "400", "Invalid request: the errors list names each field",
                    "401", "Missing, unknown or revoked credentials",
                    "500", "Unexpected error; no details are disclosed");
            openApi.getPaths()
                    .values()
                    .forEach(path -> path.readOperations().forEach(operation -> {
                        defaults.forEach((status, description) -> {
                            if (operation.getResponses().get(status) == null) {
                                operation.getResponses().addApiResponse(status, problemResponse(description));
                            }
                        });
                        // Every error is a problem document: a controller declares only the status and what it means.
                        operation.getResponses().forEach((status, response) -> {
                            if (status.startsWith("4") || status.startsWith("5")) {
                                response.setContent(problemResponse(response.getDescription())
                                        .getContent());
                            }
                        });
                    }));
        };
    }

    private static ApiResponse problemResponse(String description) {
        MediaType media = new MediaType()
                .schema(new Schema<>().$ref("#/components/schemas/Problem"))
                .addExamples(
                        "problem",
                        new Example()
                                .value(Map.of(
                                        "type",
                                        "about:blank",
                                        "title",
                                        "Invalid request",
                                        "status",
                                        400,
                                        "detail",
                                        "url: url must contain :id, where the document id is placed",
                                        "errors",
                                        java.util.List.of(Map.of(
                                                "field",
                                                "url",
                                                "message",
                                                "url must contain :id, where the document id is placed")))));
        return new ApiResponse()
                .description(description)
                .content(new Content().addMediaType("application/problem+json", media));
    }
}
