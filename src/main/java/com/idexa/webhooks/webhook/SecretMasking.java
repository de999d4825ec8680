package com.idexa.webhooks.webhook;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Which header values are credentials, and how a credential is shown: its scheme, if any, then {@code ****}. */
public final class SecretMasking {

    public static final String MASK = "****";

    private static final Pattern CREDENTIAL_NAME = Pattern.compile(
            "authorization|proxy-authorization|cookie|set-cookie|.*(key|secret|token|password|passwd|credential|session|signature|auth).*");
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*) +\\S.*$");

    private SecretMasking() {}

    public static boolean isCredentialHeader(String name) {
        return CREDENTIAL_NAME.matcher(name.toLowerCase(Locale.ROOT)).matches();
    }

    /** {@code "Bearer eyJ..."} becomes {@code "Bearer ****"}; anything else becomes {@code "****"}. */
    public static String mask(String credential) {
        if (credential == null) {
            return null;
        }
        var scheme = SCHEME.matcher(credential);
        return scheme.matches() ? scheme.group(1) + " " + MASK : MASK;
    }

    public static Map<String, String> maskHeaders(Map<String, String> headers) {
        if (headers == null) {
            return null;
        }
        Map<String, String> masked = new LinkedHashMap<>();
        headers.forEach((name, value) -> masked.put(name, isCredentialHeader(name) ? mask(value) : value));
        return masked;
    }
}
