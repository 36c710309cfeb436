package org.tilldela.directory.sources;

import java.util.List;
import java.util.Locale;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.MessageSource;
import org.springframework.stereotype.Component;
import org.tilldela.platform.Mail;

/**
 * E-mails the addresses set on a source when it starts failing (the first failed run of a streak) and when it works
 * again, where SMTP is configured ({@link Mail}). The mail
 * says which source and why in plain words ({@code tilldela.import.sources.alert-language}), with a link to the
 * source's page when {@code tilldela.base-url} is set — never anything imported. A mail that cannot be sent is logged
 * and does not change the run.
 */
@Component
class SourceAlerts {

    private final Mail mail;
    private final MessageSource messages;
    private final Locale locale;

    SourceAlerts(Mail mail, MessageSource messages, @Value("${tilldela.import.sources.alert-language:sv}") String language) {
        this.mail = mail;
        this.messages = messages;
        this.locale = Locale.forLanguageTag(language == null || language.isBlank() ? "sv" : language.strip());
    }

    /** Whether e-mail can be sent at all (SMTP configured). */
    boolean configured() {
        return mail.configured();
    }

    /** @return whether the mail went out */
    boolean failed(ImportSources.Source s, SourceRuns.Failure failure, List<String> to) {
        String subject = messages.getMessage("sources.alert.failed.subject", new Object[] {s.name()}, locale);
        String body = messages.getMessage("sources.alert.failed.body", new Object[] {s.name()}, locale) + "\n\n"
                + messages.getMessage("sources.failure." + failure.name(), null, locale) + link(s);
        return mail.send(to, subject, body, "Import source " + s.name() + " alert");
    }

    /** @return whether the mail went out */
    boolean recovered(ImportSources.Source s, List<String> to) {
        String subject = messages.getMessage("sources.alert.recovered.subject", new Object[] {s.name()}, locale);
        String body = messages.getMessage("sources.alert.recovered.body", new Object[] {s.name()}, locale) + link(s);
        return mail.send(to, subject, body, "Import source " + s.name() + " alert");
    }

    private String link(ImportSources.Source s) {
        return mail.link("/imports/sources/" + s.id());
    }
}
