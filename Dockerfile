# syntax=docker/dockerfile:1
# Build stage: the Maven wrapper builds the jar; dependencies are cached in their own layer.
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
RUN ./mvnw -B -ntp -q dependency:go-offline
COPY src/ src/
# The Spring AOT step fixes which beans exist (README, Fast start): built with the management port this image sets.
RUN ./mvnw -B -ntp -q package -DskipTests -Dspring-boot.aot.jvmArguments=-Dmanagement.server.port=8081 \
 && java -Djarmode=tools -jar target/document-webhooks-*.jar extract --layers --launcher --destination /extracted

# Run stage: a JRE only, as an unprivileged user. No embedded database binaries are in the jar.
FROM eclipse-temurin:21-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --no-create-home app
WORKDIR /app
COPY --from=build /extracted/dependencies/ ./
COPY --from=build /extracted/spring-boot-loader/ ./
COPY --from=build /extracted/snapshot-dependencies/ ./
COPY --from=build /extracted/application/ ./
USER 10001:10001
EXPOSE 8080 8081
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError" \
    MANAGEMENT_SERVER_PORT=8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=40s --retries=3 \
  CMD curl -fsS "http://localhost:${MANAGEMENT_SERVER_PORT}/actuator/health/readiness" || exit 1
# A JVM out of memory is not half alive: it exits, and its deliveries fall due for the others after their lease.
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "org.springframework.boot.loader.launch.JarLauncher"]
