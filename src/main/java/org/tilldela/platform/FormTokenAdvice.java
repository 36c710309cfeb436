package org.tilldela.platform;

import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * Gives every page a fresh one-time form token (see {@link FormSubmissions}): a form that creates something
 * includes it with {@code <input th:replace="~{fragments :: formToken}">}. Nothing is stored until the
 * form is submitted, so rendering a page costs one random number.
 */
@ControllerAdvice(annotations = Controller.class)
class FormTokenAdvice {

    @ModelAttribute(FormSubmissions.FIELD)
    String formToken() {
        return UUID.randomUUID().toString();
    }
}
