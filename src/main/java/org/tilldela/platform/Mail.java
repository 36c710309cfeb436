package org.tilldela.platform;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Component;

/**
 * Plain-text e-mail from Tilldela, where SMTP is configured ({@code spring.mail.host}; Spring Boot then provides the
 * JavaMailSender) and not otherwise: the sender ({@code tilldela.mail.from}), links to Tilldela's own pages
 * ({@code tilldela.base-url}, none when unset), and sending that never throws — a mail that cannot be sent answers
 * false and is logged with the caller's words for what it was ({@code what}), never an address or the text, so the
 * caller decides whether to try again.
 */
@Component
public class Mail {

    private static final Logger log = LoggerFactory.getLogger(Mail.class);

    private final ObjectProvider<JavaMailSender> sender;
    private final String from;
    private final String baseUrl;

    public Mail(ObjectProvider<JavaMailSender> sender, @Value("${tilldela.mail.from:tilldela@localhost}") String from,
         @Value("${tilldela.base-url:}") String baseUrl) {
        this.sender = sender;
        this.from = from;
        this.baseUrl = baseUrl == null ? "" : baseUrl.strip().replaceAll("/+$", "");
    }

    /** Whether e-mail can be sent at all (SMTP configured). */
    public boolean configured() {
        return sender.getIfAvailable() != null;
    }

    /** "\n\n" and the absolute address of one of Tilldela's pages ({@code path} starting with /), or nothing without a base URL. */
    public String link(String path) {
        return baseUrl.isEmpty() ? "" : "\n\n" + baseUrl + path;
    }

    /**
     * Sends one message to {@code to} (all in one mail). {@code what} names it in the log should it fail, without
     * personal data ("import source X alert", "access review 12 reminder").
     *
     * @return whether the mail went out (false too when SMTP is not configured or there is nobody to send to)
     */
    public boolean send(List<String> to, String subject, String body, String what) {
        JavaMailSender mail = sender.getIfAvailable();
        if (mail == null || to.isEmpty()) {
            return false;
        }
        SimpleMailMessage message = new SimpleMailMessage();
        message.setFrom(from);
        message.setTo(to.toArray(String[]::new));
        message.setSubject(subject);
        message.setText(body);
        try {
            mail.send(message);
            return true;
        } catch (MailException e) {
            log.warn("{}: the e-mail could not be sent: {}", what, e.getClass().getSimpleName());
            return false;
        }
    }

    /** Whether {@code address} is one e-mail address (RFC 822 syntax, as the mail client will need it), with a domain. */
    public static boolean isAddress(String address) {
        if (address == null || address.isBlank() || address.length() > 254) {
            return false;
        }
        try {
            var parsed = new jakarta.mail.internet.InternetAddress(address.strip(), true);
            parsed.validate();
            // strict parsing still accepts a bare local name ("rektor"), which no SMTP server delivers
            return parsed.getAddress().equals(address.strip()) && parsed.getAddress().indexOf('@') > 0;
        } catch (jakarta.mail.internet.AddressException e) {
            return false;
        }
    }
}
