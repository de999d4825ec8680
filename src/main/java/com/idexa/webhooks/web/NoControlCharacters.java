package com.idexa.webhooks.web;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.regex.Pattern;

/**
 * A name or id without control characters. PostgreSQL text cannot hold NUL at all, and line breaks have no place
 * in a name or an id, so they are refused at the edge as a 400 rather than failing in the database. Unpaired
 * surrogates ({@code "\\ud800"}) are refused too: they are no character, and would be stored as "?", making two
 * different ids one.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = NoControlCharacters.Validator.class)
public @interface NoControlCharacters {

    String message() default "must not contain control characters";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<NoControlCharacters, String> {

        private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

        /** Whether the text is free of control characters; {@code null} has none (absence is another rule's). */
        public static boolean hasNone(String text) {
            return text == null || (!CONTROL.matcher(text).find() && !hasUnpairedSurrogate(text));
        }

        /** An unpaired surrogate is no character at all; PostgreSQL would store it as "?". */
        private static boolean hasUnpairedSurrogate(String text) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (Character.isHighSurrogate(c)
                        && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            return hasNone(value);
        }
    }
}
