package com.idexa.webhooks.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Notes every process the harness starts, one line each ({@code kind pid marker}), so {@code faults/run.sh} can end
 * them even if this JVM is killed. The marker is a string the process's command line must contain: a pid that was
 * reused by an unrelated process is left alone.
 */
final class ProcessRegistry {

    private final Path file;

    ProcessRegistry(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.getParent());
        Files.writeString(file, "");
    }

    synchronized void add(String kind, long pid, String marker) {
        try {
            Files.writeString(file, kind + " " + pid + " " + marker + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
