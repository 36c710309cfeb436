package org.tilldela.directory.sources;

import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.MessageSource;
import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Component;

/**
 * E-mails the addresses set on a source when it starts failing (the first failed run of a streak) and when it works
 * again, where SMTP is configured ({@code spring.mail.host}; Spring Boot then provides the JavaMailSender). The mail
 * says which source and why in plain words ({@code tilldela.import.sources.alert-language}), with a link to the
 * source's page when {@code tilldela.base-url} is set — never anything imported. A mail that cannot be sent is logged
 * and does not change the run.
 */
@Component
class SourceAlerts {

    private static final Logger log = LoggerFactory.getLogger(SourceAlerts.class);

    private final ObjectProvider<JavaMailSender> mail;
    private final MessageSource messages;
    private final String from;
    private final Locale locale;
    private final String baseUrl;

    SourceAlerts(ObjectProvider<JavaMailSender> mail, MessageSource messages, @Value("${tilldela.mail.from:tilldela@localhost}") String from,
                 @Value("${tilldela.import.sources.alert-language:sv}") String language, @Value("${tilldela.base-url:}") String baseUrl) {
        this.mail = mail;
        this.messages = messages;
        this.from = from;
        this.locale = Locale.forLanguageTag(language == null || language.isBlank() ? "sv" : language.strip());
        this.baseUrl = baseUrl == null ? "" : baseUrl.strip().replaceAll("/+$", "");
    }

    /** Whether e-mail can be sent at all (SMTP configured). */
    boolean configured() {
        return mail.getIfAvailable() != null;
    }

    /** @return whether the mail went out */
    boolean failed(ImportSources.Source s, SourceRuns.Failure failure, List<String> to) {
        String subject = messages.getMessage("sources.alert.failed.subject", new Object[] {s.name()}, locale);
        String body = messages.getMessage("sources.alert.failed.body", new Object[] {s.name()}, locale) + "\n\n"
                + messages.getMessage("sources.failure." + failure.name(), null, locale) + link(s);
        return send(s, to, subject, body);
    }

    /** @return whether the mail went out */
    boolean recovered(ImportSources.Source s, List<String> to) {
        String subject = messages.getMessage("sources.alert.recovered.subject", new Object[] {s.name()}, locale);
        String body = messages.getMessage("sources.alert.recovered.body", new Object[] {s.name()}, locale) + link(s);
        return send(s, to, subject, body);
    }

    private String link(ImportSources.Source s) {
        return baseUrl.isEmpty() ? "" : "\n\n" + baseUrl + "/imports/sources/" + s.id();
    }

    private boolean send(ImportSources.Source s, List<String> to, String subject, String body) {
        JavaMailSender sender = mail.getIfAvailable();
        if (sender == null || to.isEmpty()) {
            return false;
        }
        SimpleMailMessage message = new SimpleMailMessage();
        message.setFrom(from);
        message.setTo(to.toArray(String[]::new));
        message.setSubject(subject);
        message.setText(body);
        try {
            sender.send(message);
            return true;
        } catch (MailException e) {
            log.warn("Import source {}: the alert e-mail could not be sent: {}", s.name(), e.getClass().getSimpleName());
            return false;
        }
    }
}
